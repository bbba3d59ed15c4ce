"""The catalog API under /api/v1 (API key or session): products, categories, state, syncs."""
from flask import Blueprint, request

from server.api import authentication
from server.auth.guards import store_required
from server.bodysize import allow_larger_body
from server.catalog import service
from server.catalog.intake import signatures
from server.catalog.sync import status
from server.catalog.sync.runs import request_sync, run_summary
from server.connect.errors import NotConnected
from server.errors import ValidationError
from server.extensions import db
from server.models.catalog import PRODUCT_STATES

api = Blueprint("catalog_api", __name__, url_prefix="/api/v1")
authentication.register(api)


def _body_list(name):
    body = request.get_json(silent=True)
    if isinstance(body, dict) and isinstance(body.get(name), list):
        return body[name]
    raise ValidationError(f'send a JSON object {{"{name}": [...]}}', fields={name: "must be a list"})


def _intake_answer(result):
    refused_all = result["received"] and not result["accepted"] and result["error_count"]
    return result, 422 if refused_all else 200


@api.put("/stores/<key>/products")
@allow_larger_body("TTC_CATALOG_MAX_BODY")
@store_required("write")
def products_put(grant):
    """Add or update products in bulk; malformed items are refused one by one, the rest kept."""
    return _intake_answer(service.push_products(db.session, grant.store, _body_list("products")))


@api.get("/stores/<key>/products")
@store_required("read")
def products_list(grant):
    """A page of products with their state and reasons (``state``, ``search``, ``limit``, ``offset``)."""
    state = request.args.get("state")
    if state is not None and state not in PRODUCT_STATES:
        raise ValidationError(f"state: one of {', '.join(PRODUCT_STATES)}", fields={"state": "unknown state"})
    limit, offset = _number("limit", 50, 1, 500), _number("offset", 0, 0, 10**9)
    return status.list_products(db.session, grant.store, state=state, search=request.args.get("search"),
                                limit=limit, offset=offset)


def _number(name, default, low, high):
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValidationError(f"{name}: a whole number from {low} to {high}", fields={name: "out of range"})
    return int(raw)


@api.get("/stores/<key>/products/<path:sku>")
@store_required("read")
def product_why(grant, sku):
    """One product: its state and why it is (or is not) on TikTok."""
    return status.explain(db.session, grant.store, sku)


@api.delete("/stores/<key>/products/<path:sku>")
@store_required("write")
def product_delete(grant, sku):
    """Remove a product from the store; it leaves TikTok at the next sync."""
    return service.delete_product(db.session, grant.store, sku)


@api.put("/stores/<key>/categories")
@allow_larger_body("TTC_CATALOG_MAX_BODY")
@store_required("write")
def categories_put(grant):
    """Add or update categories; hiding one keeps its products (and sub-categories') off TikTok."""
    result = service.put_categories(db.session, grant.store, _body_list("categories"))
    return result, 422 if result["received"] and not result["accepted"] else 200


@api.get("/stores/<key>/catalog")
@store_required("read")
def catalog_status(grant):
    """Counts per state, what is on TikTok, the running sync and the sync history."""
    return status.catalog_status(db.session, grant.store)


@api.post("/stores/<key>/catalog/sync")
@store_required("write")
def catalog_sync(grant):
    """Queue a sync now; ``force`` re-uploads even unchanged products, ``id`` only that product."""
    body = request.get_json(silent=True)
    body = {} if body is None and not request.get_data() else body
    if not isinstance(body, dict) or not isinstance(body.get("force", False), bool) or not isinstance(
            body.get("id", ""), str):
        raise ValidationError('send {"force": true|false, "id": "SKU"} (both optional)',
                              fields={"body": "force must be a boolean and id a string"})
    if grant.store.tiktok_state != "connected":
        raise NotConnected("the store is not connected to TikTok; connect it first")
    if body.get("id") or body.get("force"):
        run = service.resync(db.session, grant.store, body.get("id") or None, trigger="api")
    else:
        run = request_sync(db.session, grant.store, kind="full", trigger="api")
        db.session.commit()
    return {"sync": run_summary(run)}, 202


@api.post("/stores/<key>/catalog/webhook-secret")
@store_required("write")
def webhook_secret(grant):
    """Create (or replace) the change-webhook secret; shown in this answer only."""
    return {"secret": signatures.rotate_secret(db.session, grant.store),
            "signature": "X-TTC-Signature: sha256=HMAC-SHA256(secret, '<X-TTC-Timestamp>.<body>')"}, 201
