"""Orders reported by the store's backend: hashed on arrival, deduplicated with the browser's order."""
import json

import pytest
from schemathesis import GenerationMode

from server.events import settings as event_settings
from server.extensions import db
from server.stores import service
from tests.accounts import add_to_store, bearer, cheap_hashing, make_api_key, make_user, sign_in  # noqa: F401
from tests.api.test_api_fuzz import fuzz_operations
from tests.events.helpers import beacon, post_beacon, relay, rows

ORDER = {"order_id": "1001", "value": 149.7, "currency": "BRL", "email": " Ana@Example.com ",
         "phone": "(11) 91234-5678", "external_id": "cust-7",
         "contents": [{"content_id": "SKU-1", "content_name": "Caneca", "price": 49.9, "quantity": 3}]}


@pytest.fixture
def api_key(store):
    return make_api_key(store)[1]


def report(client, store, key, body=None):
    return client.post(f"/api/v1/stores/{store.public_key}/orders", json=ORDER if body is None else body,
                       headers=bearer(key))


def test_an_order_is_kept_hashed_and_relayed(app, client, store, api_key, tiktok_emulator):
    response = report(client, store, api_key)

    assert response.status_code == 202
    assert response.get_json() == {"event": "Purchase", "event_id": "order:1001", "seen": "server",
                                   "status": "pending", "message": None}
    [row] = rows(store)
    stored = json.dumps(row.user)
    assert "ana@example" not in stored.lower() and "91234" not in stored and "cust-7" not in stored
    relay(app)
    [sent] = tiktok_emulator.events(store.pixel_code)
    assert sent["event_id"] == "order:1001"
    assert sent["user_keys"] == ["email", "external_id", "phone"]
    assert sent["properties"]["value"] == 149.7 and sent["properties"]["order_id"] == "1001"
    assert sent["page"] == {"url": "https://loja.example.com/"}


def test_the_browsers_order_and_the_backends_are_sent_once(app, client, store, api_key, tiktok_emulator):
    post_beacon(client, store, beacon(event="PlaceAnOrder", event_id="order:1001",
                                      properties={"order_id": "1001", "value": 149.7, "currency": "BRL"}))

    answer = report(client, store, api_key).get_json()
    relay(app)

    assert answer["seen"] == "both"
    [sent] = tiktok_emulator.events(store.pixel_code)
    assert sent["event_id"] == "order:1001"
    # One event with the browser's click id and cookie and the backend's hashed email and phone.
    assert sent["user_keys"] == ["email", "external_id", "ip", "phone", "ttclid", "ttp", "user_agent"]
    assert [(row.seen, row.status) for row in rows(store)] == [("both", "sent")]


def test_a_browser_order_after_the_backends_joins_it(app, client, store, api_key, tiktok_emulator):
    report(client, store, api_key)
    post_beacon(client, store, beacon(event="PlaceAnOrder", event_id="order:1001"))

    relay(app)

    assert [e["event_id"] for e in tiktok_emulator.events()] == ["order:1001"]
    assert "ttclid" in tiktok_emulator.events()[0]["user_keys"]
    assert [row.seen for row in rows(store)] == ["both"]


def test_an_order_reported_again_after_it_was_sent_is_not_sent_twice(app, client, store, api_key,
                                                                   tiktok_emulator):
    report(client, store, api_key)
    relay(app)

    again = report(client, store, api_key).get_json()
    relay(app)

    assert again["status"] == "sent" and len(tiktok_emulator.events()) == 1


def test_a_hold_mode_store_needs_the_backend_to_say_consent_was_granted(app, client, store, api_key,
                                                                       tiktok_emulator):
    service.update_store(db.session, store, consent_mode="hold")

    refused = report(client, store, api_key, {**ORDER, "order_id": "1"}).get_json()
    granted = report(client, store, api_key, {**ORDER, "order_id": "2", "consent": "granted"}).get_json()
    relay(app)

    assert (refused["status"], granted["status"]) == ("dropped", "pending")
    assert [e["event_id"] for e in tiktok_emulator.events()] == ["order:2"]


def test_orders_for_a_store_without_server_events_are_refused(client, store, api_key):
    event_settings.update_settings(db.session, store, None, server_events=False)

    response = report(client, store, api_key)

    assert response.status_code == 409 and response.get_json()["error"]["code"] == "server_events_off"
    assert rows(store) == []


@pytest.mark.parametrize("body, fields", [
    ({"value": 10}, {"order_id"}),
    ({**ORDER, "value": -1, "currency": "reais"}, {"value", "currency"}),
    ({**ORDER, "email": 42, "ip": "not-an-ip", "colour": "red"}, {"email", "ip", "colour"}),
    ({**ORDER, "event_time": 12}, {"event_time"}),
    ([ORDER], {"body"}),
])
def test_a_bad_order_is_refused_field_by_field(client, store, api_key, body, fields):
    response = report(client, store, api_key, body)

    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == fields


def test_members_may_not_report_orders(app, client, store):
    app.config["WTF_CSRF_ENABLED"] = False  # the role is under test here, not the CSRF token
    add_to_store(store, make_user("bea@example.com"), "member")
    sign_in(client, "bea@example.com")

    response = client.post(f"/api/v1/stores/{store.public_key}/orders", json=ORDER)

    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    assert rows(store) == []


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_the_orders_endpoint_answers_fuzzed_requests_as_documented(app, store, api_key, mode):
    assert fuzz_operations(app, store, api_key, {"/stores/{key}/orders"}, mode)
