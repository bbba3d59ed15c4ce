"""Setting the catalog source from the admin in a real browser, once per kind (feed URL, VTEX,
Ecwid against their emulators): test the connection before saving, save, pull, see what it did;
and "Connect with Ecwid" through the emulator's authorize page, declined once, then accepted.
Screenshots in build/test-artifacts/. SQLite only: here the page is under test."""
import pytest
from playwright.sync_api import expect

from server.catalog.sources import service
from tests.accounts import PASSWORD, add_to_store, make_user
from tests.browser import artifacts_dir
from tests.catalog.helpers import item
from tests.catalog.sources_helpers import FAST
from tests.catalog.test_source_feed import FeedServer, feed_xml
from tests.factories import make_store

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


@pytest.fixture
def app_config(app_config, vtex_emulator, ecwid_emulator):
    """The platforms' API hosts are the emulators; the feed server's loopback host is allowed."""
    return {**app_config, **FAST, "TTC_VTEX_API_BASE": vtex_emulator.url, "TTC_ECWID_API_BASE": ecwid_emulator.url,
            "TTC_ECWID_OAUTH_BASE": ecwid_emulator.url, "TTC_ECWID_CLIENT_ID": ecwid_emulator.client_id,
            "TTC_CATALOG_SOURCE_ALLOW_PRIVATE_HOSTS": "127.0.0.1"}


def _shot(page, name):
    page.screenshot(path=str(artifacts_dir() / f"catalog-source-{name}.png"), full_page=True)


def _open_catalog(live_server, page):
    with live_server.app.app_context():
        store = make_store()
        add_to_store(store, make_user(), "owner")
        key = store.public_key
    page.goto(live_server("/signin"))
    page.get_by_label("Email").fill("ana@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/stores")
    page.goto(live_server(f"/stores/{key}/catalog"))
    return key


def _pull(live_server, key):
    with live_server.app.app_context():
        from server.extensions import db
        from server.stores.service import get_store

        service.pull(db.session, get_store(db.session, key), trigger="admin")


def test_a_feed_url_from_the_admin(live_server, page):
    feed = FeedServer()
    try:
        feed.body = feed_xml([item("F1"), item("F2"), item("F3")])
        key = _open_catalog(live_server, page)
        card = page.locator("#catalog-source")
        card.get_by_label("Feed URL", exact=True).check()
        expect(card.get_by_label("Account name")).to_be_hidden()
        card.get_by_label("Google Merchant feed").fill(feed.url)
        card.get_by_role("button", name="Test connection").click()
        expect(page.locator("#source-test-result")).to_contain_text("Connected: " + feed.url)
        _shot(page, "feed-tested")
        card.get_by_role("button", name="Save the source").click()
        expect(page.locator(".flashes")).to_contain_text("Catalog source saved: Feed URL")
        _pull(live_server, key)
        page.reload()
        expect(page.locator("#source-state")).to_contain_text("Working")
        expect(page.locator("#source-summary")).to_contain_text(
            "3 read: 0 ready for TikTok, 3 invalid (no description: 3)")
        _shot(page, "feed-pulled")
        assert page.console_errors == []
    finally:
        feed.stop()


