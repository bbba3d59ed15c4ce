"""Server events end to end in headless Chromium: a shop page on its own origin with the head snippet,
the real app serving the loader and the collector, TikTok's pixel stubbed, TikTok's API emulated.

Runs on SQLite only: the database layer is covered twice elsewhere; here the browser is under test.
"""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import snippets
from server.extensions import db
from server.stores import service
from tests.accounts import PASSWORD, add_to_store, bearer, cheap_hashing, make_api_key, make_user  # noqa: F401
from tests.events.helpers import connect_for_events, relay, rows
from tests.factories import make_store
from tests.snippets.test_browser import EVENTS_JS_STUB
from tests.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


class ShopPage(BaseHTTPRequestHandler):
    """Serves the shop's page (whatever ``server.page`` holds) for any path."""

    def do_GET(self):
        body = self.server.page.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def shop():
    """A shop on its own origin (another port), cross-origin to the connector."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), ShopPage)
    server.daemon_threads = True
    server.page = ""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.origin = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def app_config(app_config):
    app_config["TTC_EVENTS_ALLOW_HEADLESS"] = True  # the shopper here is HeadlessChrome
    return app_config


@pytest.fixture
def shop_store(live_server, shop, session, tiktok_emulator):
    """A store whose domain is the shop's origin, connected, with server events on; its page is served."""
    store = connect_for_events(make_store(domains=[shop.origin.split("//")[1]]), tiktok_emulator)
    shop.page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Loja</title>"
                 f"{snippets.render_head(store.public_key, live_server.url)}</head><body><h1>Loja</h1></body></html>")
    return store


@pytest.fixture
def beacons(page):
    """Route TikTok's events.js to a stub that records every ttq call in window.__tiktok; returns the
    requests the page sends the collector."""
    page.route("https://analytics.tiktok.com/**", lambda route: route.fulfill(
        status=200, content_type="application/javascript", body=EVENTS_JS_STUB))
    beacons = []  # what the page sent the collector
    page.on("request", lambda request: request.url.endswith("/events") and beacons.append(request))
    return beacons


def pixel_tracks(page, count):
    page.wait_for_function(f"() => window.__tiktok && window.__tiktok.calls.filter("
                           f"function (c) {{ return c[0] == 'track'; }}).length >= {count}")
    return [call[1:] for call in page.evaluate("window.__tiktok.calls") if call[0] == "track"]


def test_the_pixel_and_tiktoks_events_api_get_the_same_event_id(live_server, shop, shop_store, page, beacons,
                                                               tiktok_emulator):
    page.goto(shop.origin + "/produto/caneca?ttclid=E.C.P.landing")
    page.evaluate("ttc('track', 'AddToCart', {content_id: 'SKU-1', content_name: 'Caneca', price: 24.5, quantity: 2})")

    [(name, params, options)] = pixel_tracks(page, 1)
    wait_until(lambda: len(rows(shop_store)) == 1)
    relay(live_server.app)

    [sent] = tiktok_emulator.events(shop_store.pixel_code)
    assert (sent["event"], sent["event_id"]) == (name, options["event_id"]) == ("AddToCart", options["event_id"])
    assert sent["properties"]["contents"] == params["contents"]
    assert {"ttclid", "ip", "user_agent"} <= set(sent["user_keys"])
    assert sent["page"]["url"] == shop.origin + "/produto/caneca?ttclid=E.C.P.landing"
    assert page.console_errors == []


def test_an_order_from_the_page_and_from_the_backend_is_sent_once(live_server, shop, shop_store, page, beacons,
                                                                 tiktok_emulator):
    _, api_key = make_api_key(shop_store)
    page.goto(shop.origin + "/checkout/orderPlaced")
    page.evaluate("ttc('track', 'PlaceAnOrder', {order_id: '1001', value: 149.7, contents: "
                  "[{content_id: 'SKU-1', price: 49.9, quantity: 3}]})")
    [(_, _, options)] = pixel_tracks(page, 1)
    wait_until(lambda: len(rows(shop_store)) == 1)

    answer = live_server.app.test_client().post(
        f"/api/v1/stores/{shop_store.public_key}/orders", headers=bearer(api_key),
        json={"order_id": "1001", "value": 149.7, "email": "ana@example.com"}).get_json()
    relay(live_server.app)

    assert options["event_id"] == answer["event_id"] == "order:1001" and answer["seen"] == "both"
    assert [e["event_id"] for e in tiktok_emulator.events(shop_store.pixel_code)] == ["order:1001"]


def test_with_consent_held_nothing_reaches_either_until_granted_and_revoking_stops_both(
        live_server, shop, shop_store, page, beacons, tiktok_emulator):
    service.update_store(db.session, shop_store, consent_mode="hold")
    page.goto(shop.origin + "/produto/caneca?ttclid=E.C.P.landing")
    page.wait_for_function("() => window.ttc && window.ttc.l === 1")
    page.evaluate("ttc('track', 'ViewContent', {content_id: 'SKU-1'})")

    assert page.evaluate("typeof window.ttq") == "undefined" and beacons == []
    assert "ttc_ttclid" not in page.evaluate("document.cookie")

    page.evaluate("ttc('consent', 'grant')")
    [(_, _, options)] = pixel_tracks(page, 1)
    wait_until(lambda: len(rows(shop_store)) == 1)
    page.evaluate("ttc('consent', 'revoke'); ttc('track', 'AddToCart', {content_id: 'SKU-2'})")
    relay(live_server.app)

    assert [e["event_id"] for e in tiktok_emulator.events(shop_store.pixel_code)] == [options["event_id"]]
    assert [call[0] for call in page.evaluate("window.__tiktok.calls")] == [
        "grantConsent", "page", "track", "revokeConsent"]
    assert len(beacons) == 1 and len(rows(shop_store)) == 1
    assert "ttc_ttclid=E.C.P.landing" in page.evaluate("document.cookie")
    assert page.console_errors == []


def test_the_events_page_shows_new_events_and_tiktoks_answers_as_they_come(live_server, shop, shop_store, page):
    add_to_store(shop_store, make_user("ana@example.com"), "owner")
    page.goto(live_server("/signin"))
    page.get_by_label("Email").fill("ana@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/stores")
    page.goto(live_server(f"/stores/{shop_store.public_key}/events"))
    assert page.locator("#event-log tbody tr.empty").count() == 1

    live_server.app.test_client().post(  # a shopper's beacon
        f"/pixel/{shop_store.public_key}/events",
        data=f'{{"event": "ViewContent", "event_id": "live-1", "url": "{shop.origin}/p"}}',
        headers={"Origin": shop.origin, "User-Agent": "Mozilla/5.0 Chrome/124"})
    page.wait_for_selector('#event-log tr[data-status="received"]', timeout=20_000)
    relay(live_server.app)
    page.wait_for_selector('#event-log tr[data-status="sent"]', timeout=20_000)

    row = page.locator('#event-log tr[data-status="sent"]')
    assert "live-1" in row.inner_text() and "code 0" in row.inner_text()
    assert page.console_errors == []
