"""What shoppers' browsers get for one store: the public configuration, as a script and as JSON.

Both are built once per store version into immutable bytes plus ready-made header lists, so that
answering a request is a dictionary lookup and a comparison.
"""
import hashlib
import json
from dataclasses import dataclass

JS_TYPE = "application/javascript; charset=utf-8"
JSON_TYPE = "application/json"


def public_config(store, extra=None, fields=()):
    """The fields a browser may see; never a token or an internal id. ``fields`` are the features'
    additions (``server.pixel.add_public_fields``): each ``function(store) -> dict``."""
    live = store.pixel_live
    config = {
        "enabled": live,
        "pixel_code": store.pixel_code if live else None,
        "events": [_event_name(store, name) for name in store.events or []] if live else [],
        "order_event": store.order_event,
        "currency": store.currency,
        "consent_mode": store.consent_mode,
        "advanced_matching": bool(store.advanced_matching),
        "domains": list(store.domains or []),  # the loader stays quiet on any other host
    }
    for more in fields:
        config.update(more(store))
    config.update(extra or {})
    return config


def _event_name(store, name):
    return store.order_event if name == "PlaceAnOrder" else name


@dataclass(frozen=True)
class Representation:
    """One response body with its validators and headers, ready to send."""

    body: bytes
    etag: str
    headers: tuple  # for a 200, without CORS
    not_modified_headers: tuple  # for a 304
    origins: frozenset  # origins allowed to read it cross-site (JSON only)


def file_time(body):
    """The modification time a published copy of ``body`` carries (``server.pixel.published``): 31
    bits of its SHA-256, so that every worker gives the same bytes the same time."""
    return int.from_bytes(hashlib.sha256(body).digest()[:4], "big") >> 1


def strong_etag(body):
    """A strong validator for these exact bytes, written as nginx writes a static file's
    (``"<mtime in hex>-<size in hex>"``), so that nginx serving a published copy (its mtime set to
    ``file_time``) sends the same ETag and answers the same If-None-Match with a 304. It changes when
    the bytes do, unless a change keeps the size and also maps to the same 31 bits (one in 2**31)."""
    return f'"{file_time(body):x}-{len(body):x}"'


def build(body, content_type, *, cache_control, origins=frozenset(), vary_origin=False, extra=()):
    """A Representation of ``body`` with its ETag and cache headers (and ``extra`` headers)."""
    etag = strong_etag(body)
    common = [("ETag", etag), ("Cache-Control", cache_control), ("X-Content-Type-Options", "nosniff"), *extra]
    if vary_origin:
        common.append(("Vary", "Origin"))
    else:  # the script is loaded by <script src> from any shop page
        common.append(("Cross-Origin-Resource-Policy", "cross-origin"))
    full = [("Content-Type", content_type), ("Content-Length", str(len(body)))] + common
    return Representation(body, etag, tuple(full), tuple(common), frozenset(origins))


def allowed_origins(domains):
    """Browser origins of a store's own shop domains."""
    origins = set()
    for domain in domains or []:
        origins.add("https://" + domain)
        origins.add("http://" + domain)
    return frozenset(origins)


def config_json(config):
    """The JSON body for config.json (compact, stable key order)."""
    return json.dumps(config, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def matches(if_none_match, etag):
    """Whether an If-None-Match header matches this ETag (weak comparison, as RFC 9110 asks)."""
    if if_none_match.strip() == "*":
        return True
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate.startswith("W/"):
            candidate = candidate[2:]
        if candidate == etag:
            return True
    return False


def respond(rep, method, if_none_match, origin):
    """(status line, headers, body) for one request; shared by the fast path and the Flask view."""
    headers = None
    if if_none_match and matches(if_none_match, rep.etag):
        status, headers, body = "304 Not Modified", list(rep.not_modified_headers), b""
    else:
        status, headers, body = "200 OK", list(rep.headers), rep.body
    if origin and origin in rep.origins:
        headers.append(("Access-Control-Allow-Origin", origin))
    if method == "HEAD":
        body = b""
    return status, headers, body