def test_a_vtex_account_from_the_admin(live_server, page, vtex_emulator):
    key = _open_catalog(live_server, page)
    card = page.locator("#catalog-source")
    card.get_by_label("VTEX account").check()
    card.get_by_label("Account name").fill(vtex_emulator.account)
    card.get_by_label("App key").fill(vtex_emulator.app_key)
    card.get_by_label("App token").fill("wrong-token")
    card.get_by_role("button", name="Test connection").click()
    expect(page.locator("#source-test-result")).to_contain_text("HTTP 401")
    card.get_by_label("App token").fill(vtex_emulator.app_token)
    card.get_by_role("button", name="Test connection").click()
    expect(page.locator("#source-test-result")).to_contain_text("Connected: lojaemulada, BR, BRL, 20 products.")
    _shot(page, "vtex-tested")
    card.get_by_role("button", name="Save the source").click()
    expect(page.locator("#source-notify-url")).to_contain_text(f"/hooks/{key}/vtex/")
    assert vtex_emulator.app_token not in page.content()
    vtex_emulator.faults(revoked=True)
    with pytest.raises(service.SourceAuthError):
        _pull(live_server, key)
    page.reload()
    expect(page.locator("#source-reason")).to_contain_text("VTEX answered HTTP 401")
    _shot(page, "vtex-broken")
    page.goto(live_server(f"/stores/{key}"))  # the store's overview says so too
    expect(page.locator("#panel-source-broken")).to_contain_text("VTEX account) is broken: VTEX answered HTTP 401")
    page.goto(live_server(f"/stores/{key}/catalog"))
    vtex_emulator.faults()
    _pull(live_server, key)
    page.reload()
    expect(page.locator("#source-summary")).to_contain_text("40 read: 40 ready for TikTok")
    _shot(page, "vtex-pulled")


def test_an_ecwid_store_from_the_admin(live_server, page, ecwid_emulator):
    key = _open_catalog(live_server, page)
    card = page.locator("#catalog-source")
    card.get_by_label("Ecwid store").check()
    card.get_by_label("Store id").fill(str(ecwid_emulator.store_id))
    card.get_by_label("Access token").fill(ecwid_emulator.token)
    card.get_by_role("button", name="Test connection").click()
    expect(page.locator("#source-test-result")).to_contain_text("Connected: Loja Emulada, BR, BRL, 12 products.")
    _shot(page, "ecwid-tested")
    card.get_by_label("Daily pull times").fill("06:00,18:30")
    card.get_by_role("button", name="Save the source").click()
    expect(page.locator("#catalog-source")).to_contain_text("06:00, 18:30 UTC")
    _pull(live_server, key)
    page.reload()
    expect(page.locator("#source-summary")).to_contain_text("16 read: 16 ready for TikTok")
    _shot(page, "ecwid-pulled")
    assert page.console_errors == []


def test_connect_with_ecwid_through_its_authorize_page(live_server, page, ecwid_emulator):
    ecwid_emulator.reset(redirect_uri=live_server("/connect/ecwid/callback"))
    key = _open_catalog(live_server, page)
    card = page.locator("#catalog-source")
    _shot(page, "ecwid-oauth-offered")
    card.get_by_role("button", name="Connect with Ecwid").click()
    page.wait_for_url(ecwid_emulator.url + "/api/oauth/authorize?**")
    assert page.console_errors == []
    expect(page.get_by_text("read_store_profile read_catalog read_orders")).to_be_visible()
    page.get_by_role("button", name="Cancel").click()  # the merchant declines first
    page.wait_for_url(f"**/stores/{key}/catalog**")
    expect(page.locator(".flashes")).to_contain_text("Ecwid did not authorize the app (the merchant declined)")
    expect(page.locator("#source-state")).to_have_count(0)
    _shot(page, "ecwid-oauth-declined")

    card.get_by_role("button", name="Connect with Ecwid").click()
    page.wait_for_url(ecwid_emulator.url + "/api/oauth/authorize?**")
    _shot(page, "ecwid-oauth-authorize")
    page.console_errors.clear()  # the emulator's page is not ours to judge
    page.get_by_role("button", name="Accept").click()
    page.wait_for_url(f"**/stores/{key}/catalog**")
    expect(page.locator(".flashes")).to_contain_text("Connected with Ecwid: Loja Emulada, BR, BRL, 12 products.")
    expect(page.locator("#source-state")).to_contain_text("connected with the Ecwid app")
    (token,) = ecwid_emulator.oauth_tokens()
    assert token not in page.content() and token not in page.url
    _pull(live_server, key)
    page.reload()
    expect(page.locator("#source-summary")).to_contain_text("16 read: 16 ready for TikTok")
    _shot(page, "ecwid-oauth-connected")
    assert page.console_errors == []
