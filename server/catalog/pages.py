"""The Catalog admin page: counts per state, the product table with reasons and TikTok's
suggestions, re-sync buttons, and the sync history with the running sync's progress."""
from flask import flash, jsonify, redirect, request, url_for

from server import admin, bodysize
from server.auth.guards import store_required
from server.catalog import service
from server.catalog.intake import imports
from server.catalog.sources import pages as source_pages
from server.catalog.sync import status
from server.catalog.sync.runs import request_sync
from server.errors import AppError
from server.extensions import db
from server.models.catalog import PRODUCT_STATES

bp = admin.page_blueprint("catalog_admin", __name__, template_folder="templates", static_folder="static",
                          static_url_path="/catalog/static")
PAGE_SIZE = 50
STATE_LABELS = {"excluded": "Excluded", "invalid": "Invalid", "queued": "Queued", "uploading": "Uploading",
                "pending_review": "Pending review", "listed": "Listed", "rejected": "Rejected",
                "deleted": "Deleted"}
STATE_TONES = {"excluded": "off", "invalid": "bad", "queued": "info", "uploading": "info",
               "pending_review": "warn", "listed": "ok", "rejected": "bad", "deleted": "off"}


def init_app(app):
    """Register the page, its tab in the store navigation and its card on the store overview."""
    app.register_blueprint(bp)
    admin.register_store_page(app, "catalog_admin.catalog", "Catalog", order=30,
                              also=("catalog_admin.catalog_sync", "catalog_admin.product_resync",
                                    "catalog_admin.catalog_import", "catalog_admin.import_page"))
    admin.register_store_panel(app, "catalog", "catalog/panel.html", order=30, context=panel_context)


def panel_context(grant):
    """What the overview card shows: the counts and the running sync."""
    return {**status.catalog_status(db.session, grant.store, history=1), "labels": STATE_LABELS,
            "tones": STATE_TONES, "source": source_pages.card_context(grant.store)["source"]}


@bp.get("/stores/<key>/catalog")
@store_required("read")
def catalog(grant):
    """The Catalog page."""
    state = request.args.get("state") if request.args.get("state") in PRODUCT_STATES else None
    search = (request.args.get("search") or "").strip()[:100] or None
    page = max(1, request.args.get("page", 1, type=int))
    products = status.list_products(db.session, grant.store, state=state, search=search, limit=PAGE_SIZE,
                                    offset=(page - 1) * PAGE_SIZE)
    pages = max(1, -(-products["total"] // PAGE_SIZE))
    return source_pages.with_form_actions(admin.render_page(
        "catalog/page.html", grant=grant, store=grant.store,
        summary=status.catalog_status(db.session, grant.store), products=products,
        state=state, search=search or "", page=page, pages=pages,
        labels=STATE_LABELS, tones=STATE_TONES, import_errors={},
        recent_imports=[imports.import_state(job) for job in imports.latest_imports(db.session, grant.store)],
        source_card=source_pages.card_context(grant.store)))


@bp.post("/stores/<key>/catalog/import")
@bodysize.allow_larger_body("TTC_CATALOG_UPLOAD_MAX_BYTES")
@store_required("write")
def catalog_import(grant):
    """Start a feed import from an uploaded file or a URL; its page shows the progress."""
    options = imports.import_options(merge=request.form.get("mode") == "merge",
                                     allow_shrink=request.form.get("allow_shrink") == "1")
    upload = request.files.get("feed")
    try:
        if upload is not None and upload.filename:
            job = imports.start_upload(db.session, grant.store, upload.stream, filename=upload.filename,
                                       options=options)
        else:
            job = imports.start_url(db.session, grant.store, request.form.get("url", ""), options=options)
    except AppError as error:
        db.session.rollback()
        flash(f"The import did not start: {error.message}.", "error")
        return redirect(url_for("catalog_admin.catalog", key=grant.store.public_key))
    return redirect(url_for("catalog_admin.import_page", key=grant.store.public_key, job_id=job.id))


@bp.get("/stores/<key>/catalog/imports/<int:job_id>")
@store_required("read")
def import_page(grant, job_id):
    """One import: its progress while it reads, its summary once done (JSON for the page's poll)."""
    state = imports.import_state(imports.find_import(db.session, grant.store, job_id))
    db.session.commit()
    if request.args.get("format") == "json":
        return jsonify({name: value for name, value in state.items() if name in POLLED})
    return admin.render_page("catalog/import.html", grant=grant, store=grant.store, run=state)


POLLED = ("id", "state", "finished", "bytes", "total_bytes", "items")


@bp.post("/stores/<key>/catalog/sync")
@store_required("write")
def catalog_sync(grant):
    """The sync buttons: sync now, or force every product to be uploaded again."""
    force = request.form.get("force") == "1"
    try:
        run = _request(grant.store, force=force)
    except AppError as error:
        flash(error.message, "error")
    else:
        flash(f"Sync #{run.id} is queued{' (every product is uploaded again)' if force else ''}." if run else
              "The store is not connected to TikTok: nothing is sent until it is.", "success" if run else "error")
    return redirect(url_for("catalog_admin.catalog", key=grant.store.public_key))


@bp.post("/stores/<key>/catalog/products/<path:sku>/resync")
@store_required("write")
def product_resync(grant, sku):
    """The per-product button: upload this product again even if unchanged."""
    try:
        run = service.resync(db.session, grant.store, sku, trigger="admin")
    except AppError as error:
        flash(error.message, "error")
    else:
        flash(f"{sku} is queued for upload (sync #{run.id})." if run else
              "The store is not connected to TikTok: nothing is sent until it is.", "success" if run else "error")
    return redirect(url_for("catalog_admin.catalog", key=grant.store.public_key, search=sku))


def _request(store, *, force):
    if force:
        return service.resync(db.session, store, trigger="admin")
    run = request_sync(db.session, store, kind="full", trigger="admin")
    db.session.commit()
    return run
