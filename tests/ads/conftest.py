"""Fixtures for the ads tests: the app pointed at the TikTok emulator, a store connected to its
first advertiser account (three seeded campaigns), an owner and a member."""
import pytest

from tests.accounts import CHEAP_ARGON2, add_to_store, make_user
from tests.ads.helpers import connect_store
from tests.database import make_test_config
from tests.factories import make_store


@pytest.fixture(autouse=True)
def cheap_hashing(request):
    """The smallest argon2 cost for apps under test; tests without an app run once, without a database."""
    if "app_config" in request.fixturenames:
        request.getfixturevalue("app_config").update(CHEAP_ARGON2)


@pytest.fixture
def app_config(database_url, tmp_path, tiktok_emulator):
    """The app under test talks to the emulator and retries fast."""
    return make_test_config(database_url, tmp_path / "instance", **tiktok_emulator.app_settings(
        TTC_JOB_RUNNER="off",
    ))


@pytest.fixture
def store(session, tiktok_emulator):
    """A store (Brazil, BRL) connected to the emulator's first advertiser account; Ana owns it and
    Bea is a member."""
    store = connect_store(make_store(), tiktok_emulator)
    add_to_store(store, make_user("ana@example.com"), "owner")
    add_to_store(store, make_user("bea@example.com"), "member")
    return store


@pytest.fixture
def shop(session, tiktok_emulator):
    """A US store whose four-product catalog is approved at the emulator, pixel bound, with ViewContent,
    AddToCart and order events logged; Ana owns it and Bea is a member."""
    from tests.ads.launch_helpers import catalog_store
    store = catalog_store(tiktok_emulator)
    add_to_store(store, make_user("ana@example.com"), "owner")
    add_to_store(store, make_user("bea@example.com"), "member")
    return store
