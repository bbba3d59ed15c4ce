"""The head snippet and the loader, run in Node: what a page hands to TikTok's ttq."""
import hashlib
import json
from urllib.parse import parse_qs, urlsplit

import pytest

import snippets
from tests.snippets.jsharness import (
    DELIVER,
    KEY,
    LOADER_URL,
    PIXEL_CODE,
    SERVER,
    UUID,
    consents,
    filled,
    head_step,
    methods,
    run_page,
    run_pages,
    store_config,
    tiktok_scripts,
    track,
    tracks,
)

HOSTILE = "</script><!--<script>'\"\\\u2028\u2029&>"


def test_events_reach_ttq_with_their_names_params_and_fresh_event_ids():
    page = run_page([
        head_step(),
        DELIVER,
        track("ViewContent", {"content_id": "SKU-1", "content_name": "Shirt", "price": 19.9, "quantity": 1}),
        track("AddToCart", {"content_id": "SKU-1", "content_name": "Shirt", "price": 19.9, "quantity": 2}),
    ])

    assert methods(page) == ["page", "track", "track"]
    (view, view_params, view_opts), (cart, cart_params, cart_opts) = tracks(page)
    assert (view, cart) == ("ViewContent", "AddToCart")
    assert view_params == {"contents": [{"content_id": "SKU-1", "content_name": "Shirt", "price": 19.9, "quantity": 1}],
                           "content_type": "product", "value": 19.9, "currency": "BRL"}
    assert cart_params["value"] == 39.8
    assert UUID.fullmatch(view_opts["event_id"]) and UUID.fullmatch(cart_opts["event_id"])
    assert view_opts["event_id"] != cart_opts["event_id"]
    # Each event names the store's pixel, so another pixel on the page does not count it too.
    assert view_opts["pixel_code"] == cart_opts["pixel_code"] == PIXEL_CODE


def test_the_loader_loads_the_stores_pixel_from_tiktok():
    page = run_page([head_step(), DELIVER])

    assert page["scripts"][0] == LOADER_URL
    [events_js] = tiktok_scripts(page)
    url = urlsplit(events_js)
    assert url.netloc + url.path == "analytics.tiktok.com/i18n/pixel/events.js"
    assert parse_qs(url.query) == {"sdkid": [PIXEL_CODE], "lib": ["ttq"]}
    assert page["ttq_pixels"] == [PIXEL_CODE]


def test_a_cached_page_gets_new_event_ids_on_every_visit():
    steps = [head_step(), DELIVER, track("ViewContent", {"content_id": "SKU-1"})]

    first, second = run_pages(steps + [{"reload": True}] + steps)

    assert tracks(first)[0][2]["event_id"] != tracks(second)[0][2]["event_id"]


@pytest.mark.parametrize("crypto", ["random-values", "none"])
def test_event_ids_are_uuids_without_crypto_random_uuid(crypto):
    page = run_page([head_step(), DELIVER] + [track("AddToCart", {"content_id": str(n)}) for n in range(20)],
                    crypto=crypto)

    ids = [options["event_id"] for _, _, options in tracks(page)]
    assert len(set(ids)) == 20
    assert all(UUID.fullmatch(event_id) for event_id in ids)


def test_calls_queued_before_the_loader_arrives_are_flushed_in_order():
    page = run_page([
        head_step(),
        track("ViewContent", {"content_id": "A"}),
        track("AddToCart", {"content_id": "B"}),
        track("PlaceAnOrder", {"order_id": "O-1", "value": 5}),
        DELIVER,
        track("AddToCart", {"content_id": "C"}),
    ])

    assert methods(page) == ["page", "track", "track", "track", "track"]
    assert [(name, params.get("order_id") or params["contents"][0]["content_id"])
            for name, params, _ in tracks(page)] == [
        ("ViewContent", "A"), ("AddToCart", "B"), ("PlaceAnOrder", "O-1"), ("AddToCart", "C")]
    assert page["ttc_queue"] == 0


def test_an_event_snippet_pasted_before_the_head_snippet_is_not_lost():
    page = run_page([
        {"html": filled(snippets.render_event("AddToCart", "generic"), PRODUCT_SKU="EARLY", PRODUCT_NAME="Mug",
                        PRODUCT_PRICE=2, QUANTITY=1, CURRENCY_CODE="BRL", VALUE=2)},
        head_step(),
        DELIVER,
    ])

    assert [params["contents"][0]["content_id"] for _, params, _ in tracks(page)] == ["EARLY"]


def test_head_and_loader_included_twice_fire_one_page_view():
    loader = snippets.render_loader(store_config())
    page = run_page([head_step(), head_step(), DELIVER, {"js": loader}, head_step(), DELIVER,
                     track("ViewContent", {"content_id": "A"})])

    assert page["scripts"].count(LOADER_URL) == 1
    assert len(tiktok_scripts(page)) == 1
    assert methods(page) == ["page", "track"]


