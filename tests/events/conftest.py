"""Fixtures for the server-events tests: the app pointed at the TikTok emulator, events written as
they arrive (no spool interval) and relayed without waiting, and a store connected to the emulator."""
import pytest

from tests.database import make_test_config
from tests.events.helpers import connect_for_events

# tiktok_emulator: a fixture of the emulator plugin, which tests/conftest.py registers for every test.


@pytest.fixture
def app_config(database_url, tmp_path, tiktok_emulator):
    """The app under test talks to the emulator and retries fast; events go straight to the table."""
    return make_test_config(database_url, tmp_path / "instance", **tiktok_emulator.app_settings(
        TTC_EVENTS_SPOOL_MS=0,
        TTC_EVENTS_RELAY_DELAY=0.0,
    ))


@pytest.fixture
def store(session, tiktok_emulator):
    """A store connected to the emulator's pixel, with server events on."""
    from tests.factories import make_store

    return connect_for_events(make_store(domains=["loja.example.com", "www.loja.example.com"]), tiktok_emulator)
