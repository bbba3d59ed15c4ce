"""The collector's HTTP side: a fast path in front of Flask (like the pixel's), and the Flask views
for a cache miss and the CORS preflight.

Every event of every shopper comes here. When the worker already knows the store (the common case)
the answer costs the checks and a list append: no database, no Flask request context. A store the
worker has not seen, or one that changed, falls through to the Flask view, which reads it, caches
it, and answers the same way.
"""
import json

from flask import Blueprint, Response, current_app, request

from server.events.collector import request_origin
from server.extensions import db
from server.stores.service import find_store

PREFIX = "/pixel/"
SUFFIX = "/events"
STATUS_LINES = {204: "204 No Content", 400: "400 Bad Request", 403: "403 Forbidden", 404: "404 Not Found",
                411: "411 Length Required", 413: "413 Content Too Large", 429: "429 Too Many Requests",
                503: "503 Service Unavailable"}

bp = Blueprint("events", __name__, url_prefix="/pixel")


def collector_key(path):
    """The store key of a collector path (``/pixel/<key>/events``), else None."""
    if not (path.startswith(PREFIX) and path.endswith(SUFFIX)):
        return None
    key = path[len(PREFIX):-len(SUFFIX)]
    return key if key and "/" not in key else None


_ANSWERED = {}  # allowed origin -> the headers of a plain 204 for it (a store has a few origins)


def respond(outcome):
    """(status line, headers, body) for a collector Outcome."""
    if outcome.error is None and outcome.status == 204 and outcome.origin:
        headers = _ANSWERED.get(outcome.origin)
        if headers is None:
            headers = [("Cache-Control", "no-store"), ("Access-Control-Allow-Origin", outcome.origin),
                       ("Vary", "Origin")]
            if len(_ANSWERED) < 10_000:
                _ANSWERED[outcome.origin] = headers
        return "204 No Content", list(headers), b""
    headers = [("Cache-Control", "no-store")]
    body = b""
    if outcome.error is not None:
        body = json.dumps({"error": {"code": outcome.error.code, "message": outcome.error.message}}).encode()
        headers += [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        if outcome.status == 429:
            headers.append(("Retry-After", "60"))
    if outcome.origin:
        headers += [("Access-Control-Allow-Origin", outcome.origin), ("Vary", "Origin")]
    return STATUS_LINES.get(outcome.status, f"{outcome.status} Error"), headers, body


class CollectorEdge:
    """WSGI middleware answering collector requests for stores this worker knows; the rest goes on."""

    def __init__(self, app, state):
        self.app = app
        self.state = state

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] == "POST":
            key = collector_key(environ.get("PATH_INFO", ""))
            if key is not None:
                entry = self.state.cache.fresh(key)
                if entry is not None:
                    status, headers, body = respond(self.state.collector.accept(entry, environ))
                    start_response(status, headers)
                    return [body]
        return self.app(environ, start_response)


def _entry(key):
    state = current_app.extensions["ttc_events"]
    return state.cache.fresh(key) or state.cache.refresh(key, lambda k: find_store(db.session, k, reload=True))


@bp.post("/<key>/events", provide_automatic_options=False)
def collect(key):
    """The collector: one event beaconed by the store's loader, answered with 204."""
    state = current_app.extensions["ttc_events"]
    status, headers, body = respond(state.collector.accept(_entry(key), request.environ))
    return Response(body, status=int(status[:3]), headers=headers)


@bp.route("/<key>/events", methods=["OPTIONS"])
def collect_preflight(key):
    """CORS preflight for front ends that post JSON (the loader's text/plain beacons need none)."""
    response = Response(status=204)
    origin = request_origin(request.headers.get("Origin"), None)
    if origin and origin in _entry(key).origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    response.headers["Vary"] = "Origin"
    return response
