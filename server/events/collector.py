"""The collector: the browser's beacon in, a 204 out, the beacon in the spool for the relay.

On the request, only what the headers tell is checked, cheapest first and the same way for every
store, so an answer never tells whether a store is switched off: size (before reading the body),
store key, origin, bot, rate. The 204 goes out then. The spool's writer buffers the body as it came
(``prepare``); the relay job reads it when it files the store's events (``read_buffered``), where an
unknown event, a malformed beacon, an event the store does not fire, or one without the consent a
hold-mode store needs is dropped. A beacon carrying personal data for advanced matching (``user``)
is read, and that data hashed, before it is buffered: clear values never reach the database. A
beacon's answer is never read by the page, so nothing is lost by not waiting for the body's verdict;
the web worker does the least a beacon needs, and its shopper's browser gets the answer as fast as
the pixel script.
"""
import logging
import socket
import time
from collections import Counter
from typing import NamedTuple
from urllib.parse import urlsplit

from server.events import beacon as beacons
from server.events import normalise
from server.events.bots import is_bot
from server.events.errors import BeaconRefused

log = logging.getLogger(__name__)
REFUSAL_LOG_SECONDS = 60  # at most one log line per store this often about refused beacons


class Outcome(NamedTuple):
    """The answer: an HTTP status, and the origin to allow in CORS (None: no header)."""

    status: int
    origin: str | None = None
    kept: bool = False  # the event went to the spool
    error: BeaconRefused | None = None


class Collector:
    """The request checks, a rate limiter and a spool; one per application."""

    def __init__(self, *, max_body, limiter, spool, trusted_proxies=0, allow_headless=False, clock=time.time):
        self.max_body = max_body
        self.limiter = limiter
        self.spool = spool
        self.trusted_proxies = trusted_proxies
        self.allow_headless = allow_headless
        self.clock = clock
        self._refusals_logged = {}  # store id -> when a refusal was last logged

    def accept(self, entry, environ):
        """Check one beacon's request (a WSGI environ) against the store's entry and spool it;
        returns an Outcome."""
        try:
            origin, length = self._check_request(entry, environ)
        except BeaconRefused as error:
            return Outcome(error.status, error=error)
        body = environ["wsgi.input"].read(length) if length else b""  # drained: the connection stays usable
        user_agent = environ.get("HTTP_USER_AGENT")
        if is_bot(user_agent, allow_headless=self.allow_headless):
            return Outcome(204, origin)
        ip = client_ip(environ.get("REMOTE_ADDR"), environ.get("HTTP_X_FORWARDED_FOR"), self.trusted_proxies)
        if not self.limiter.allow(entry.store_id, ip):  # for every store alike: a 429 tells nothing about it
            error = BeaconRefused("too many events from this address; try again in a minute", status=429,
                                  code="rate_limited")
            return Outcome(429, origin, error=error)
        if not entry.accepting:
            return Outcome(204, origin)
        kept = self.spool.add((entry, body, ip, user_agent, int(self.clock())))
        return Outcome(204 if kept else 503, origin, kept=kept)

    def prepare(self, received):
        """The rows to buffer from spooled beacons ``(entry, body, ip, user agent, unix time)``.

        A beacon is buffered as its text, to be read by the relay job (``read_buffered``), unless it
        may carry personal data (a ``user`` object, or JSON escapes that could spell one) or is not
        UTF-8: that one is read here and its match keys hashed, and what fails is dropped now (kept as
        a ``settled_row`` so the store's account counts it)."""
        rows = []
        for number, (entry, body, ip, user_agent, when) in enumerate(received):
            user_agent = (user_agent or "")[:500]
            if b'"user"' not in body and b"\\u" not in body:
                try:
                    rows.append({"store_id": entry.store_id, "beacon": body.decode("utf-8"), "ip": ip,
                                 "user_agent": user_agent, "event_time": when, "hold": entry.hold})
                    continue
                except UnicodeDecodeError:
                    pass
            if number % 16 == 15:
                time.sleep(0)  # this runs beside the request threads: let them have the interpreter
            try:
                row = read_beacon(entry, body, ip, user_agent, when)
            except BeaconRefused as error:
                self._note_refusal(entry.store_id, error)
                row = refusal_skip(error)
            rows.append(settled_row(entry, row, when) if isinstance(row, Skip) else row)
        return rows

    def _note_refusal(self, store_id, error):
        self.note_refusals(store_id, 1, error.message)

    def note_refusals(self, store_id, count, message):
        """Log dropped beacons, at most once a minute per store: the answer (204) went out before the
        body was read, so the log is where a developer sees why; a flood must not flood the log."""
        now = time.monotonic()
        if now - self._refusals_logged.get(store_id, -REFUSAL_LOG_SECONDS) >= REFUSAL_LOG_SECONDS:
            self._refusals_logged[store_id] = now
            log.info("store %s: %d beacon(s) dropped: %s (more are not logged for a minute)", store_id, count,
                     message)

    def _check_request(self, entry, environ):
        """Size, store and origin, before anything is read; returns the page's origin and the size."""
        raw = environ.get("CONTENT_LENGTH")
        if not raw:
            raise BeaconRefused("send the body with a Content-Length", status=411, code="length_required")
        try:
            length = int(raw)
        except ValueError:
            length = -1
        if length < 0 or length > self.max_body:
            raise BeaconRefused(f"the body is larger than {self.max_body} bytes", status=413, code="too_large")
        if entry.store_id is None:
            raise BeaconRefused("unknown store key", status=404, code="not_found")
        origin = request_origin(environ.get("HTTP_ORIGIN"), environ.get("HTTP_REFERER"))
        if origin is None or origin not in entry.origins:
            raise BeaconRefused("events are taken only from the store's own pages", status=403,
                                code="foreign_origin")
        return origin, length


