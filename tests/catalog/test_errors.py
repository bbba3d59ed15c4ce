"""Every error the catalog raises on purpose shares one root, and keeps the base its callers catch."""
import pytest

from server.catalog.checks.sale_dates import UnreadableSaleDate
from server.catalog.checks.values import MalformedItem
from server.catalog.errors import CatalogError
from server.catalog.fetch import BlockedAddress, FetchError
from server.catalog.intake.feed_worker import WorkerFailed
from server.catalog.intake.feeds import FeedError
from server.catalog.intake.signatures import WebhookRefused
from server.catalog.service import EmptyFeed, ImportRefused, ShrinkRefused
from server.catalog.sources.errors import SourceError
from server.catalog.sync.tiktok_target import CatalogNotReady
from server.errors import AppError, ValidationError


@pytest.mark.parametrize("error, also", [
    (FeedError("bad feed"), ValueError),
    (MalformedItem("no id"), ValueError),
    (UnreadableSaleDate("no date"), ValueError),
    (FetchError("no answer"), Exception),
    (BlockedAddress("private"), FetchError),
    (WorkerFailed("killed"), RuntimeError),
    (CatalogNotReady("no catalog"), AppError),
    (EmptyFeed("empty", summary={}), ImportRefused),
    (ShrinkRefused("too small", summary={}), ValidationError),
    (WebhookRefused("bad signature"), AppError),
    (SourceError("platform down"), AppError),
])
def test_each_catalog_error_is_a_catalog_error_and_what_its_callers_catch(error, also):
    assert isinstance(error, CatalogError)
    assert isinstance(error, also)


def test_an_app_error_of_the_catalog_keeps_its_status_and_message():
    error = CatalogNotReady("the store has no TikTok catalog yet")
    assert (error.status, error.code, error.message) == (409, "catalog_not_connected",
                                                          "the store has no TikTok catalog yet")
