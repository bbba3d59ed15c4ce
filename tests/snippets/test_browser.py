"""The snippets in headless Chromium: a local shop page, the loader served over HTTP, TikTok stubbed."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

import snippets
from tests.snippets.jsharness import PIXEL_CODE, UUID, filled, store_config
from tests.snippets.test_vtex_js import SKU_JSON, TRANSACTION

pytestmark = pytest.mark.browser

# Stands in for https://analytics.tiktok.com/i18n/pixel/events.js: like the real one it takes over
# the ttq queue the loader built, and from then on records every call in window.__tiktok.
EVENTS_JS_STUB = """(function () {
  var q = window.ttq, rec = window.__tiktok = window.__tiktok || {loads: [], calls: []};
  function record(args) { rec.calls.push(JSON.parse(JSON.stringify(Array.prototype.slice.call(args)))); }
  rec.loads.push(document.currentScript.src);
  function take(o) {
    for (var i = 0; i < o.length; i++) record(o[i]);
    o.length = 0;
    q.methods.forEach(function (m) { o[m] = function () { record([m].concat([].slice.call(arguments))); }; });
  }
  take(q);
  for (var id in q._i || {}) take(q._i[id]);
  q.instance = function (id) { return q._i[id]; };
})();"""


class ShopHandler(BaseHTTPRequestHandler):
    """Serves the test pages and /pixel/<key>.js the way the connector's server will."""

    def do_GET(self):
        site = self.server.site
        path = unquote(urlsplit(self.path).path)
        if "/pixel/" in path and path.endswith(".js"):
            key = path.rsplit("/pixel/", 1)[1][:-3]
            self._send(200, "application/javascript; charset=utf-8", snippets.render_loader(site.configs[key]))
        elif path in site.pages:
            self._send(200, "text/html; charset=utf-8", site.pages[path])
        else:
            self._send(404, "text/plain", "not found")

    def do_POST(self):  # VTEX's cart API
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._send(200, "application/json", "{}")

    def _send(self, status, content_type, text):
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


class Shop:
    """A local shop: pages by path, store configs by key."""

    def __init__(self, server):
        self.base = f"http://127.0.0.1:{server.server_address[1]}"
        self.pages = {}
        self.configs = {}

    def add_page(self, path, head="", body="", *, key="shop-key-1", config=None, server_url=None):
        """Register a page whose <head> carries the head snippet; returns its URL."""
        self.configs[key] = config if config is not None else store_config()
        snippet = snippets.render_head(key, server_url or self.base)
        self.pages[path] = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Shop</title>"
                            f"{snippet}{head}</head><body><h1>Shop</h1>{body}</body></html>")
        return self.base + path


