"""The loader's beacon to the collector (server events), run in Node: same event_id as the pixel,
consent honoured, the click id kept in a first-party cookie, the order's event_id from its order id."""
import gzip
import hashlib
import json

import pytest

import snippets
from snippets import SnippetError
from tests.snippets.jsharness import DELIVER, UUID, head_step, run_page, store_config, track, tracks
from tests.snippets.test_render import LONG_KEY

COLLECTOR = f"https://px.example.com/pixel/{LONG_KEY}/events"


def relaying(**overrides):
    """A store config with server events on."""
    return store_config(server_events=True, collector=COLLECTOR, **overrides)


def beacons(page):
    """The bodies the page sent to the collector, parsed."""
    return [json.loads(request["body"]) for request in page["requests"] if request["url"] == COLLECTOR]


def landing(query):
    """A step that makes the page's address carry ``query`` (before the loader arrives)."""
    return {"eval": f"location.search = {json.dumps(query)}; "
                    "location.href = 'https://shop.example/p' + location.search"}


def test_each_event_is_beaconed_with_the_event_id_the_pixel_got():
    page = run_page([head_step(), DELIVER, track("ViewContent", {"content_id": "A", "price": 10}),
                     track("AddToCart", {"content_id": "A", "price": 10, "quantity": 2})], relaying())

    sent = beacons(page)
    assert [(b["event"], b["event_id"]) for b in sent] == [(name, options["event_id"])
                                                          for name, _, options in tracks(page)]
    assert [b["properties"] for b in sent] == [params for _, params, _ in tracks(page)]
    assert sent[0]["url"] == "https://shop.example/produto/p" and sent[0]["consent"] == "none"
    assert sent[0]["limited"] == 0 and "user" not in sent[0]


def test_without_server_events_nothing_is_beaconed():
    page = run_page([head_step(), DELIVER, track("ViewContent", {"content_id": "A"})], store_config())

    assert len(tracks(page)) == 1 and page["requests"] == []


def test_sendbeacon_is_used_when_the_browser_has_it():
    page = run_page([{"eval": "navigator.sendBeacon = function (u, b) { "
                              "(window.sent = window.sent || []).push([u, b]); return true; }"},
                     head_step(), DELIVER, track("ViewContent", {"content_id": "A"}), {"eval": "window.sent"}],
                    relaying())

    [(url, body)] = page["results"][-1]
    assert url == COLLECTOR and json.loads(body)["event"] == "ViewContent"
    assert page["requests"] == []  # no fetch fallback when the beacon was queued


def test_an_order_event_takes_its_event_id_from_the_order_id_on_both_paths():
    page = run_page([head_step(), DELIVER, track("PlaceAnOrder", {"order_id": "1001-01", "value": 5}),
                     track("Purchase", {"order_id": 77}), track("PlaceAnOrder", {"value": 5})],
                    relaying(order_event="Purchase", events=["Purchase"]))

    ids = [options["event_id"] for _, _, options in tracks(page)]
    assert ids[:2] == ["order:1001-01", "order:77"] and UUID.fullmatch(ids[2])
    assert [b["event_id"] for b in beacons(page)] == ids


def test_the_click_id_from_the_landing_page_is_kept_in_a_first_party_cookie_and_sent():
    page = run_page([landing("?utm_source=tiktok&ttclid=E.C.P.abc123"), head_step(), DELIVER,
                     track("ViewContent", {"content_id": "A"}), {"eval": "document.cookie"}], relaying())

    assert beacons(page)[0]["ttclid"] == "E.C.P.abc123"
    assert page["results"][-1].startswith("ttc_ttclid=E.C.P.abc123;max-age=2592000;path=/")


def test_a_later_page_sends_the_click_id_and_tiktoks_cookie_from_the_cookies():
    page = run_page([{"eval": "document.cookie = 'a=1; ttc_ttclid=E.C.P.old; _ttp=ttp-value'"}, head_step(), DELIVER,
                     track("ViewContent", {"content_id": "A"})], relaying())

    assert (beacons(page)[0]["ttclid"], beacons(page)[0]["ttp"]) == ("E.C.P.old", "ttp-value")


