"""Ecwid's order.created webhook: Ecwid's signature, dispatch by eventType, and the order filed once
with the browser's order event (event_id order:<vendorNumber>)."""
import time

import pytest

from server.events import ecwid_orders
from tests.events.helpers import beacon, post_beacon, relay, rows

SECRET = "my_client_secret"
# An Ecwid order as GET /orders/{orderId} returns it (fields used here; values made up).
ECWID_ORDER = {"id": "XJ12H", "internalId": 1234567, "orderNumber": 1234567, "vendorOrderNumber": "XJ12H",
               "total": 49.0, "email": "ana@example.com", "ipAddress": "203.0.113.9",
               "billingPerson": {"name": "Ana Souza", "phone": "+55 11 91234-5678"},
               "items": [{"productId": 11, "sku": "CAN-1", "name": "Caneca", "price": 24.5, "quantity": 2}]}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "TTC_ECWID_CLIENT_SECRET": SECRET}


@pytest.fixture
def ecwid(app):
    """Ecwid's side: the orders it would return, and the reader the Ecwid connection registers."""
    orders, asked = {"1234567": ECWID_ORDER}, []

    def read(session, store, order_id):
        asked.append((store.public_key, order_id))
        return orders.get(order_id)

    ecwid_orders.set_order_reader(app, read)
    return asked


def webhook(client, store, *, event_type="order.created", order_id=1234567, created=None, event_id="5a1c-1",
            signature=None):
    created = int(time.time()) if created is None else created
    body = {"eventId": event_id, "eventCreated": created, "storeId": 1003, "entityId": order_id,
            "eventType": event_type, "data": {"orderId": order_id, "newPaymentStatus": "AWAITING_PAYMENT"}}
    sign = ecwid_orders.signature(SECRET, created, event_id) if signature is None else signature
    return client.post(f"/hooks/{store.public_key}/ecwid", json=body,
                       headers={ecwid_orders.SIGNATURE_HEADER: sign} if sign else {})


def test_the_signature_is_ecwids():
    # The reference's test vector (ECWID_API.md 5.3).
    assert ecwid_orders.signature(SECRET, 1700000000, "5a1c1a8e-3f2b-4c47-9d0e-1e2f3a4b5c6d") == \
        "Q3m7bHSENqHtJyn53xM26avAl+kJ+GZtWTVkNaXKhvU="


def test_an_order_whose_shopper_never_came_back_is_filed_and_relayed(app, client, store, ecwid, tiktok_emulator):
    response = webhook(client, store)

    assert response.status_code == 200
    assert response.get_json() == {"event": "Purchase", "event_id": "order:XJ12H", "seen": "server",
                                   "status": "pending"}
    assert ecwid == [(store.public_key, "1234567")]
    relay(app)
    [sent] = tiktok_emulator.events(store.pixel_code)
    assert sent["event_id"] == "order:XJ12H"


def test_the_browsers_order_and_the_webhooks_are_one_event(app, client, store, ecwid, tiktok_emulator):
    post_beacon(client, store, beacon(event="PlaceAnOrder", event_id="order:XJ12H",
                                      properties={"order_id": "XJ12H", "value": 49, "currency": "BRL"}))

    first = webhook(client, store).get_json()
    again = webhook(client, store, event_id="5a1c-2").get_json()  # Ecwid delivers at least once
    relay(app)

    assert first["seen"] == "both" and again["event_id"] == "order:XJ12H"
    assert [(row.event_id, row.seen) for row in rows(store)] == [("order:XJ12H", "both")]
    assert len(tiktok_emulator.events(store.pixel_code)) == 1


@pytest.mark.parametrize("change, status", [
    ({"signature": "bm90IGVjd2lk"}, 401), ({"signature": ""}, 401),
    ({"created": int(time.time()) - 26 * 3600}, 400)])
def test_a_webhook_ecwid_did_not_sign_or_an_old_one_is_refused(client, store, ecwid, change, status):
    response = webhook(client, store, **change)

    assert response.status_code == status
    assert ecwid == [] and rows(store) == []


def test_other_event_types_go_to_their_handlers_or_are_ignored(app, client, store, ecwid):
    seen = []
    ecwid_orders.register(app, "product.updated",
                          lambda session, s, payload: seen.append(payload["entityId"]) or {"ok": 1})

    assert webhook(client, store, event_type="product.updated", order_id=77).get_json() == {"ok": 1}
    assert webhook(client, store, event_type="customer.created").get_json() == {"ignored": "customer.created"}
    assert seen == [77] and ecwid == []


def test_without_an_ecwid_connection_the_order_is_skipped_and_the_answer_says_why(app, client, store):
    response = webhook(client, store)

    assert response.status_code == 200 and "no Ecwid connection" in response.get_json()["skipped"]
    assert rows(store) == []


def test_an_unknown_store_or_order_loses_nothing(client, store, ecwid):
    assert client.post("/hooks/no-such-store-key/ecwid", json={}).status_code == 404
    assert webhook(client, store, order_id=999).get_json() == {"skipped": "Ecwid has no such order"}


def test_without_the_client_secret_webhooks_are_refused_and_ecwid_retries(app, client, store, ecwid):
    app.config["TTC_ECWID_CLIENT_SECRET"] = ""

    response = webhook(client, store)

    assert response.status_code == 404 and "TTC_ECWID_CLIENT_SECRET" in response.get_json()["error"]["message"]
    assert ecwid == []
