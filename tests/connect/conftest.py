"""Fixtures for the connect tests: the app pointed at the TikTok emulator, an owner signed in."""
import pytest

from tests.accounts import cheap_hashing  # noqa: F401
from tests.database import make_test_config

# tiktok_emulator: a fixture of the emulator plugin, which tests/conftest.py registers for every test.


@pytest.fixture
def app_config(database_url, tmp_path, tiktok_emulator):
    """The app under test talks to the emulator (API and consent page) and retries fast."""
    return make_test_config(database_url, tmp_path / "instance", **tiktok_emulator.app_settings(
        TTC_CATALOG_LOG_POLL_SECONDS=0.02,
    ))