def test_a_disabled_store_sends_nothing_and_throws_nothing():
    page = run_page([
        head_step(),
        track("ViewContent", {"content_id": "A"}),
        DELIVER,
        track("AddToCart", {"content_id": "B"}),
        {"eval": "ttc('consent', 'grant'); ttc('identify', {email: 'a@b.c'}); typeof ttc"},
    ], {"enabled": False, "pixel_code": None, "events": [], "order_event": "PlaceAnOrder"})

    assert page["ttq"] == [] and tiktok_scripts(page) == []
    assert page["ttc_queue"] == 0
    assert page["results"][-1] == "function"


def test_a_loader_that_never_arrives_leaves_a_quiet_page():
    page = run_page([
        head_step(),
        track("ViewContent", {"content_id": "A"}),
        DELIVER,  # nothing serves the loader URL here: the request fails
        track("AddToCart", {"content_id": "B"}),
    ], scripts={LOADER_URL: None})

    assert page["ttq"] == [] and page["ttc_queue"] == 0


def test_the_queue_stops_growing_while_the_loader_is_late():
    page = run_page([head_step(), {"eval": "for (var i = 0; i < 5000; i++) ttc('track', 'ViewContent', {});"}])

    assert 0 < page["ttc_queue"] <= 100


@pytest.mark.parametrize("order_event", snippets.ORDER_EVENT_NAMES)
def test_the_order_event_fires_under_the_stores_order_event_name(order_event):
    config = store_config(order_event=order_event, events=["ViewContent", order_event])
    page = run_page([head_step(), DELIVER, track("PlaceAnOrder", {"order_id": "1"}),
                     track("Purchase", {"order_id": "2"})], config)

    assert [(name, params["order_id"]) for name, params, _ in tracks(page)] == [(order_event, "1"), (order_event, "2")]


def test_only_the_stores_enabled_events_fire():
    page = run_page([head_step(), DELIVER, track("ViewContent", {"content_id": "A"}),
                     track("AddToCart", {"content_id": "B"}), track("PlaceAnOrder", {"order_id": "1"})],
                    store_config(events=["AddToCart"]))

    assert [name for name, _, _ in tracks(page)] == ["AddToCart"]


@pytest.mark.parametrize("given, expected", [
    ({"content_id": 123, "content_name": "Mug", "price": "9.95", "quantity": "3"},
     {"contents": [{"content_id": "123", "content_name": "Mug", "price": 9.95, "quantity": 3}],
      "content_type": "product", "value": 29.85, "currency": "BRL"}),
    ({"content_id": "S", "price": 10, "quantity": 2, "value": 15, "currency": "USD", "content_type": "product_group"},
     {"contents": [{"content_id": "S", "price": 10, "quantity": 2}],
      "content_type": "product_group", "value": 15, "currency": "USD"}),
    ({"content_id": "S", "price": "PRODUCT_PRICE", "quantity": 1, "value": "VALUE"},
     {"contents": [{"content_id": "S", "quantity": 1}], "content_type": "product", "currency": "BRL"}),
    ({"contents": [{"content_id": "A", "price": 1.1, "quantity": 3}, {"content_id": "B", "price": 2}]},
     {"contents": [{"content_id": "A", "price": 1.1, "quantity": 3}, {"content_id": "B", "price": 2, "quantity": 1}],
      "content_type": "product", "value": 5.3, "currency": "BRL"}),
])
def test_simple_params_are_normalised_to_tiktoks_shape(given, expected):
    page = run_page([head_step(), DELIVER, track("AddToCart", given)])

    assert tracks(page)[0][1] == expected


def test_consent_hold_sends_nothing_until_the_page_grants_then_flushes():
    config = store_config(consent_mode="hold", advanced_matching=True)
    before = [head_step(), track("ViewContent", {"content_id": "A"}), DELIVER,
              track("AddToCart", {"content_id": "B"}), {"eval": "ttc('identify', {email: 'x@y.z'})"}]

    held = run_page(before, config)
    granted = run_page(before + [{"eval": "ttc('consent', 'grant')"}, track("AddToCart", {"content_id": "C"})],
                       config)

    assert held["ttq"] == [] and tiktok_scripts(held) == []
    assert len(tiktok_scripts(granted)) == 1
    assert consents(granted) == ["grantConsent"]
    assert methods(granted) == ["page", "track", "track", "identify", "track"]
    assert [params["contents"][0]["content_id"] for _, params, _ in tracks(granted)] == ["A", "B", "C"]


def test_consent_granted_before_the_loader_arrives_counts():
    page = run_page([head_step(), {"eval": "ttc('consent', 'grant')"}, track("ViewContent", {"content_id": "A"}),
                     DELIVER], store_config(consent_mode="hold"))

    assert consents(page) == ["grantConsent"]
    assert methods(page) == ["page", "track"]


def test_revoking_consent_stops_sending():
    config = store_config(consent_mode="hold")
    page = run_page([head_step(), DELIVER, {"eval": "ttc('consent', 'grant')"},
                     track("ViewContent", {"content_id": "A"}),
                     {"eval": "ttc('consent', 'revoke')"}, track("AddToCart", {"content_id": "B"}),
                     {"eval": "ttc('consent', 'grant')"}, track("AddToCart", {"content_id": "C"})], config)

    assert consents(page) == ["grantConsent", "revokeConsent", "grantConsent"]
    assert methods(page) == ["page", "track", "track"]
    assert [params["contents"][0]["content_id"] for _, params, _ in tracks(page)] == ["A", "C"]


