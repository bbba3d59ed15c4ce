"""Ecwid webhooks: the signature, the registry of handlers by ``eventType``, and ``order.created``
(the route, ``POST /hooks/<key>/ecwid``, is in webhooks.py).

One URL takes every Ecwid webhook of a store (Ecwid allows one webhook URL per app, ECWID_API.md 5.1).
The application's registry (``app.extensions["ttc_ecwid_hooks"].handlers``) maps an eventType to
``handler(session, store, payload) -> dict``; other features add theirs with ``register(app, ...)``
in their ``init_app`` (the Ecwid catalog source: ``product.*``, ``category.*``,
``application.uninstalled``). An eventType nobody handles is answered 200 and ignored.

``order.created`` is the server-side fallback for orders whose shopper never came back to the store
(offline and redirect payments): the order is read back from Ecwid (the webhook carries only ids,
and its body is not signed) through the reader the Ecwid connection registers with
``set_order_reader``, and filed like an order the store's backend reports, with the event_id
``order:<vendorNumber>``: the same id ecwid.js gives the browser's order event, so an order seen on
both paths is sent to TikTok once.

Signature (ECWID_API.md 5.3): base64(HMAC-SHA256(app client_secret, "{eventCreated}.{eventId}")),
header ``X-Ecwid-Webhook-Signature``; only those two fields are signed, so events older than Ecwid's
retry window are refused (a captured signature cannot be replayed for long).
"""
import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app

from server.errors import ValidationError
from server.events import intake
from server.events.errors import EventsError, ServerEventsOff
from server.events.orders import parse_order

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Ecwid-Webhook-Signature"


@dataclass
class EcwidHooks:
    """Per application: eventType -> handler, and where order.created reads an order."""

    handlers: dict = field(default_factory=dict)
    # (session, store, order_id) -> Ecwid REST order (dict) or None; set by the Ecwid connection
    order_reader: Callable | None = None


class WebhookRefused(EventsError):
    """A webhook that is not Ecwid's, too old or unreadable; ``status`` is the HTTP answer."""

    code = "webhook_refused"

    def __init__(self, message, *, status=400):
        super().__init__(message)
        self.status = status


def hooks(app):
    """The application's Ecwid webhook registry (made on first use: features register in any order)."""
    return app.extensions.setdefault("ttc_ecwid_hooks", EcwidHooks())


class NoEcwidConnection(EventsError):
    """Raised by an order reader when the store reads no Ecwid store (nothing to read orders from)."""

    code = "no_ecwid_connection"


def register(app, event_type, handler):
    """Handle one Ecwid eventType: ``handler(session, store, payload) -> dict`` (the JSON answered)."""
    hooks(app).handlers[event_type] = handler


def set_order_reader(app, reader):
    """Where order.created reads the order: ``reader(session, store, order_id)`` -> Ecwid's order JSON
    (``GET /orders/{orderId}``) or None when Ecwid has no such order; raise to have Ecwid retry."""
    hooks(app).order_reader = reader


def signature(secret, event_created, event_id):
    """Ecwid's signature of a webhook: base64 HMAC-SHA256 of "{eventCreated}.{eventId}"."""
    message = f"{event_created}.{event_id}".encode()
    return base64.b64encode(hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()).decode("ascii")


def verify(secret, payload, header, *, max_age, now=None):
    """Raise WebhookRefused unless ``payload`` carries Ecwid's signature (``header``) and is recent."""
    created, event_id = payload.get("eventCreated"), payload.get("eventId")
    if not isinstance(created, int) or isinstance(created, bool) or event_id is None:
        raise WebhookRefused("eventCreated (unix seconds) and eventId are required")
    expected = signature(secret, created, event_id if isinstance(event_id, str) else json.dumps(event_id))
    if not header or not hmac.compare_digest(header.strip(), expected):
        raise WebhookRefused("the signature does not match (X-Ecwid-Webhook-Signature)", status=401)
    if abs((now or time.time()) - created) > max_age:
        raise WebhookRefused("the event is older than Ecwid's retry window")


def dispatch(session, store, payload):
    """Run the handler of the payload's eventType; returns the JSON to answer."""
    handler = current_app.extensions["ttc_ecwid_hooks"].handlers.get(payload.get("eventType"))
    if handler is None:
        return {"ignored": str(payload.get("eventType"))[:100]}
    return handler(session, store, payload)


def handle_order_created(session, store, payload):
    """order.created: read the order back from Ecwid and file it as the store's order event, once
    (event_id ``order:<vendorNumber>``, shared with ecwid.js); returns what became of it."""
    order_id = (payload.get("data") or {}).get("orderId", payload.get("entityId"))
    if order_id is None:
        raise WebhookRefused("an order.created event without data.orderId")
    reader = current_app.extensions["ttc_ecwid_hooks"].order_reader
    try:
        if reader is None:
            raise NoEcwidConnection("no Ecwid connection")
        order = reader(session, store, str(order_id))
    except NoEcwidConnection:
        log.warning("store %s: an Ecwid order arrived but no Ecwid connection can read it", store.public_key)
        return {"skipped": "the store has no Ecwid connection to read the order from"}
    if order is None:
        return {"skipped": "Ecwid has no such order"}
    try:
        row = intake.record_order(session, store, parse_order(order_report(order), store))
    except (ServerEventsOff, ValidationError) as error:  # retrying would not change it: answer 200
        log.info("store %s: Ecwid order %s not filed: %s", store.public_key, order_id, error.message)
        return {"skipped": error.message}
    return {"event": row.event, "event_id": row.event_id, "seen": row.seen, "status": row.status}


def order_report(order):
    """The orders API's body for an Ecwid REST order (its ``id`` is the vendorNumber shoppers see)."""
    vendor = order.get("vendorOrderNumber") or order.get("id")
    contents = [{"content_id": str(item.get("productId")), "content_name": item.get("name"),
                 "price": item.get("price"), "quantity": item.get("quantity")}
                for item in order.get("items") or [] if isinstance(item, dict) and item.get("productId") is not None]
    report = {"order_id": str(vendor) if vendor is not None else None, "value": order.get("total"),
              "contents": contents}
    if order.get("email"):
        report["email"] = order["email"]
    phone = (order.get("billingPerson") or {}).get("phone")
    if phone:
        report["phone"] = phone
    if order.get("ipAddress"):
        report["ip"] = order["ipAddress"]
    return report
