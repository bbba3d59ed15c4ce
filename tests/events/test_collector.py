"""The collector: what a shopper's beacon gets back, and what is kept for the relay."""
import io
import json

import pytest

from server.events import settings as event_settings
from server.extensions import db
from server.models.events import EventBatch
from server.stores import service
from tests.events.helpers import CHROME, ORIGIN, beacon, connect_for_events, post_beacon, rows
from tests.factories import make_store

GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def test_a_beacon_from_the_stores_page_is_kept_with_the_shoppers_context(client, store):
    response = post_beacon(client, store)

    assert response.status_code == 204 and response.data == b""
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    [row] = rows(store)
    assert (row.event, row.event_id, row.status, row.seen) == ("AddToCart", beacon()["event_id"], "pending", "browser")
    assert row.context == {"url": "https://loja.example.com/p/caneca", "referrer": "https://www.tiktok.com/",
                           "ttclid": "E.C.P.click", "ttp": "ttp-cookie", "ip": "203.0.113.7", "user_agent": CHROME}
    assert row.properties["contents"] == [{"content_id": "SKU-1", "price": 24.5, "quantity": 2}]


def test_the_second_beacon_is_answered_by_the_fast_path_the_same_way(app, client, store):
    first = post_beacon(client, store, beacon(event_id="one"))
    assert store.public_key in app.extensions["ttc_events"].cache.entries  # the miss filled the cache
    second = post_beacon(client, store, beacon(event_id="two"))

    assert first.status_code == second.status_code == 204
    assert [row.event_id for row in rows(store)] == ["one", "two"]


def test_the_same_event_twice_is_kept_once(client, store):
    post_beacon(client, store)
    post_beacon(client, store)

    assert len(rows(store)) == 1


@pytest.mark.parametrize("origin, referer, status", [
    ("https://evil.example", None, 403),
    ("null", None, 403),
    (None, None, 403),
    (None, "https://evil.example/loja.example.com", 403),
    (None, "https://www.loja.example.com/p/caneca", 204),  # no Origin: the Referer's origin counts
    ("http://loja.example.com", None, 204),
])
def test_only_the_stores_own_pages_may_send(client, store, origin, referer, status):
    headers = {"Referer": referer} if referer else {}

    assert post_beacon(client, store, origin=origin, **headers).status_code == status
    assert len(rows(store)) == (1 if status == 204 else 0)


def test_a_big_body_is_refused_before_it_is_read(app, client, store):
    body = json.dumps(beacon(properties={"description": "x" * 9000}))

    response = post_beacon(client, store, raw=body)

    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"
    assert rows(store) == []


def test_a_body_without_its_length_is_refused(app, client, store):
    post_beacon(client, store)  # the store is now in this worker's cache: the fast path answers
    answered = []
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": f"/pixel/{store.public_key}/events", "HTTP_ORIGIN": ORIGIN,
               "wsgi.input": io.BytesIO(json.dumps(beacon(event_id="chunked")).encode()),
               "REMOTE_ADDR": "203.0.113.7", "HTTP_USER_AGENT": CHROME}

    app.wsgi_app(environ, lambda status, headers: answered.append(status))

    assert answered == ["411 Length Required"]
    assert len(rows(store)) == 1


@pytest.mark.parametrize("body, reason", [
    (beacon(event="CompletePayment"), "unknown event name"),
    (beacon(event_id="has space"), "event_id must be"),
    (beacon(event_id=""), "event_id must be"),
    (beacon(url="javascript:alert(1)"), "url must be"),
    (beacon(properties=["SKU-1"]), "properties must be"),
    ("[1, 2]", "a JSON object"),
    ("{not json", "not JSON"),
])
def test_malformed_or_unknown_events_are_dropped_and_logged(client, store, caplog, body, reason):
    raw = body if isinstance(body, str) else json.dumps(body)

    with caplog.at_level("INFO", logger="server.events.collector"):
        response = post_beacon(client, store, raw=raw)

    # The body is read after the answer went out (the page never reads it): a 204, nothing kept.
    assert response.status_code == 204
    assert rows(store) == []
    assert reason in caplog.text


def test_an_unknown_store_key_is_a_404(client, session):
    response = client.post("/pixel/nosuchstorekey00000/events", data=json.dumps(beacon()),
                           headers={"Origin": ORIGIN, "User-Agent": CHROME})

    assert response.status_code == 404


def test_a_flood_from_one_address_is_cut_off_without_harming_other_shoppers_or_stores(app, client, store,
                                                                                     tiktok_emulator):
    app.extensions["ttc_events"].collector.limiter.per_minute = 5
    other = connect_for_events(make_store(name="Outra", domains=["outra.example.com"]), tiktok_emulator)

    flood = [post_beacon(client, store, beacon(event_id=f"f{n}")).status_code for n in range(8)]
    neighbour = post_beacon(client, store, beacon(event_id="n1"), ip="198.51.100.9")
    elsewhere = post_beacon(client, other, beacon(event_id="o1"), origin="https://outra.example.com")

    assert flood == [204] * 5 + [429] * 3
    assert neighbour.status_code == elsewhere.status_code == 204
    assert len(rows(store)) == 6 and len(rows(other)) == 1


def test_behind_a_trusted_proxy_the_forwarded_address_counts(app, client, store):
    app.extensions["ttc_events"].collector.trusted_proxies = 1

    post_beacon(client, store, ip="127.0.0.1", **{"X-Forwarded-For": "10.9.9.9, 203.0.113.50"})
    post_beacon(client, store, beacon(event_id="forged"), ip="127.0.0.1", **{"X-Forwarded-For": "not an ip"})

    assert [row.context["ip"] for row in rows(store)] == ["203.0.113.50", "127.0.0.1"]


