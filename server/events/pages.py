"""The Events admin page: the server-events switches, a "send test event" button, and the event log,
kept live by a small script polling a JSON endpoint."""
from flask import current_app, flash, redirect, request, url_for

from server import admin
from server.auth.guards import current_caller, store_required
from server.errors import AppError, ValidationError
from server.events import account, intake, log
from server.events import settings as event_settings
from server.extensions import db

bp = admin.page_blueprint("events_admin", __name__, template_folder="templates", static_folder="static",
                          static_url_path="/events/static")
STATUS_TONES = {"received": "info", "pending": "info", "sent": "ok", "failed": "bad", "dropped": "off"}


def init_app(app):
    """Register the page and its tab in the store navigation."""
    app.register_blueprint(bp)
    admin.register_store_page(app, "events_admin.events", "Events", order=25,
                              also=("events_admin.settings_save", "events_admin.test_event"))


def _page(grant, status=200, errors=None, values=None):
    store = grant.store
    return admin.render_page(
        "events/page.html", status, grant=grant, store=store, events=log.recent(db.session, store),
        counts=log.counts(db.session, store), account=account.statement(db.session, store.id),
        labels=account.LABELS, settings=values or event_settings.as_dict(store),
        errors=errors or {}, problem=intake.sending(store), tones=STATUS_TONES,
        keep_days=current_app.config["TTC_EVENTS_LOG_DAYS"])


@bp.get("/stores/<key>/events")
@store_required("read")
def events(grant):
    """The Events page."""
    return _page(grant)


@bp.get("/stores/<key>/events/log.json")
@store_required("read")
def log_json(grant):
    """The latest events and the counts of the last 24 hours, for the page's live view."""
    return {"events": log.recent(db.session, grant.store), "counts": log.counts(db.session, grant.store)}


@bp.post("/stores/<key>/events/settings")
@store_required("write")
def settings_save(grant):
    """Save the server-events switches."""
    form = request.form
    values = {"server_events": form.get("server_events") == "1", "test_mode": form.get("test_mode") == "1",
              "limited_data_use": form.get("limited_data_use") == "1",
              "test_event_code": form.get("test_event_code", "")}
    try:
        changed = event_settings.update_settings(db.session, grant.store, current_caller(), **values)
    except ValidationError as error:
        db.session.rollback()
        return _page(grant, 422, errors=error.fields, values=values)
    flash("Server events settings saved." if changed else "Nothing changed.", "success")
    return redirect(url_for("events_admin.events", key=grant.store.public_key))


@bp.post("/stores/<key>/events/test")
@store_required("write")
def test_event(grant):
    """Send a test event through the relay, with the store's test event code."""
    try:
        row, _ = intake.queue_test_event(db.session, grant.store, current_caller())
    except AppError as error:
        flash(error.message, "error")
    else:
        flash(f"Test event {row.event_id} is on its way: its answer from TikTok shows in the log below "
              f"and in TikTok Events Manager > Test events.", "success")
    return redirect(url_for("events_admin.events", key=grant.store.public_key))
