"""The hot path: answer /pixel/<key>.js, /pixel/<key>/ecwid.js and /pixel/<key>/config.json from
memory, before Flask.

Every page view of every store comes here. When the worker already holds the store's current bytes
(the common case) the answer costs a dictionary lookup and one shared-memory read: no database, no
Flask request context. Anything else (first sight of a store, a change, an unknown key, other
methods) falls through to the Flask views below (``bp``), which rebuild the cache entry and answer the
same bytes. With TTC_PIXEL_PUBLISH_DIR set, a script answered here is also written there
(``server.pixel.published``) for nginx to answer the next ones by itself.
"""
from flask import Blueprint, Response, current_app, request

from server.errors import NotFound
from server.extensions import db
from server.pixel import representation as rep
from server.stores.service import find_store

PREFIX = "/pixel/"
SCRIPT_SUFFIX = ".js"
CONFIG_SUFFIX = "/config.json"
ECWID_SUFFIX = "/ecwid.js"


def parse_path(path):
    """(store key, "script" | "ecwid" | "config") for a pixel path, else None."""
    if not path.startswith(PREFIX):
        return None
    if path.endswith(ECWID_SUFFIX):
        key, kind = path[len(PREFIX):-len(ECWID_SUFFIX)], "ecwid"
    elif path.endswith(SCRIPT_SUFFIX):
        key, kind = path[len(PREFIX):-len(SCRIPT_SUFFIX)], "script"
    elif path.endswith(CONFIG_SUFFIX):
        key, kind = path[len(PREFIX):-len(CONFIG_SUFFIX)], "config"
    else:
        return None
    if not key or "/" in key:
        return None
    return key, kind


class PixelEdge:
    """WSGI middleware serving fresh cached pixel responses; everything else goes to ``app``."""

    def __init__(self, app, cache, publisher=None):
        self.app = app
        self.cache = cache
        self.publisher = publisher  # server.pixel.published.Publisher, when scripts are published

    def __call__(self, environ, start_response):
        publisher = self.publisher
        if publisher is not None and not publisher.sweeping:
            publisher.start()
        method = environ["REQUEST_METHOD"]
        if method == "GET" or method == "HEAD":
            target = parse_path(environ.get("PATH_INFO", ""))
            if target is not None:
                entry = self.cache.fresh(target[0])
                if entry is not None:
                    representation = getattr(entry, target[1])
                    if publisher is not None and target[1] != "config":
                        publisher.ensure(target[0], entry)
                    status, headers, body = rep.respond(
                        representation, method, environ.get("HTTP_IF_NONE_MATCH"), environ.get("HTTP_ORIGIN"))
                    start_response(status, headers)
                    return [body]
        return self.app(environ, start_response)


# The Flask side of the same URLs: cache misses, unknown keys, CORS preflight.
bp = Blueprint("pixel", __name__, url_prefix="/pixel")


def _cached(public_key):
    cache = current_app.extensions["ttc_pixel"].cache
    entry = cache.fresh(public_key) or cache.refresh(public_key, lambda key: find_store(db.session, key, reload=True))
    if entry is None:
        raise NotFound("unknown store key")
    return entry


def _published(key, entry):
    publisher = current_app.extensions["ttc_pixel"].publisher
    if publisher is not None:
        publisher.ensure(key, entry)
    return entry


def _answer(representation):
    status, headers, body = rep.respond(representation, request.method,
                                        request.headers.get("If-None-Match"), request.headers.get("Origin"))
    return Response(body, status=status, headers=headers, direct_passthrough=True)


@bp.get("/<key>.js")
def script(key):
    """The loader script carrying the store's current pixel configuration."""
    return _answer(_published(key, _cached(key)).script)


@bp.get("/<key>/ecwid.js")
def ecwid_script(key):
    """The Ecwid storefront script: binds Ecwid's JS API to the store's loader."""
    return _answer(_published(key, _cached(key)).ecwid)


@bp.get("/<key>/config.json", provide_automatic_options=False)
def config(key):
    """The store's public pixel configuration as JSON, for headless front ends."""
    return _answer(_cached(key).config)


@bp.route("/<key>/config.json", methods=["OPTIONS"])
def config_preflight(key):
    """CORS preflight for config.json from the store's own origins."""
    entry = _cached(key)
    response = Response(status=204)
    origin = request.headers.get("Origin")
    if origin and origin in entry.config.origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
    response.headers["Vary"] = "Origin"
    return response