class Skip(NamedTuple):
    """A readable beacon the store does not relay: its outcome in the store's account, and why."""

    outcome: str  # "dropped" | "held"
    reason: str


NOT_SENT_EVENT = Skip("dropped", "the store does not send this event")
NO_CONSENT = Skip("held", "the page did not grant consent")
REFUSAL_REASONS = {"unreadable": "unreadable body", "unknown_event": "unknown event name"}


def read_beacon(entry, body, ip, user_agent, when, *, hold=None):
    """The event row for one beacon of the store ``entry`` describes, or a Skip when the store does
    not fire that event or holds it (``hold``: whether it did when the beacon came; by default,
    whether it does) for a consent the page did not give; raises BeaconRefused."""
    event = beacons.parse(body, country=entry.country)
    name = entry.order_event if event.event in beacons.ORDER_EVENTS else event.event
    if name not in entry.events:
        return NOT_SENT_EVENT
    if (entry.hold if hold is None else hold) and not event.consented:
        return NO_CONSENT
    keys = event.match_keys
    if not entry.advanced_matching:  # the shopper's name, address and locale only with advanced matching
        keys = {name: value for name, value in keys.items() if name not in normalise.PROFILE_KEYS}
    context = {"url": event.url, "referrer": event.referrer, "ttclid": event.ttclid, "ttp": event.ttp,
               "ip": ip, "user_agent": user_agent, **keys}
    return {"store_id": entry.store_id, "event": name, "event_id": event.event_id, "consented": event.consented,
            "limited_data_use": event.limited, "event_time": when,
            "context": {key: value for key, value in context.items() if value}, "properties": event.properties}


def refusal_skip(error):
    """The account's entry for a beacon refused when it was read."""
    return Skip("dropped", REFUSAL_REASONS.get(error.code, "malformed beacon"))


def settled_row(entry, skip, when):
    """A buffer row for a beacon that ended as it was read (kept so the relay counts it in the account)."""
    return {"store_id": entry.store_id, "settled": skip.outcome, "reason": skip.reason, "event_time": when}


def read_buffered(entry, rows, *, note_refusals=None, tally=None):
    """Buffered rows made event rows for the store ``entry`` describes: beacons kept as text
    (``Collector.prepare``) are read now, and what fails is dropped (``note_refusals`` logs it);
    ``tally`` (a Counter) gets (outcome, reason) for each beacon that ends here. Consent is judged by
    the store's mode when the beacon came; a store that starts holding later has its unconsented
    events dropped, and shown dropped, by the relay."""
    events, refused, first = [], 0, None
    tally = tally if tally is not None else Counter()
    for row in rows:
        if "settled" in row:  # ended when the spool read it
            tally[(row["settled"], row["reason"])] += 1
            continue
        if "beacon" not in row:
            events.append(row)  # read before it was buffered
            continue
        try:
            event = read_beacon(entry, row["beacon"], row.get("ip"), row.get("user_agent"), row["event_time"],
                                hold=row.get("hold"))
        except BeaconRefused as error:
            refused += 1
            first = first or error.message
            event = refusal_skip(error)
        if isinstance(event, Skip):
            tally[(event.outcome, event.reason)] += 1
        else:
            events.append(event)
    if refused and note_refusals is not None:
        note_refusals(entry.store_id, refused, first)
    return events


def request_origin(origin, referer):
    """The page's origin: the Origin header, else the Referer's scheme and host (None if neither)."""
    if origin and origin != "null":
        return origin
    if referer:
        parts = urlsplit(referer)
        if parts.scheme in ("http", "https") and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}"
    return None


def client_ip(remote_addr, forwarded_for, trusted_proxies):
    """The shopper's address: the peer, or, behind ``trusted_proxies`` proxies, the address the
    outermost of them saw (X-Forwarded-For entries further left can be forged by anyone)."""
    if trusted_proxies and forwarded_for:
        if trusted_proxies == 1 and "," not in forwarded_for:
            candidate = forwarded_for.strip()  # one proxy, one address: the usual case
        else:
            hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
            candidate = (hops[-trusted_proxies] if len(hops) >= trusted_proxies else hops[0]) if hops else ""
        if candidate and is_ip(candidate):
            return candidate
    return remote_addr or "0.0.0.0"


def is_ip(text):
    """Whether ``text`` is an IPv4 or IPv6 address (inet_pton: a C call, not a parser in Python)."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, text)
        except (OSError, ValueError):
            continue
        return True
    return False