def test_identify_is_forwarded_only_with_advanced_matching():
    steps = [head_step(), DELIVER,
             {"eval": "ttc('identify', {email: 'a@b.c', phone_number: '+5511999999999', external_id: 'u1', "
                      "first_name: 'Ana'})"}]

    on = run_page(steps, store_config(advanced_matching=True))
    off = run_page(steps, store_config(advanced_matching=False))

    assert [call for call in on["ttq"] if call[0] == "identify"] == [
        ["identify", {"email": "a@b.c", "phone_number": "+5511999999999", "external_id": "u1",
                      "first_name": hashlib.sha256(b"ana").hexdigest()}]]
    assert methods(off) == ["page"]


def test_on_event_callbacks_see_every_event_sent_with_its_event_id():
    page = run_page([
        head_step(),
        {"eval": "ttc.onEvent = [function (n, p, o) { (window.seen = window.seen || []).push([n, p, o]); }]"},
        track("ViewContent", {"content_id": "A"}),
        DELIVER,
        {"eval": "ttc.onEvent.push(function () { throw new Error('a broken relay'); })"},
        track("AddToCart", {"content_id": "B"}),
        {"eval": "window.seen"},
    ])

    assert [[name, params, options] for name, params, options in tracks(page)] == page["results"][-1]


def test_hostile_values_in_the_config_arrive_intact_and_break_nothing():
    page = run_page([head_step(), DELIVER, track("ViewContent", {"content_id": "A"})],
                    store_config(pixel_code=HOSTILE, currency=HOSTILE))

    assert page["ttq_pixels"] == [HOSTILE]
    assert parse_qs(urlsplit(tiktok_scripts(page)[0]).query)["sdkid"] == [HOSTILE]
    assert tracks(page)[0][1]["currency"] == HOSTILE


def test_a_hostile_server_url_stays_inside_the_head_snippet():
    server_url = SERVER + "/" + "</script><!--<script>'\"\u2028\u2029&>x"
    head = snippets.render_head(KEY, server_url)
    markup = head + "<script>window.after = 'still running'</script>"
    page = run_page([{"html": markup}, {"eval": "window.after"}],
                    scripts={f"{server_url}/pixel/{KEY}.js": snippets.render_loader(store_config())})

    assert page["scripts"][0] == f"{server_url}/pixel/{KEY}.js"
    assert page["results"] == ["still running"]


def test_a_page_with_tiktoks_own_base_code_keeps_its_ttq():
    # As in TikTok's base code, instance(code) hands out the queue of one pixel.
    own = "window.ttq = []; window.ttq.methods = ['page', 'track']; window.ttq._i = {}; " \
          "window.ttq.instance = function (id) { var e = window.ttq._i[id]; " \
          "e.page = function () { e.push(['own-page']); }; " \
          "e.track = function (n, p, o) { e.push(['own-track', n, p, o]); }; return e; }; " \
          "window.ttq.load = function (id) { window.ttq._i[id] = []; window.ttq.push(['own-load', id]); };"
    page = run_page([{"js": own}, head_step(), DELIVER, track("ViewContent", {"content_id": "A"})])

    assert page["ttq_global"] == [["own-load", PIXEL_CODE]]
    assert methods(page) == ["own-page", "own-track"]


def test_page_views_and_events_go_to_the_stores_pixel_only():
    other = "OTHERPIXEL0000000000"
    page = run_page([head_step(), DELIVER, {"eval": f"ttq.load({other!r}); ttq.instance({other!r}).page(); 1"},
                     track("ViewContent", {"content_id": "A"}), {"eval": "JSON.stringify(ttq._i)"}])

    queues = json.loads(page["results"][-1])
    assert [call[0] for call in queues[PIXEL_CODE]] == ["page", "track"]
    assert queues[other] == [["page"]]
    assert page["ttq_global"] == []


@pytest.mark.parametrize("hostname, fires", [("shop.example.com", True), ("www.shop.example.com", True),
                                             ("shop.example.com.evil.test", False), ("example.com", False),
                                             ("copy-shop.example.com", False)])
def test_the_loader_fires_only_on_the_stores_domains(hostname, fires):
    config = store_config(domains=["shop.example.com", "localhost:8000"])
    steps = [head_step(), DELIVER, track("ViewContent", {"content_id": "A"})]

    page = run_pages(steps, config, hostname=hostname)[-1]

    assert (methods(page) == ["page", "track"]) is fires
    assert bool(tiktok_scripts(page)) is fires
    assert page["errors"] == [] and page["ttc_queue"] == 0


def test_json_values_parse_back_in_javascript():
    value = {"s": HOSTILE, "nested": [1, 2.5, None, True, "ç"]}
    page = run_page([{"eval": f"({snippets.js_value(value)})"}])

    assert page["results"] == [value]
    assert json.loads(snippets.js_value(value)) == value