@pytest.fixture(scope="module")
def shop():
    server = ThreadingHTTPServer(("127.0.0.1", 0), ShopHandler)
    server.daemon_threads = True
    server.site = Shop(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.site
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def tiktok(page):
    """Routes TikTok's events.js to the recording stub; lists the URLs the page asked TikTok for."""
    requested = []

    def fulfil(route):
        requested.append(route.request.url)
        route.fulfill(status=200, content_type="application/javascript", body=EVENTS_JS_STUB)

    page.route("https://analytics.tiktok.com/**", fulfil)
    return requested


def calls_when(page, condition):
    """window.__tiktok.calls once ``condition`` (a JS expression over calls) holds."""
    page.wait_for_function(f"() => {{ var calls = (window.__tiktok || {{calls: []}}).calls; return {condition}; }}")
    return page.evaluate("window.__tiktok.calls")


def loader_ran(page):
    page.wait_for_function("() => window.ttc && window.ttc.l === 1")


def tracks(calls):
    return [call[1:] for call in calls if call[0] == "track"]


def test_events_reach_tiktok_with_their_params_and_unique_event_ids(page, shop, tiktok):
    view = filled(snippets.render_event("ViewContent", "generic"), PRODUCT_SKU="SKU-1", PRODUCT_NAME="Caneca",
                  PRODUCT_PRICE=24.5, CURRENCY_CODE="BRL", VALUE=24.5)
    page.goto(shop.add_page("/events.html", body=view))
    page.evaluate("ttc('track', 'AddToCart', {content_id: 'SKU-1', price: 24.5, quantity: 2})")

    calls = calls_when(page, "calls.filter(function (c) { return c[0] == 'track'; }).length >= 2")

    assert [call[0] for call in calls] == ["page", "track", "track"]
    (view_name, view_params, view_opts), (cart_name, cart_params, cart_opts) = tracks(calls)
    assert (view_name, cart_name) == ("ViewContent", "AddToCart")
    assert view_params["contents"] == [{"content_id": "SKU-1", "content_name": "Caneca", "price": 24.5, "quantity": 1}]
    assert cart_params["value"] == 49 and cart_params["currency"] == "BRL"
    assert UUID.fullmatch(view_opts["event_id"]) and UUID.fullmatch(cart_opts["event_id"])
    assert view_opts["event_id"] != cart_opts["event_id"]
    assert parse_qs(urlsplit(tiktok[0]).query) == {"sdkid": [PIXEL_CODE], "lib": ["ttq"]}
    assert page.console_errors == []


def test_head_snippet_and_loader_included_twice_fire_one_page_view(page, shop, tiktok):
    again = snippets.render_head("shop-key-1", shop.base)
    direct = f'<script src="{shop.base}/pixel/shop-key-1.js"></script>'
    page.goto(shop.add_page("/twice.html", head=again, body=direct + direct + again))
    page.evaluate("ttc('track', 'ViewContent', {content_id: 'A'})")

    calls = calls_when(page, "calls.some(function (c) { return c[0] == 'track'; })")

    assert [call[0] for call in calls] == ["page", "track"]
    assert len(tiktok) == 1
    assert page.console_errors == []


def test_a_disabled_store_sends_nothing_and_logs_no_errors(page, shop, tiktok):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    url = shop.add_page("/disabled.html", body=snippets.render_event("AddToCart", "generic"),
                        config={"enabled": False, "pixel_code": None, "events": [], "order_event": "PlaceAnOrder"})
    page.goto(url)
    loader_ran(page)
    page.evaluate("ttc('track', 'ViewContent', {content_id: 'A'}); ttc('consent', 'grant')")

    assert page.evaluate("typeof window.ttq") == "undefined"
    assert tiktok == [] and not [r for r in requests if "tiktok" in r]
    assert page.console_errors == []


def test_consent_hold_sends_nothing_until_the_page_grants(page, shop, tiktok):
    url = shop.add_page("/consent.html", config=store_config(consent_mode="hold"),
                        body="<script>ttc('track', 'ViewContent', {content_id: 'A'})</script>")
    page.goto(url)
    loader_ran(page)

    assert tiktok == [] and page.evaluate("typeof window.ttq") == "undefined"

    page.evaluate("ttc('consent', 'grant')")
    calls = calls_when(page, "calls.length >= 3")

    assert [call[0] for call in calls] == ["grantConsent", "page", "track"]
    page.evaluate("ttc('consent', 'revoke'); ttc('track', 'AddToCart', {content_id: 'B'})")
    assert [call[0] for call in page.evaluate("window.__tiktok.calls")] == [
        "grantConsent", "page", "track", "revokeConsent"]
    assert page.console_errors == []


def test_hostile_store_values_cannot_break_out_of_the_snippets(page, shop, tiktok):
    hostile = "</script><!--<script>'\"\\\u2028\u2029&>"
    server_url = shop.base + "/cdn/" + hostile.replace("\\", "")
    config = store_config(pixel_code=hostile, currency=hostile)
    url = shop.add_page("/hostile.html", config=config, server_url=server_url,
                        body="<script>window.later = 'ran'</script>")
    page.goto(url)
    page.evaluate("ttc('track', 'ViewContent', {content_id: 'A'})")

    calls = calls_when(page, "calls.some(function (c) { return c[0] == 'track'; })")

    assert page.evaluate("window.later") == "ran"
    assert parse_qs(urlsplit(tiktok[0]).query)["sdkid"] == [hostile]
    assert tracks(calls)[0][1]["currency"] == hostile
    assert page.console_errors == []


def test_vtex_product_page_fires_view_content_and_one_add_to_cart_per_action(page, shop, tiktok):
    vtexjs = """<script>window.vtexjs = {checkout: {addToCart: function (items) {
      var x = new XMLHttpRequest();
      x.open('POST', '/api/checkout/pub/orderForm/abc/items');
      x.setRequestHeader('Content-Type', 'application/json');
      x.send(JSON.stringify({orderItems: items}));
    }}};
    // The theme adds to the cart by script instead of following the buy button's link.
    document.addEventListener('click', function (e) {
      if (e.target.closest('.buy-button')) {
        e.preventDefault(); vtexjs.checkout.addToCart([{id: '32', quantity: 1, seller: '1'}]);
      }
    });</script>"""
    body = (f"<script>var skuJson_0 = {json.dumps(SKU_JSON)};</script>"
            + snippets.render_event("ViewContent", "vtex-legacy")
            + snippets.render_event("AddToCart", "vtex-legacy")
            + '<a class="buy-button buy-button-ref" href="/checkout/cart/add?sku=32&amp;qty=1&amp;seller=1">'
            + "<span>Comprar</span></a>" + vtexjs)
    page.goto(shop.add_page("/produto/p.html", body=body))
    page.click(".buy-button span")

    # The click, the theme's vtexjs call and its XHR all happen within this one click.
    calls = calls_when(page, "calls.filter(function (c) { return c[1] == 'AddToCart'; }).length >= 1")

    assert [name for name, _, _ in tracks(calls)] == ["ViewContent", "AddToCart"]
    assert tracks(calls)[1][1]["contents"] == [{"content_id": "32", "content_name": "Tênis Corrida 41",
                                                "price": 259.9, "quantity": 1}]
    assert page.console_errors == []


def test_vtex_order_placed_page_fires_once_across_pushes_and_reloads(page, shop, tiktok):
    body = (snippets.render_event("PlaceAnOrder", "vtex-legacy")
            + f"<script>dataLayer.push({json.dumps(TRANSACTION)}); dataLayer.push({json.dumps(TRANSACTION)});</script>")
    page.goto(shop.add_page("/orderPlaced.html", body=body, config=store_config(order_event="Purchase",
                                                                                events=["Purchase"])))
    calls = calls_when(page, "calls.some(function (c) { return c[0] == 'track'; })")
    page.reload()
    reloaded = calls_when(page, "calls.some(function (c) { return c[0] == 'page'; })")

    assert [(name, params["order_id"]) for name, params, _ in tracks(calls)] == [("Purchase", "1234567890123-01")]
    assert tracks(reloaded) == []
    assert page.console_errors == []
