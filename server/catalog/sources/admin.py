"""The "Catalog source" card on the Catalog page: choose the kind, fill it in, test, save, sync now."""
from flask import flash, jsonify, redirect, request, url_for

from server import admin
from server.auth.guards import store_required
from server.catalog.sources import schedule, service
from server.catalog.sources.views import source_fields
from server.errors import AppError
from server.extensions import db
from server.models.catalog_source import CatalogSource
from server.security import encrypt_secret

bp = admin.page_blueprint("catalog_source_admin", __name__)


def card_context(store):
    """What the card shows: the source (no secrets), the VTEX notification URL, the kinds."""
    source = service.get_source(db.session, store)
    described = service.describe(db.session, store, source) if source else None
    if described and source.kind == "vtex":
        described["notification_url"] = service.notification_url(store, source)
    return {"source": described, "kinds": service.KIND_LABELS}


def _back(store):
    return redirect(url_for("catalog_admin.catalog", key=store.public_key) + "#catalog-source")


def _transient(store, form):
    kind, settings, credentials = source_fields(form)
    service.check_fields(kind, settings, credentials)
    return CatalogSource(store_id=store.id, kind=kind, settings=settings, schedule=[],
                         credentials=encrypt_secret(service.json.dumps(credentials)) if credentials else None)


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
