"""Ecwid and VTEX IO storefronts in headless Chromium: stand-ins implementing the documented Ecwid
Storefront JS API (ECWID_API.md 7) and VTEX IO's pixel-manager postMessage events (VTEX_API.md 5),
our scripts served over HTTP, TikTok's events.js stubbed, the collector's beacons recorded."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

import pytest

import snippets
from snippets.vtex_io import render_listener
from tests.snippets.jsharness import PIXEL_CODE, UUID, store_config
from tests.snippets.test_browser import EVENTS_JS_STUB

pytestmark = pytest.mark.browser
KEY = "shop-key-1"

# Ecwid's storefront as its JS API documents it: callbacks registered with .add() (OnAPILoaded runs
# at once when the API is already loaded), Cart.get(callback), getInitializedWidgets(). The test
# drives it through window.__ecwid, the way the storefront would call back.
ECWID_STAND_IN = """(function () {
  function hook() { var fns = []; return {add: function (f) { fns.push(f); if (this.now) f(); }, fire: function (x) {
    for (var i = 0; i < fns.length; i++) fns[i](x); }, fns: fns}; }
  var cart = {cartId: "CART-1", items: [], productsQuantity: 0};
  var api = hook(); api.now = false;
  setTimeout(function () {
    window.Ecwid = {OnAPILoaded: api, OnPageLoaded: hook(), OnCartChanged: hook(), OnOrderPlaced: hook(),
      Cart: {get: function (cb) { cb(JSON.parse(JSON.stringify(cart))); }},
      getOwnerId: function () { return 1003; },
      getInitializedWidgets: function () { return ["Minicart", "ProductBrowser"]; }};
    api.now = true;
    api.fire();
    window.__ecwid = {
      page: function (p) { Ecwid.OnPageLoaded.fire(p); },
      cart: function (items) { cart.items = items; Ecwid.OnCartChanged.fire(JSON.parse(JSON.stringify(cart))); },
      order: function (o) { Ecwid.OnOrderPlaced.fire(o); },
      listeners: function () { return Ecwid.OnPageLoaded.fns.length + Ecwid.OnCartChanged.fns.length; }
    };
  }, 150);
})();"""

# Ecwid's API has loaded and our script has bound to it (it polls for the API every 100 ms).
ECWID_BOUND = "() => window.__ecwid && __ecwid.listeners() > 0 && window.ttc && window.ttc.l === 1"

# A product page's schema.org price, as Ecwid's product browser renders it.
ECWID_PRODUCT_MARKUP = '<div itemprop="offers"><span itemprop="price" content="24.5">R$ 24,50</span></div>'


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        site, path = self.server.site, unquote(urlsplit(self.path).path)
        if path == f"/pixel/{KEY}/ecwid.js":
            self._send(200, "application/javascript", snippets.render_ecwid(KEY, site.base))
        elif path == f"/pixel/{KEY}.js":
            self._send(200, "application/javascript", snippets.render_loader(site.config))
        elif path in site.pages:
            self._send(200, "text/html; charset=utf-8", site.pages[path])
        else:
            self._send(404, "text/plain", "not found")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if urlsplit(self.path).path == "/collector":
            self.server.site.beacons.append(json.loads(body))
        self._send(204, "text/plain", "")

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


class Site:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.pages, self.beacons = {}, []
        self.config = None

    def page(self, path, head, body="", **config):
        self.config = store_config(domains=["127.0.0.1"], collector=self.base + "/collector",
                                   events=list(snippets.EVENTS), **config)
        self.beacons.clear()
        self.pages[path] = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Shop</title>{head}</head>'
                            f"<body>{body}</body></html>")
        return self.base + path


@pytest.fixture(scope="module")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.site = Site(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.site
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def tiktok(page):
    page.route("https://analytics.tiktok.com/**", lambda route: route.fulfill(
        status=200, content_type="application/javascript", body=EVENTS_JS_STUB))


def tracks_when(page, count):
    page.wait_for_function("n => window.__tiktok && window.__tiktok.calls.filter(c => c[0] == 'track').length >= n",
                           arg=count)
    return [call[1:] for call in page.evaluate("window.__tiktok.calls") if call[0] == "track"]


def all_tracks(page):
    return [call[1:] for call in page.evaluate("(window.__tiktok || {calls: []}).calls") if call[0] == "track"]


def ecwid_page(site, **config):
    tag = snippets.render_ecwid_tag(KEY, site.base)
    return site.page("/ecwid.html", tag + tag + f"<script>{ECWID_STAND_IN}</script>", ECWID_PRODUCT_MARKUP, **config)


def test_ecwid_product_cart_checkout_search_and_order_reach_tiktok_and_the_collector(page, site, tiktok):
    page.goto(ecwid_page(site))
    page.wait_for_function(ECWID_BOUND)
    # Included twice (app and custom code): one set of listeners.
    assert page.evaluate("__ecwid.listeners()") == 2

    page.evaluate("""() => {
      __ecwid.cart([{quantity: 1, product: {id: 11, name: 'Caneca', price: 24.5}, options: {}}]);  // initialisation
      __ecwid.page({type: 'PRODUCT', productId: 11, variationId: 501, name: 'Caneca'});
      __ecwid.page({type: 'PRODUCT', productId: 11, variationId: 501, name: 'Caneca'});  // same view again
      __ecwid.cart([{quantity: 3, product: {id: 11, name: 'Caneca', price: 24.5}, options: {}}]);
      __ecwid.cart([{quantity: 2, product: {id: 11, name: 'Caneca', price: 24.5}, options: {}}]);  // a removal
      __ecwid.page({type: 'SEARCH', keywords: 'caneca azul'});
      __ecwid.page({type: 'CHECKOUT_ADDRESS'});
      __ecwid.page({type: 'CHECKOUT_PAYMENT_DETAILS'});
      __ecwid.order({vendorNumber: 'XJ12H', total: 49,
                     items: [{quantity: 2, product: {id: 11, name: 'Caneca', price: 24.5}}],
                     customer: {email: 'ana@example.com'}, billingPerson: {firstName: 'Ana', postalCode: '01310-100'}});
    }""")
    tracks = tracks_when(page, 6)

    names = [name for name, _, _ in tracks]
    assert names == ["ViewContent", "AddToCart", "Search", "InitiateCheckout", "AddPaymentInfo", "PlaceAnOrder"]
    view, cart, search, checkout, payment, order = (params for _, params, _ in tracks)
    # The chosen variation is the catalog's sku_id; the price comes from the page's microdata.
    assert view == {"content_type": "product", "currency": "BRL", "value": 24.5,
                    "contents": [{"content_id": "501", "content_name": "Caneca", "price": 24.5, "quantity": 1}]}
    assert cart["contents"] == [{"content_id": "11", "content_name": "Caneca", "price": 24.5, "quantity": 2}]
    assert cart["value"] == 49
    assert search == {"search_string": "caneca azul", "currency": "BRL"}
    assert checkout["contents"][0]["content_id"] == "11" and payment["contents"] == checkout["contents"]
    assert order["order_id"] == "XJ12H" and order["value"] == 49
    assert tracks[-1][2]["event_id"] == "order:XJ12H"
    assert all(UUID.fullmatch(options["event_id"]) for _, _, options in tracks[:-1])

    page.wait_for_function("() => true")
    beacons = _beacons(page, site, 6)
    # Beacons travel in parallel: their order of arrival is not the page's.
    assert sorted((b["event"], b["event_id"]) for b in beacons) == sorted(
        (name, o["event_id"]) for name, _, o in tracks)
    assert page.console_errors == []


def test_ecwid_reload_fires_no_cart_add_and_no_second_order(page, site, tiktok):
    page.goto(ecwid_page(site))
    page.wait_for_function(ECWID_BOUND)
    order = "{vendorNumber: 'A1', total: 10, items: []}"
    cart = "[{quantity: 1, product: {id: 7, price: 10}}]"
    page.evaluate(f"() => {{ __ecwid.cart({cart}); __ecwid.order({order}); }}")
    tracks_when(page, 1)

    page.reload()
    page.wait_for_function(ECWID_BOUND)
    page.evaluate(f"() => {{ __ecwid.cart([{{quantity: 1, product: {{id: 7, price: 10}}}}]); __ecwid.order({order});"
                  "  __ecwid.page({type: 'CATEGORY', categoryId: 0}); }")
    page.evaluate("() => new Promise(r => setTimeout(r, 50))")

    assert all_tracks(page) == []  # the cart as it was, and an order already counted


def test_ecwid_in_hold_mode_sends_nothing_before_consent(page, site, tiktok):
    page.goto(ecwid_page(site, consent_mode="hold"))
    page.wait_for_function(ECWID_BOUND)
    page.evaluate("() => __ecwid.page({type: 'PRODUCT', productId: 11, name: 'Caneca'})")

    assert page.evaluate("window.__tiktok") is None and site.beacons == []
    page.evaluate("ttc('consent', 'grant')")
    [(name, params, _)] = tracks_when(page, 1)
    # Without a chosen variation the product id is the catalog's item_group_id.
    assert name == "ViewContent" and params["content_type"] == "product_group"


def test_ecwid_script_stays_quiet_on_a_host_that_is_not_the_stores(page, site, tiktok):
    url = ecwid_page(site).replace("127.0.0.1", "localhost")
    page.goto(url)
    page.wait_for_function("() => window.__ecwid && __ecwid.listeners() > 0")
    page.evaluate("() => __ecwid.page({type: 'PRODUCT', productId: 11})")

    assert page.evaluate("window.__tiktok") is None and page.evaluate("window.ttq") is None
    assert site.beacons == []


def pixel_manager_push(page, data):
    # What vtex.pixel-manager does (PixelContext.tsx): eventName "vtex:" + event, then postMessage.
    page.evaluate("d => window.postMessage(Object.assign({eventName: 'vtex:' + d.event, currency: 'BRL'}, d),"
                  " window.origin)", data)


VTEX_PRODUCT = {"event": "productView", "product": {
    "productId": "20", "productName": "Camiseta", "brand": "Marca", "items": [],
    "selectedSku": {"itemId": "2001", "name": "Camiseta P", "sellers": [
        {"sellerId": "1", "sellerDefault": True, "commertialOffer": {"Price": 59.9, "ListPrice": 79.9}}]}}}
VTEX_CART = {"event": "addToCart", "items": [
    {"skuId": "2001", "productId": "20", "name": "Camiseta", "quantity": 2, "price": 7990, "sellingPrice": 5990,
     "priceIsInt": True}]}
VTEX_ORDER = {"event": "orderPlaced", "orderGroup": "1234567890", "transactionId": "1234567890-01",
              "transactionTotal": 129.8, "transactionCurrency": "BRL",
              "transactionProducts": [{"id": "20", "sku": "2001", "name": "Camiseta", "price": 64.9,
                                       "sellingPrice": 59.9, "quantity": 2}],
              "visitorContactInfo": ["ana@example.com", "Ana", "Souza"]}


def vtex_io_page(site, extra_head="", **config):
    return site.page("/io.html", f"<script>{render_listener(KEY, site.base)}</script>{extra_head}", **config)


def test_vtex_io_events_map_to_tiktok_with_sku_ids_and_the_right_units(page, site, tiktok):
    page.goto(vtex_io_page(site))
    page.wait_for_function("() => window.ttc && window.ttc.l === 1")
    click = {"event": "productClick",
             "product": {"productId": "20", "productName": "Camiseta", "sku": {"itemId": "2001"}}}
    for data in (VTEX_PRODUCT, VTEX_PRODUCT, click,
                 VTEX_CART, {"event": "search", "term": "camiseta"}, {"event": "beginCheckout"},
                 {"event": "addPaymentInfo"}, {"event": "signUp"},
                 {"event": "addToWishlist", "items": [VTEX_CART["items"][0]]},
                 VTEX_ORDER, VTEX_ORDER, {"event": "message-from-someone-else"}):
        pixel_manager_push(page, data)
    page.evaluate("() => window.postMessage({eventName: 'other:thing'}, '*')")
    tracks = tracks_when(page, 9)
    page.evaluate("() => new Promise(r => setTimeout(r, 50))")
    tracks = all_tracks(page)

    assert [name for name, _, _ in tracks] == ["ViewContent", "ClickButton", "AddToCart", "Search",
                                               "InitiateCheckout", "AddPaymentInfo", "CompleteRegistration",
                                               "AddToWishlist", "PlaceAnOrder"]
    by_name = {name: params for name, params, _ in tracks}
    assert by_name["ViewContent"]["contents"] == [{"content_id": "2001", "content_name": "Camiseta", "price": 59.9,
                                                   "quantity": 1}]
    # addToCart prices are cents (priceIsInt), sellingPrice first; orders are in currency units.
    assert by_name["AddToCart"]["contents"][0]["price"] == 59.9 and by_name["AddToCart"]["value"] == 119.8
    assert by_name["PlaceAnOrder"]["order_id"] == "1234567890" and by_name["PlaceAnOrder"]["value"] == 129.8
    assert by_name["PlaceAnOrder"]["contents"][0] == {"content_id": "2001", "content_name": "Camiseta", "price": 59.9,
                                                      "quantity": 2}
    assert tracks[-1][2] == {"event_id": "order:1234567890", "pixel_code": PIXEL_CODE}
    assert by_name["Search"]["search_string"] == "camiseta"
    beacons = _beacons(page, site, 9)
    assert sorted(b["event_id"] for b in beacons) == sorted(o["event_id"] for _, _, o in tracks)
    assert page.console_errors == []


def test_vtex_io_stays_quiet_beside_vtexs_own_tiktok_app(page, site, tiktok):
    runtime = ('<script>window.__RUNTIME__ = {extensions: {"store.home/$before_header/pixel": '
               '{component: "vtex.tiktok-tbp@1.2.0/index"}}};</script>')
    page.goto(site.page("/io-tbp.html", runtime + f"<script>{render_listener(KEY, site.base)}</script>"))
    pixel_manager_push(page, VTEX_PRODUCT)
    page.evaluate("() => new Promise(r => setTimeout(r, 100))")

    assert page.evaluate("window.ttc.l") is None  # our loader was never requested
    assert page.evaluate("window.__tiktok") is None


def _beacons(page, site, count):
    page.wait_for_function("() => true")
    for _ in range(100):
        if len(site.beacons) >= count:
            break
        page.wait_for_timeout(20)
    return list(site.beacons)


def test_ecwid_order_identifies_the_shopper_with_hashed_name_and_address(page, site, tiktok):
    import hashlib

    page.goto(ecwid_page(site, advanced_matching=True))
    page.wait_for_function(ECWID_BOUND)
    page.evaluate("""() => __ecwid.order({vendorNumber: 'AM1', total: 5, items: [],
                                          customer: {email: 'ana@example.com'},
                                          billingPerson: {firstName: 'Ana', lastName: 'Souza',
                                                          postalCode: '01310-100', city: 'São Paulo',
                                                          stateOrProvinceCode: 'SP', countryCode: 'BR'}})""")
    tracks_when(page, 1)

    [identify] = [call[1] for call in page.evaluate("window.__tiktok.calls") if call[0] == "identify"]
    hashed = {name: hashlib.sha256(clear.encode()).hexdigest() for name, clear in (
        ("first_name", "ana"), ("last_name", "souza"), ("zip_code", "01310100"), ("city", "sãopaulo"),
        ("state", "sp"), ("country", "br"))}
    assert identify == {"email": "ana@example.com", **hashed}
    [beacon] = _beacons(page, site, 1)
    assert beacon["user"] == identify and beacon["event_id"] == "order:AM1"


@pytest.mark.parametrize("host, fires", [("127.0.0.1", True), ("localhost", False)])
def test_the_head_snippet_fires_only_on_the_stores_domains(page, site, tiktok, host, fires):
    url = site.page("/plain.html", snippets.render_head(KEY, site.base)).replace("127.0.0.1", host, 1)
    page.goto(url)
    page.wait_for_function("() => window.ttc && window.ttc.l === 1")
    page.evaluate("ttc('track', 'ViewContent', {content_id: 'A'})")

    if fires:
        assert [name for name, _, _ in tracks_when(page, 1)] == ["ViewContent"]
    else:
        page.evaluate("() => new Promise(r => setTimeout(r, 100))")
        assert page.evaluate("window.ttq") is None and site.beacons == []
