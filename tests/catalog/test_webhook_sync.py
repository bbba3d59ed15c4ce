"""Changes sent through the signed webhook reach TikTok at once, through the embedded runner."""
import pytest

from tests.catalog.helpers import item, remote
from tests.catalog.test_api import post_hook
from tests.waiting import wait_until


@pytest.fixture
def app_config(app_config):
    """The embedded runner: changes sync in the background, as in the server."""
    app_config.update(TTC_JOB_RUNNER="embedded")
    return app_config


def test_changed_products_sync_at_once(client, store, secret, tiktok_emulator):
    assert post_hook(client, store, {"products": [item("W-1"), item("W-2")]}, secret).status_code == 202
    wait_until(lambda: sorted(remote(tiktok_emulator, store)) == ["W-1", "W-2"],
               message="the background sync did not happen")
    assert post_hook(client, store, {"products": [item("W-1", price="10.00")], "deleted": ["W-2"]},
                     secret).status_code == 202
    wait_until(lambda: {sku: p["price_info"]["price"] for sku, p in remote(tiktok_emulator, store).items()}
               == {"W-1": 10.0}, message="the background sync did not happen")