@pytest.mark.parametrize("user_agent", [GOOGLEBOT, "Mozilla/5.0 (compatible; bingbot/2.0)",
                                        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
                                        "facebookexternalhit/1.1", "Mozilla/5.0 (X11) HeadlessChrome/124.0", ""])
def test_bots_get_a_204_and_nothing_is_kept(client, store, user_agent):
    response = post_beacon(client, store, user_agent=user_agent)

    assert response.status_code == 204 and rows(store) == []


def test_headless_chrome_counts_when_the_setting_allows_it(app, client, store):
    app.extensions["ttc_events"].collector.allow_headless = True

    post_beacon(client, store, user_agent="Mozilla/5.0 (X11) HeadlessChrome/124.0 Safari/537.36")

    assert len(rows(store)) == 1


def test_stores_that_do_not_relay_answer_exactly_like_one_that_does(client, store, tiktok_emulator):
    off = connect_for_events(make_store(name="Off", domains=["loja.example.com"]), tiktok_emulator,
                             server_events=False)
    disabled = connect_for_events(make_store(name="Disabled", domains=["loja.example.com"]), tiktok_emulator)
    service.update_store(db.session, disabled, pixel_enabled=False)
    gone = connect_for_events(make_store(name="Gone", domains=["loja.example.com"]), tiktok_emulator)
    gone.tiktok_state = "disconnected"
    db.session.commit()

    answers = [post_beacon(client, each) for each in (store, off, disabled, gone)]

    assert {(a.status_code, a.data, a.headers.get("Access-Control-Allow-Origin")) for a in answers} == {
        (204, b"", ORIGIN)}
    assert [len(rows(each)) for each in (store, off, disabled, gone)] == [1, 0, 0, 0]


def test_turning_server_events_off_reaches_the_collector_at_once(app, client, store):
    post_beacon(client, store, beacon(event_id="before"))
    event_settings.update_settings(db.session, store, None, server_events=False)
    post_beacon(client, store, beacon(event_id="after"))

    assert [row.event_id for row in rows(store)] == ["before"]


def test_a_hold_mode_store_keeps_only_events_the_page_says_were_consented(client, store):
    service.update_store(db.session, store, consent_mode="hold")

    post_beacon(client, store, beacon(event_id="no-consent"))
    post_beacon(client, store, beacon(event_id="granted", consent="granted"))

    assert [(row.event_id, row.consented) for row in rows(store)] == [("granted", True)]


def test_events_the_store_does_not_fire_are_dropped(client, store):
    service.update_store(db.session, store, events=["ViewContent"])

    post_beacon(client, store, beacon(event="AddToCart"))

    assert rows(store) == []


def test_the_order_event_is_kept_under_the_stores_order_event_name(client, store):
    service.update_store(db.session, store, order_event="PlaceAnOrder")

    post_beacon(client, store, beacon(event="PlaceAnOrder", event_id="order:1001",
                                      properties={"order_id": "1001", "value": 10}))

    [row] = rows(store)
    assert (row.event, row.event_id, row.properties["order_id"]) == ("PlaceAnOrder", "order:1001", "1001")


def buffered_text(store):
    """Everything the collector has buffered for the store (not filed by the relay yet), as text."""
    return json.dumps(db.session.execute(db.select(EventBatch.events).where(EventBatch.store_id == store.id))
                      .scalars().all())


@pytest.mark.parametrize("spelling", ["plain", "escaped"])
def test_identify_data_in_a_beacon_is_hashed_before_anything_is_stored(client, store, spelling):
    body = json.dumps(beacon(user={"email": " Ana@Example.com ", "phone_number": "(11) 91234-5678",
                                   "external_id": "cust-7"}))
    if spelling == "escaped":  # the same object, its key spelled with JSON escapes
        body = body.replace('"user"', '"\\u0075ser"')
    post_beacon(client, store, raw=body)

    waiting = buffered_text(store)
    assert waiting != "[]" and "Ana@Example.com" not in waiting and "91234" not in waiting
    [row] = rows(store)
    assert "Ana@Example.com" not in json.dumps(row.context) and "91234" not in json.dumps(row.context)
    assert len(row.context["email"][0]) == len(row.context["phone"][0]) == 64


def test_a_beacon_that_is_not_utf8_is_dropped_and_logged(client, store, caplog):
    with caplog.at_level("INFO", logger="server.events.collector"):
        response = post_beacon(client, store, raw=json.dumps(beacon()).encode().replace(b"caneca", b"caneca\xff"))

    assert response.status_code == 204 and rows(store) == []
    assert "not JSON" in caplog.text


def test_properties_keep_only_tiktoks_fields(client, store):
    post_beacon(client, store, beacon(properties={"value": "19.90", "currency": "brl", "email": "ana@example.com",
                                                  "contents": [{"content_id": 7, "quantity": "2", "cpf": "123"}]}))

    [row] = rows(store)
    assert row.properties == {"value": 19.9, "currency": "BRL", "contents": [{"content_id": "7", "quantity": 2}],
                              "content_ids": ["7"]}


def test_a_cors_preflight_is_answered_for_the_stores_origins_only(client, store):
    allowed = client.options(f"/pixel/{store.public_key}/events", headers={"Origin": ORIGIN})
    foreign = client.options(f"/pixel/{store.public_key}/events", headers={"Origin": "https://evil.example"})

    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in allowed.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in foreign.headers
