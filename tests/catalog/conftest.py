"""Fixtures for the catalog tests: the app pointed at the TikTok emulator, and a connected store."""
import pytest

from tests.catalog.helpers import connect_store, emulator_settings
from tests.database import make_test_config


@pytest.fixture
def app_config(database_url, tmp_path, tiktok_emulator):
    """The app under test talks to the emulator, polls fast and skips image checks (tested apart)."""
    tiktok_emulator.configure(**emulator_settings())
    return make_test_config(database_url, tmp_path / "instance", **{
        "TTC_TIKTOK_API_BASE": tiktok_emulator.url,
        "TTC_TIKTOK_APP_ID": tiktok_emulator.app_id,
        "TTC_TIKTOK_APP_SECRET": tiktok_emulator.app_secret,
        "TTC_TIKTOK_TIMEOUT": 5.0,
        "TTC_TIKTOK_RETRY_BASE_DELAY": 0.01,
        "TTC_CATALOG_LOG_POLL_SECONDS": 0.02,
        "TTC_CATALOG_REVIEW_POLL_SECONDS": 60,
        "TTC_JOB_POLL_SECONDS": 0.05,
        "TTC_IMAGE_CHECKS": False,
    })


@pytest.fixture
def store(session, tiktok_emulator):
    """A store connected to a fresh emulator catalog (BRL, Brazil)."""
    from tests.factories import make_store

    return connect_store(make_store(), tiktok_emulator)
