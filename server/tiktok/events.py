"""The Events API 2.0 (``event/track/``) and the hashing its user data needs."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from .errors import TikTokRequestError
from .transport import TikTokClient

MAX_EVENTS = 1000
# The currencies event properties may carry (SDK python_sdk/docs/PixelProperties.md, "List of
# currencies currently supported"). One event with another currency fails the whole request.
CURRENCIES = frozenset(
    "AED ARS AUD BDT BHD BIF BOB BRL CAD CHF CLP CNY COP CRC CZK DKK DZD EGP EUR GBP GTQ HKD HNL HUF IDR ILS "
    "INR ISK JPY KES KHR KRW KWD KZT MAD MOP MXN MYR NGN NIO NOK NZD OMR PEN PHP PKR PLN PYG QAR RON RUB SAR "
    "SEK SGD THB TRY TWD UAH USD VES VND ZAR".split())
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def sha256_hex(value: str) -> str:
    """SHA-256 of a value as lowercase hex; an already-hashed value is returned unchanged."""
    if _SHA256.match(value):
        return value
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def hash_email(email: str) -> str:
    """Trim, lowercase and hash an email address as TikTok requires."""
    return sha256_hex(email.strip().lower())


def hash_phone(phone: str) -> str:
    """Hash a phone number given with its country code, normalised to E.164 (``+12133734253``)."""
    if _SHA256.match(phone):
        return phone
    return sha256_hex("+" + re.sub(r"\D", "", phone).lstrip("0"))


def track_events(client: TikTokClient, pixel_code: str, events: Sequence[dict], *,
                 event_source: str = "web", test_event_code: str | None = None,
                 partner_name: str | None = None) -> dict:
    """Send up to 1,000 events for one pixel; one invalid event fails the whole batch.

    Re-sending after a timeout is safe when each event carries an ``event_id`` (TikTok drops
    duplicates for 48 hours). ``test_event_code`` goes top-level, beside ``event_source``.
    """
    events = list(events)
    if not events or len(events) > MAX_EVENTS:
        raise TikTokRequestError(f"event/track/: {len(events)} events, 1 to {MAX_EVENTS} allowed",
                                 code=40061, path="event/track/")
    body = {"event_source": event_source, "event_source_id": pixel_code, "data": events}
    if test_event_code:
        body["test_event_code"] = test_event_code
    if partner_name:
        body["partner_name"] = partner_name
    return client.post("event/track/", body)
