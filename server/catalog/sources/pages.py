"""The "Catalog source" card on the Catalog page: choose the kind, fill it in, test, save, sync now."""
from flask import flash, jsonify, make_response, redirect, request, url_for

from server import admin
from server.auth import sessions
from server.auth.guards import current_caller, store_required
from server.catalog.sources import ecwid_oauth, schedule, service
from server.catalog.sources.api import source_fields
from server.connect.oauth_state import signed_store_key
from server.errors import AppError
from server.extensions import db

bp = admin.page_blueprint("catalog_source_admin", __name__)


def card_context(store):
    """What the card shows: the source (no secrets), the VTEX notification URL, the kinds."""
    source = service.get_source(db.session, store)
    described = service.describe(db.session, store, source) if source else None
    if described and source.kind == "vtex":
        described["notification_url"] = service.notification_url(store, source)
    return {"source": described, "kinds": service.KIND_LABELS, "ecwid_oauth": ecwid_oauth.enabled()}


def with_form_actions(rendered):
    """The Catalog page as a response: its "Connect with Ecwid" form answers with a redirect to Ecwid."""
    if not ecwid_oauth.enabled():
        return rendered
    return admin.allow_form_to(rendered, ecwid_oauth.oauth_base())


def _back(store):
    return redirect(url_for("catalog_admin.catalog", key=store.public_key) + "#catalog-source")


def _transient(store, form):
    return service.unsaved_source(store, *source_fields(form))


def _found_sentence(found):
    parts = [found.get("name") or "(no name)", found.get("country"), found.get("currency")]
    count = found.get("product_count")
    text = ", ".join(str(p) for p in parts if p) + (f", {count} products" if count is not None else "")
    return text + "".join(f". {w[0].upper()}{w[1:]}" for w in found.get("warnings") or []) + "."


@bp.post("/stores/<key>/catalog/source/test")
@store_required("write")
def source_test(grant):
    """Test connection with what the form holds, before saving: JSON for the card's script, else a notice."""
    try:
        found = service.test_connection(db.session, grant.store, _transient(grant.store, request.form))
    except AppError as error:
        if request.accept_mimetypes.best == "application/json":
            return jsonify({"ok": False, "message": error.message, "fields": error.fields}), 200
        flash(f"Test connection failed: {error.message}", "error")
        return _back(grant.store)
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"ok": True, "found": found, "sentence": _found_sentence(found)})
    flash(f"Connected: {_found_sentence(found)}", "success")
    return _back(grant.store)


@bp.post("/stores/<key>/catalog/source")
@store_required("write")
def source_save(grant):
    """Save the source (and its pull times)."""
    try:
        kind, settings, credentials = source_fields(request.form)
        times = schedule.parse_times(request.form["times"]) if request.form.get("times") else None
        service.set_source(db.session, grant.store, kind, settings, credentials, times=times)
        if kind == "vtex":
            notifications = service.setup_notifications(db.session, grant.store)
            if not notifications["configured"]:
                flash("VTEX did not let us register the change notifications: follow the steps shown.", "error")
    except AppError as error:
        db.session.rollback()
        flash(f"The catalog source was not saved: {error.message} "
              + "; ".join(f"{k}: {v}" for k, v in error.fields.items()), "error")
        return _back(grant.store)
    flash(f"Catalog source saved: {service.KIND_LABELS[kind]}. The first pull starts within a minute.", "success")
    return _back(grant.store)


@bp.post("/stores/<key>/catalog/source/pull")
@store_required("write")
def source_pull(grant):
    """Pull the whole catalog from the source now."""
    try:
        service.require_source(db.session, grant.store)
        service.queue_pull(db.session, grant.store)
    except AppError as error:
        flash(error.message, "error")
    else:
        flash("A pull from the catalog source is queued.", "success")
    return _back(grant.store)


@bp.post("/stores/<key>/catalog/source/ecwid/connect")
@store_required("write")
def ecwid_connect(grant):
    """Send the merchant to Ecwid to authorize the app for their store (a fresh, signed state)."""
    try:
        url = ecwid_oauth.start(db.session, grant.store, current_caller().user)
    except AppError as error:
        flash(f"The Ecwid store was not connected: {error.message}", "error")
        return _back(grant.store)
    return redirect(url, code=303)


@bp.get(ecwid_oauth.CALLBACK_PATH)
def ecwid_callback():
    """Where Ecwid sends the merchant back with ``code`` (and ``store_id``), or ``error``: the Catalog
    page says what came of it; a state naming no store of ours gets a page of its own."""
    user = sessions.current_user()
    try:
        done = ecwid_oauth.complete(db.session, request.args, user)
    except AppError as error:
        db.session.rollback()
        key = signed_store_key(request.args.get("state"), ecwid_oauth.PURPOSE)
        if key is None or user is None:
            return _no_referrer(*admin.render_page("error.html", error.status, message=error.message,
                                                   title="This Ecwid authorization cannot be used"))
        flash(f"The Ecwid store was not connected: {error.message}", "error")
        return _no_referrer(*_to_catalog(key))
    flash(f"Connected with Ecwid: {_found_sentence(done.found)} The first pull starts within a minute.", "success")
    return _no_referrer(*_to_catalog(done.store.public_key))


def _to_catalog(key):
    response = redirect(url_for("catalog_admin.catalog", key=key) + "#catalog-source")
    return response, response.status_code


def _no_referrer(body, code):
    response = make_response(body, code)
    response.headers["Referrer-Policy"] = "no-referrer"  # the callback URL carried the code
    return response
