"""JSON endpoints: the caller's stores, one store's settings, its snippets, and the OpenAPI document."""
from flask import Blueprint, current_app, request

import snippets
from server.api import authentication, openapi, payload
from server.auth import access
from server.auth.guards import current_caller, login_required, store_required
from server.clock import as_utc
from server.errors import NotFound, ValidationError
from server.extensions import db
from server.stores.service import store_settings, update_store_as
from server.stores.snippets import event_snippets, head_snippet

bp = Blueprint("api", __name__, url_prefix="/api/v1")
authentication.register(bp)

SNIPPET_NAMES = ("head", *snippets.EVENTS, "Purchase")


def _store_json(grant):
    body = {**store_settings(grant.store), "role": grant.role}
    # SQLite hands timestamps back without their zone; the API always says UTC (RFC 3339).
    store = grant.store
    body["created_at"], body["updated_at"] = _utc_text(store.created_at), _utc_text(store.updated_at)
    body["tiktok"] = {**body["tiktok"], "changed_at": _utc_text(store.tiktok_state_changed_at)}
    return body


def _utc_text(moment):
    return as_utc(moment).isoformat() if moment is not None else None


def _platform(store):
    platform = request.args.get("platform") or store.platform
    if platform not in snippets.PLATFORMS:
        raise ValidationError(f"platform: choose one of {', '.join(snippets.PLATFORMS)}",
                              fields={"platform": f"choose one of {', '.join(snippets.PLATFORMS)}"})
    return platform


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3 description of this API."""
    return openapi.document(current_app.config["TTC_PUBLIC_URL"], current_app.config["SESSION_COOKIE_NAME"],
                            current_app.extensions.get("ttc_openapi"))


@bp.get("/stores")
@login_required
def stores():
    """The stores the caller may see."""
    return {"stores": [_store_json(grant) for grant in access.visible_stores(db.session, current_caller())]}


@bp.get("/stores/<key>")
@store_required("read")
def store(grant):
    """One store's settings."""
    return _store_json(grant)


@bp.patch("/stores/<key>")
@store_required("write")
def store_update(grant):
    """Change some of a store's settings; answers the store as it now is."""
    values = payload.store_changes(request.get_json(silent=True))
    try:
        update_store_as(db.session, current_caller(), grant.store, **values)
    except ValidationError as error:
        db.session.rollback()
        raise payload.json_fields(error) from None
    return _store_json(grant)


@bp.get("/stores/<key>/snippets")
@store_required("read")
def store_snippets(grant):
    """The head snippet and every event snippet for the store's platform (or ?platform=)."""
    platform = _platform(grant.store)
    return {"store": grant.store.public_key, "platform": platform,
            "head": head_snippet(grant.store), "events": event_snippets(grant.store, platform)}


@bp.get("/stores/<key>/snippets/<event>")
@store_required("read")
def store_snippet(grant, event):
    """One snippet: ``head`` or an event (Purchase is the order snippet), for ?platform= or the store's."""
    if event not in SNIPPET_NAMES:
        raise NotFound(f"no snippet named {event!r}; choose one of {', '.join(SNIPPET_NAMES)}")
    platform = _platform(grant.store)
    try:
        text = head_snippet(grant.store) if event == "head" else snippets.render_event(event, platform,
                                                                                         grant.store.currency)
    except snippets.SnippetError as error:  # an event the platform does not report, or a one-script platform
        raise ValidationError(str(error), fields={"event": str(error)}) from None
    return {"store": grant.store.public_key, "event": event, "platform": platform, "snippet": text}
