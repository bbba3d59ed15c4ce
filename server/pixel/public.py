"""Flask side of the pixel endpoints: cache misses, unknown keys, CORS preflight."""
from flask import Blueprint, Response, current_app, request

from server.errors import NotFound
from server.extensions import db
from server.pixel import representation as rep
from server.stores.service import find_store

bp = Blueprint("pixel", __name__, url_prefix="/pixel")


def _cached(public_key):
    cache = current_app.extensions["ttc_pixel"].cache
    entry = cache.fresh(public_key) or cache.refresh(public_key, lambda key: find_store(db.session, key, reload=True))
    if entry is None:
        raise NotFound("unknown store key")
    return entry


def _answer(representation):
    status, headers, body = rep.respond(representation, request.method,
                                        request.headers.get("If-None-Match"), request.headers.get("Origin"))
    return Response(body, status=status, headers=headers, direct_passthrough=True)


@bp.get("/<key>.js")
def script(key):
    """The loader script carrying the store's current pixel configuration."""
    return _answer(_cached(key).script)


@bp.get("/<key>/ecwid.js")
def ecwid_script(key):
    """The Ecwid storefront script: binds Ecwid's JS API to the store's loader."""
    return _answer(_cached(key).ecwid)


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
