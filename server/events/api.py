"""``POST /api/v1/stores/<key>/orders``: the store's backend reports an order (API key or session),
and its part of the OpenAPI document."""
from flask import Blueprint, request

from server.api import authentication, extend_document
from server.auth.csrf import csrf
from server.auth.guards import store_required
from server.events import intake
from server.events.orders import parse_order
from server.extensions import db

bp = Blueprint("events_api", __name__, url_prefix="/api/v1")
authentication.register(bp)


def init_app(app):
    """Register the endpoint (CSRF is the API authentication's business) and document it."""
    csrf.exempt(bp)
    app.register_blueprint(bp)
    extend_document(app, paths=PATHS, schemas=SCHEMAS)


@bp.post("/stores/<key>/orders")
@store_required("write")
def order_report(grant):
    """Report an order from the store's backend; it is relayed to TikTok once, with the browser's."""
    order = parse_order(request.get_json(silent=True), grant.store)
    row = intake.record_order(db.session, grant.store, order)
    return {"event": row.event, "event_id": row.event_id, "seen": row.seen, "status": row.status,
            "message": row.message}, 202


REF = "#/components/schemas/"
STRINGS = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1,
                                                         "maxItems": 5}]}
SCHEMAS = {
    "OrderReport": {"type": "object", "required": ["order_id", "value"], "additionalProperties": False,
                    "properties": {
                        "order_id": {"oneOf": [{"type": "string", "minLength": 1, "maxLength": 90},
                                               {"type": "integer", "minimum": 0}]},
                        "event_id": {"type": "string", "minLength": 1, "maxLength": 100,
                                     "description": "Defaults to order:<order_id>, the id the loader gives "
                                                    "the browser's order event (so TikTok counts it once)."},
                        "value": {"type": "number", "minimum": 0}, "currency": {"type": "string",
                                                                                "pattern": "^[A-Za-z]{3}$"},
                        "contents": {"type": "array", "items": {"type": "object", "properties": {
                            "content_id": {"type": "string"}, "content_name": {"type": "string"},
                            "price": {"type": "number"}, "quantity": {"type": "integer"}}}},
                        "email": STRINGS, "phone": STRINGS, "external_id": STRINGS,
                        **{name: {"type": "string", "description": "Hashed before it is kept; used only when "
                                                                   "the store has advanced matching on."}
                           for name in ("first_name", "last_name", "city", "state", "zip_code")},
                        "country": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
                        "locale": {"type": "string", "description": "A language tag such as en-US."},
                        "ip": {"type": "string"}, "user_agent": {"type": "string"},
                        "page_url": {"type": "string", "format": "uri"},
                        "event_time": {"type": "integer", "description": "Unix seconds; defaults to now."},
                        "consent": {"type": "string", "enum": ["granted", "denied"],
                                    "description": "Needed for stores in consent mode hold."},
                        "limited_data_use": {"type": "boolean"}}},
    "OrderAccepted": {"type": "object", "required": ["event", "event_id", "seen", "status"], "properties": {
        "event": {"type": "string"}, "event_id": {"type": "string"},
        "seen": {"type": "string", "enum": ["server", "both"]},
        "status": {"type": "string", "enum": ["pending", "sent", "failed", "dropped"]},
        "message": {"type": ["string", "null"]}}},
}
PATHS = {
    "/stores/{key}/orders": {"post": {
        "operationId": "reportOrder",
        "summary": "Report an order from the store's backend, to be sent to TikTok as a server event.",
        "description": "Email, phone and external_id are hashed (SHA-256, normalised as TikTok asks) on "
                       "arrival. The store's browser order event carries the same event_id, so the two "
                       "are sent once. Needs server events on and the store connected to TikTok.",
        "parameters": [{"name": "key", "in": "path", "required": True, "description": "The store's public key.",
                        "schema": {"type": "string", "minLength": 8, "maxLength": 43}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": REF + "OrderReport"}}}},
        "responses": {
            "202": {"description": "Kept; relayed shortly (status pending), or dropped (no consent).",
                    "content": {"application/json": {"schema": {"$ref": REF + "OrderAccepted"}}}},
            **{status: {"description": description,
                        "content": {"application/json": {"schema": {"$ref": REF + "Error"}}}}
               for status, description in (
                   ("401", "No credentials, or an API key that is wrong or revoked."),
                   ("403", "A member (read-only) tried a change, or the session caller sent no CSRF token."),
                   ("404", "No such store, or one the caller may not see."),
                   ("409", "The store does not send server events (off, or not connected to TikTok)."),
                   ("422", "A field is wrong; `fields` says which and why."))}}}},
}
