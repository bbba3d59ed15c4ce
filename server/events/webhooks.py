"""Inbound platform notifications: ``POST /hooks/<key>/ecwid``, every Ecwid webhook of one store,
its signature checked, then dispatched by ``eventType`` (the registry is in ecwid_orders.py)."""
from flask import Blueprint, current_app, request

from server.auth.csrf import csrf
from server.events import ecwid_orders
from server.events.ecwid_orders import SIGNATURE_HEADER, WebhookRefused, dispatch, verify
from server.extensions import db
from server.stores.service import find_store

bp = Blueprint("ecwid_hooks", __name__)
MAX_BODY = 64 * 1024  # Ecwid's webhook bodies are a few hundred bytes


@bp.post("/hooks/<key>/ecwid")
def ecwid_webhook(key):
    """Every Ecwid webhook of one store: signature checked, then dispatched by eventType."""
    secret = current_app.config["TTC_ECWID_CLIENT_SECRET"]
    if not secret:
        # Ecwid retries any answer but a 2xx, so nothing is lost while the operator sets it.
        return {"error": {"code": "not_configured", "message": "Ecwid webhooks need TTC_ECWID_CLIENT_SECRET"}}, 404
    if (request.content_length or 0) > MAX_BODY:
        return {"error": {"code": "too_large", "message": f"the body is larger than {MAX_BODY} bytes"}}, 413
    store = find_store(db.session, key)
    if store is None:
        return {"error": {"code": "not_found", "message": "unknown store key"}}, 404
    payload = request.get_json(silent=True)
    try:
        if not isinstance(payload, dict):
            raise WebhookRefused("the body must be Ecwid's webhook JSON")
        verify(secret, payload, request.headers.get(SIGNATURE_HEADER),
               max_age=current_app.config["TTC_ECWID_WEBHOOK_MAX_AGE"])
        return dispatch(db.session, store, payload), 200
    except WebhookRefused as error:
        return error.to_dict(), error.status


def init_app(app):
    """The registry (with order.created) and the webhook route (Ecwid signs its requests: no CSRF)."""
    ecwid_orders.register(app, "order.created", ecwid_orders.handle_order_created)
    csrf.exempt(bp)
    app.register_blueprint(bp)
