"""The hot path: answer /pixel/<key>.js, /pixel/<key>/ecwid.js and /pixel/<key>/config.json from
memory, before Flask.

Every page view of every store comes here. When the worker already holds the store's current bytes
(the common case) the answer costs a dictionary lookup and one shared-memory read: no database, no
Flask request context. Anything else (first sight of a store, a change, an unknown key, other
methods) falls through to the Flask view, which rebuilds the cache entry and answers the same bytes.
"""
from server.pixel import representation as rep

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

    def __init__(self, app, cache):
        self.app = app
        self.cache = cache

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        if method == "GET" or method == "HEAD":
            target = parse_path(environ.get("PATH_INFO", ""))
            if target is not None:
                entry = self.cache.fresh(target[0])
                if entry is not None:
                    representation = getattr(entry, target[1])
                    status, headers, body = rep.respond(
                        representation, method, environ.get("HTTP_IF_NONE_MATCH"), environ.get("HTTP_ORIGIN"))
                    start_response(status, headers)
                    return [body]
        return self.app(environ, start_response)
