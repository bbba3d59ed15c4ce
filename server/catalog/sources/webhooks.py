"""The platforms' change notifications for catalog sources, under /hooks."""
from flask import Blueprint, request

from server import strictjson
from server.catalog.sources import changes
from server.errors import NotFound, ValidationError
from server.extensions import db
from server.stores.service import find_store

hooks = Blueprint("catalog_source_hooks", __name__, url_prefix="/hooks")
MAX_HOOK_BODY = 64 * 1024  # one SKU or one event: a few hundred bytes


def _hook_store(key):
    store = find_store(db.session, key)
    if store is None:
        raise NotFound("unknown store key")
    if (request.content_length or 0) > MAX_HOOK_BODY:
        raise ValidationError(f"the body is larger than {MAX_HOOK_BODY} bytes")
    return store


def _hook_body():
    body = request.stream.read(MAX_HOOK_BODY + 1)
    if len(body) > MAX_HOOK_BODY:
        raise ValidationError(f"the body is larger than {MAX_HOOK_BODY} bytes")
    return body


@hooks.post("/<key>/vtex/<secret>")
def vtex_notification(key, secret):
    """VTEX's affiliate notification (no signature: the secret is in the path); the SKU is re-read."""
    store = _hook_store(key)
    body = _hook_body()
    try:
        payload = strictjson.loads(body)
    except ValueError:
        raise ValidationError("the notification is not JSON") from None
    return changes.vtex_notification(db.session, store, secret, payload), 200
