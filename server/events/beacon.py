"""What the loader beacons to the collector, read strictly: one event, as the page sent it to ttq.

    {"event": "AddToCart", "event_id": "<the id ttq got>", "properties": {...},
     "url": "https://shop/p", "referrer": "...", "ttclid": "...", "ttp": "...",
     "consent": "granted" | "none", "limited": 0 | 1,
     "user": {"email": ..., "phone_number": ..., "external_id": ...,
              "first_name": ..., "last_name": ..., "city": ..., "state": ..., "country": ...,
              "zip_code": ..., "locale": ...}}   (advanced matching only)

``user`` keys are the names ``ttq.identify`` takes (TikTok's WooCommerce plugin identifies with
email, phone_number, first_name, last_name, city, state, country, zip_code), each one string, in
clear or already SHA-256-hashed; ``country`` is ISO 3166 alpha-2, ``locale`` a language tag
(``navigator.language``). ``user`` values are hashed here; the clear values go no further than
this function. The name, address and locale keys count only for a store with advanced matching on
(and, holding for consent, an event the page consented to): ``collector.read_beacon`` decides. ``properties``
must be an object; it is reduced to TikTok's fields when the relay files the event (off the hot path).
"""
import re
from typing import NamedTuple

from server import strictjson
from server.events import normalise
from server.events.errors import BeaconRefused
from server.models.store import ORDER_EVENT_NAMES, PIXEL_EVENTS

# The events a beacon may carry: every pixel event a store can turn on (the funnel's fields, such as
# Search's search_string, are TikTok's standard properties; see normalise.properties).
KNOWN_EVENTS = frozenset(PIXEL_EVENTS) | frozenset(ORDER_EVENT_NAMES)
ORDER_EVENTS = frozenset(ORDER_EVENT_NAMES)
MAX_URL = 2048
EVENT_ID = re.compile(r"[\x21-\x7e]{1,100}")  # printable ASCII without spaces: what the loader makes


class Beacon(NamedTuple):
    """One browser event, checked and normalised (a tuple: one is made per shopper event)."""

    event: str
    event_id: str
    properties: dict  # as the page sent them (see ``normalise.properties``)
    url: str
    referrer: str | None = None
    ttclid: str | None = None
    ttp: str | None = None
    consented: bool = False  # the page said consent was granted (hold-mode stores need it)
    limited: bool = False
    match_keys: dict = {}  # hashed; never mutated


def parse(body, *, country=None):
    """A Beacon from the request body (bytes); raises BeaconRefused (400) naming what is wrong."""
    try:
        data = strictjson.loads(body)
    except strictjson.UnreadableJSON as error:
        raise BeaconRefused(f"the body is {error}", code="unreadable") from None
    if not isinstance(data, dict):
        raise BeaconRefused("the body must be a JSON object")
    event = data.get("event")
    if event not in KNOWN_EVENTS:
        raise BeaconRefused("unknown event name", code="unknown_event")
    event_id = data.get("event_id")
    if not isinstance(event_id, str) or not EVENT_ID.fullmatch(event_id):
        raise BeaconRefused("event_id must be 1 to 100 printable characters")
    url = data.get("url")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")) or len(url) > MAX_URL:
        raise BeaconRefused("url must be the page's http(s) address")
    properties = data.get("properties", {})
    if not isinstance(properties, dict):
        raise BeaconRefused("properties must be an object")
    user = data.get("user")
    keys = {}
    if isinstance(user, dict) and user:
        keys = {**normalise.match_keys(user.get("email"), user.get("phone_number"), user.get("external_id"),
                                       country=country), **normalise.profile(user)}
    return Beacon(
        event=event, event_id=event_id, properties=properties, url=url,
        referrer=_optional(data.get("referrer"), MAX_URL), ttclid=_optional(data.get("ttclid"), 500),
        ttp=_optional(data.get("ttp"), 500), consented=data.get("consent") == "granted",
        limited=data.get("limited") in (True, 1), match_keys=keys)


def _optional(value, limit):
    return value[:limit] if isinstance(value, str) and value else None
