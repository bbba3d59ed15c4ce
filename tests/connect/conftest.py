"""Fixtures for the connect tests: the app pointed at the TikTok emulator, an owner signed in."""
import pytest

from tests.database import make_test_config
# The root conftest registers the emulator plugin; importing the fixtures keeps this directory
# runnable on its own too.
from tests.tiktok_emulator.pytest_plugin import tiktok_emulator, tiktok_emulator_server  # noqa: F401
from tests.server.accounts import cheap_hashing  # noqa: F401


@pytest.fixture
def app_config(database_url, tmp_path, tiktok_emulator):
    """The app under test talks to the emulator (API and consent page) and retries fast."""
    return make_test_config(database_url, tmp_path / "instance", **{
        "TTC_TIKTOK_API_BASE": tiktok_emulator.url,
        "TTC_TIKTOK_AUTH_URL": tiktok_emulator.auth_url,
        "TTC_TIKTOK_APP_ID": tiktok_emulator.app_id,
        "TTC_TIKTOK_APP_SECRET": tiktok_emulator.app_secret,
        "TTC_TIKTOK_TIMEOUT": 5.0,
        "TTC_TIKTOK_MAX_ATTEMPTS": 2,
        "TTC_TIKTOK_RETRY_BASE_DELAY": 0.01,
        "TTC_IMAGE_CHECKS": False,
        "TTC_JOB_POLL_SECONDS": 0.05,
        "TTC_CATALOG_LOG_POLL_SECONDS": 0.02,
    })
