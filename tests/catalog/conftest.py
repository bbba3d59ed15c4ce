"""Fixtures for the catalog tests: the app pointed at the TikTok emulator, and a connected store."""
import pytest

from tests.accounts import make_api_key
from tests.catalog.helpers import connect_store, emulator_settings
from tests.database import make_test_config


@pytest.fixture
def import_worker():
    """How feed imports use a worker process (a test may parametrize it)."""
    return "auto"


@pytest.fixture
def app_config(database_url, tmp_path, tiktok_emulator, import_worker):
    """The app under test talks to the emulator, polls fast and skips image checks (tested apart)."""
    tiktok_emulator.configure(**emulator_settings())
    return make_test_config(database_url, tmp_path / "instance", **tiktok_emulator.app_settings(
        TTC_CATALOG_LOG_POLL_SECONDS=0.02,
        TTC_CATALOG_REVIEW_POLL_SECONDS=60,
        TTC_TIKTOK_MAX_ATTEMPTS=4,
        TTC_CATALOG_IMPORT_WORKER=import_worker,
    ))


@pytest.fixture
def store(session, tiktok_emulator):
    """A store connected to a fresh emulator catalog (BRL, Brazil)."""
    from tests.factories import make_store

    return connect_store(make_store(), tiktok_emulator)


@pytest.fixture
def key(store):
    """An API key for the store."""
    return make_api_key(store)[1]


@pytest.fixture
def secret(runner, store):
    """The store's change-webhook secret, made as the operator would (the CLI)."""
    result = runner.invoke(args=["catalog", "webhook-secret", "--store", store.public_key])
    assert result.exit_code == 0
    return result.stdout.strip().splitlines()[-1]
