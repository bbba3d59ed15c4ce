"""The signed change webhook under /hooks: the store's platform says which products changed."""
from flask import Blueprint, current_app, request

from server import strictjson
from server.bodysize import allow_larger_body
from server.catalog import service
from server.catalog.intake import signatures
from server.errors import NotFound
from server.extensions import db
from server.stores.service import find_store

hooks = Blueprint("catalog_hooks", __name__, url_prefix="/hooks")


@hooks.post("/<key>/products")
@allow_larger_body("TTC_CATALOG_MAX_BODY")
def products_changed(key):
    """The store's platform says products changed (signed): store them and sync them at once."""
    store = find_store(db.session, key)
    if store is None:
        raise NotFound("unknown store key")
    body = signatures.verify_stream(db.session, store, request.stream,
                                    timestamp=request.headers.get("X-TTC-Timestamp"),
                                    signature=request.headers.get("X-TTC-Signature"),
                                    tolerance=current_app.config["TTC_WEBHOOK_TOLERANCE_SECONDS"])
    return service.apply_webhook(db.session, store, _json_or_none(body)), 202


def _json_or_none(body):
    try:
        return strictjson.loads(body)
    except strictjson.UnreadableJSON:
        return None