def test_in_hold_mode_nothing_is_beaconed_and_no_cookie_set_before_consent():
    config = relaying(consent_mode="hold")
    held = [landing("?ttclid=E.C.P.abc"), head_step(), DELIVER, track("ViewContent", {"content_id": "A"})]

    before = run_page(held + [{"eval": "String(document.cookie)"}], config)
    after = run_page(held + [{"eval": "ttc('consent', 'grant')"}, track("AddToCart", {"content_id": "B"}),
                             {"eval": "ttc('consent', 'revoke')"}, track("AddToCart", {"content_id": "C"}),
                             {"eval": "document.cookie"}], config)

    assert beacons(before) == [] and before["results"][-1] == "undefined"
    assert [(b["properties"]["contents"][0]["content_id"], b["consent"]) for b in beacons(after)] == [
        ("A", "granted"), ("B", "granted")]
    assert after["results"][-1].startswith("ttc_ttclid=E.C.P.abc")


def test_limited_data_use_is_asked_for_by_the_page():
    page = run_page([head_step(), DELIVER, track("ViewContent", {"content_id": "A"}),
                     {"eval": "ttc('consent', 'limited')"}, track("ViewContent", {"content_id": "B"})], relaying())

    assert [b["limited"] for b in beacons(page)] == [0, 1]


def test_identify_data_goes_with_the_beacon_only_with_advanced_matching():
    steps = [head_step(), DELIVER, {"eval": "ttc('identify', {email: 'ana@example.com', first_name: 'Ana'})"},
             track("ViewContent", {"content_id": "A"})]

    on = run_page(steps, relaying(advanced_matching=True))
    off = run_page(steps, relaying(advanced_matching=False))

    # The name leaves the page only as SHA-256 of its normalised form ("ana").
    assert beacons(on)[0]["user"] == {"email": "ana@example.com", "first_name": hashlib.sha256(b"ana").hexdigest()}
    assert "user" not in beacons(off)[0]


def test_name_and_address_are_normalised_and_hashed_as_tiktok_asks():
    user = {"email": "ana@example.com", "first_name": " Ana-Maria ", "last_name": "O'Neil", "zip_code": "94103-1234",
            "city": "São Paulo", "state": "SP", "country": "BR", "phone_number": "+5511912345678"}
    page = run_page([head_step(), DELIVER, {"eval": f"ttc('identify', {json.dumps(user)})"},
                     track("ViewContent", {"content_id": "A"})], relaying(advanced_matching=True))

    expected = {name: hashlib.sha256(clear.encode()).hexdigest() for name, clear in (
        ("first_name", "anamaria"), ("last_name", "oneil"), ("zip_code", "94103"), ("city", "sãopaulo"),
        ("state", "sp"), ("country", "br"))}
    expected.update(email="ana@example.com", phone_number="+5511912345678")
    assert beacons(page)[0]["user"] == expected
    [identify] = [call for call in page["ttq"] if call[0] == "identify"]
    assert identify[1] == expected
    # identify reaches the store's pixel before the event it was given for.
    assert [call[0] for call in page["ttq"]] == ["page", "identify", "track"]
    assert page["ttq_global"] == []


def test_a_failed_beacon_breaks_nothing():
    page = run_page([{"eval": "window.fetch = function () { return Promise.reject(new Error('offline')); }"},
                     head_step(), DELIVER, track("ViewContent", {"content_id": "A"}),
                     track("AddToCart", {"content_id": "B"})], relaying())

    assert [name for name, _, _ in tracks(page)] == ["ViewContent", "AddToCart"]


def test_the_loader_with_server_events_fits_its_budget():
    config = relaying(consent_mode="hold", advanced_matching=True, order_event="Purchase",
                      events=["ViewContent", "AddToCart", "Purchase"])

    loader = snippets.render_loader(config).encode("utf-8")

    assert COLLECTOR in loader.decode()
    assert len(gzip.compress(loader, 9)) <= snippets.LOADER_BUDGET_GZIP_BYTES


@pytest.mark.parametrize("collector", ["javascript:alert(1)", "https://c.example/x?y=1", "https://c.example/a b", 5])
def test_a_collector_that_is_not_a_plain_url_is_refused(collector):
    with pytest.raises(SnippetError):
        snippets.render_loader(store_config(collector=collector))
