"""Fixtures for the connect tests: the app pointed at the TikTok emulator, an owner signed in."""
import pytest

from tests.accounts import cheap_hashing  # noqa: F401
from tests.database import make_test_config
# The root conftest registers the emulator plugin; importing the fixtures keeps this directory
# runnable on its own too.
from tests.tiktok_emulator.pytest_plugin import tiktok_emulator, tiktok_emulator_server  # noqa: F401


@pytest.fixture
def app_config(database_url, tmp_path, tiktok_emulator):
    """The app under test talks to the emulator (API and consent page) and retries fast."""
    return make_test_config(database_url, tmp_path / "instance", **tiktok_emulator.app_settings(
        TTC_CATALOG_LOG_POLL_SECONDS=0.02,
    ))
