"""An order reported by the store's backend (``POST /api/v1/stores/<key>/orders``), checked field by
field. Email, phone and external_id are hashed here; the clear values go no further. So are the
shopper's first_name, last_name, city, state, country and zip_code (with ``locale``), taken only
when the store has advanced matching on.

Its event_id is ``order:<order_id>`` unless the body gives one: the same id the loader gives the
browser's order event, so the two are one event for TikTok.
"""
import ipaddress
import re
import time
from dataclasses import dataclass

from server.errors import ValidationError
from server.events import normalise

ORDER_ID = re.compile(r"[\x20-\x7e]{1,90}")
EVENT_ID = re.compile(r"[\x21-\x7e]{1,100}")
FIELDS = ("order_id", "event_id", "value", "currency", "contents", "email", "phone", "external_id", "ip",
          "user_agent", "page_url", "event_time", "consent", "limited_data_use", *normalise.PROFILE_KEYS)
MAX_AGE = 7 * 24 * 3600  # older events are of no use to TikTok's attribution


@dataclass(frozen=True)
class Order:
    """What the relay needs from a reported order."""

    order_id: str
    event_id: str
    properties: dict
    user: dict  # hashed match keys, ip, user_agent, url
    event_time: int | None
    consented: bool
    limited: bool


def order_event_id(order_id):
    """The event_id both paths give an order: ``order:<order_id>``."""
    return f"order:{order_id}"


def parse_order(body, store, *, now=None):
    """An Order from the JSON body; raises ValidationError naming each bad field."""
    if not isinstance(body, dict):
        raise ValidationError("send a JSON object with the order", fields={"body": "must be a JSON object"})
    errors = {name: "not an order field" for name in body if name not in FIELDS}
    order_id = _order_id(body.get("order_id"), errors)
    event_id = body.get("event_id", order_event_id(order_id))
    if not isinstance(event_id, str) or not EVENT_ID.fullmatch(event_id):
        errors["event_id"] = "1 to 100 printable characters without spaces"
    value = normalise.number(body.get("value"))
    if value is None or value < 0:
        errors["value"] = "the order total, a number of 0 or more"
    currency = body.get("currency", store.currency)
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency):
        errors["currency"] = "an ISO 4217 code such as BRL or USD"
    if "contents" in body and not isinstance(body["contents"], list):
        errors["contents"] = "a list of {content_id, content_name, price, quantity}"
    user = _user(body, store, errors)
    event_time = _event_time(body.get("event_time"), now or time.time(), errors)
    if body.get("consent") not in (None, "granted", "denied"):
        errors["consent"] = "granted or denied"
    if not isinstance(body.get("limited_data_use", False), bool):
        errors["limited_data_use"] = "true or false"
    if errors:
        raise ValidationError(_summary(errors), fields=errors)
    properties = normalise.properties({"order_id": order_id, "value": value, "currency": currency,
                                       "contents": body.get("contents") or [], "content_type": "product"})
    return Order(order_id=order_id, event_id=event_id, properties=properties, user=user, event_time=event_time,
                 consented=body.get("consent") == "granted", limited=bool(body.get("limited_data_use")))


def _order_id(raw, errors):
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return str(raw)
    if isinstance(raw, str) and ORDER_ID.fullmatch(raw) and raw.strip() == raw:
        return raw
    errors["order_id"] = "required: the order number (1 to 90 characters, or a whole number)"
    return ""


def _user(body, store, errors):
    user = {}
    for name, hasher in (("email", normalise.hash_emails), ("phone", lambda v: normalise.hash_phones(v, store.country)),
                         ("external_id", normalise.hash_external_ids)):
        raw = body.get(name)
        if raw is None:
            continue
        if not _strings(raw):
            errors[name] = "a string or a list of strings"
            continue
        hashed = hasher(raw)
        if hashed:
            user[name] = hashed
    if store.advanced_matching:  # the shopper's name, address and locale only with advanced matching
        user.update(normalise.profile(body))
    ip = body.get("ip")
    if ip is not None:
        try:
            user["ip"] = str(ipaddress.ip_address(ip if isinstance(ip, str) else ""))
        except ValueError:
            errors["ip"] = "an IPv4 or IPv6 address"
    agent = body.get("user_agent")
    if agent is not None:
        if isinstance(agent, str) and agent.strip():
            user["user_agent"] = agent.strip()[:500]
        else:
            errors["user_agent"] = "a string"
    url = body.get("page_url")
    if url is not None and not (isinstance(url, str) and url.startswith(("https://", "http://")) and len(url) <= 2048):
        errors["page_url"] = "an http(s) URL"
    # TikTok needs a page for web events: the store's own address stands in for a backend order.
    user["url"] = url if isinstance(url, str) and "page_url" not in errors else f"https://{store.domains[0]}/"
    return user


def _strings(raw):
    if isinstance(raw, list):
        return 0 < len(raw) <= normalise.MAX_VALUES and all(isinstance(item, str) for item in raw)
    return isinstance(raw, str)


def _event_time(raw, now, errors):
    if raw is None:
        return None
    if not isinstance(raw, int) or isinstance(raw, bool) or not now - MAX_AGE <= raw <= now + 600:
        errors["event_time"] = "unix seconds, within the last 7 days"
        return None
    return raw


def _summary(errors):
    if len(errors) == 1:
        name, problem = next(iter(errors.items()))
        return f"{name}: {problem}"
    return f"{len(errors)} fields need fixing: {', '.join(sorted(errors))}"
