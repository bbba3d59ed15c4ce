"""The Pixel page: is it live, what to paste where (with copy buttons), how to inject, the settings."""
from flask import current_app, flash, redirect, request, url_for

from server.auth.guards import current_caller, store_required
from server.auth.page_blueprints import page_blueprint, render_page
from server.errors import ValidationError
from server.extensions import db
from server.pixel import forms
from server.pixel.state import injector_commands, pixel_status, platform_setup
from server.stores.service import update_store_as
from server.stores.snippets import event_snippets, head_snippet

SETTING_FIELDS = ("pixel_code", "pixel_enabled", "events", "order_event", "consent_mode", "advanced_matching")

bp = page_blueprint("pixel_admin", __name__, template_folder="templates")


@bp.get("/stores/<key>/pixel")
@store_required("read")
def pixel(grant):
    """The Pixel page."""
    return _pixel_page(grant)


@bp.post("/stores/<key>/pixel")
@store_required("write")
def pixel_save(grant):
    """Save the pixel settings."""
    values = forms.pixel_settings(request.form)
    try:
        changed = update_store_as(db.session, current_caller(), grant.store, **values)
    except ValidationError as error:
        db.session.rollback()
        return _pixel_page(grant, 422, submitted=values, errors=error.fields)
    flash("Pixel settings saved." if changed else "Nothing changed.", "success")
    return redirect(url_for("pixel_admin.pixel", key=grant.store.public_key) + "#settings")


def _pixel_page(grant, status=200, *, submitted=None, errors=None):
    store = grant.store
    settings = {name: getattr(store, name) for name in SETTING_FIELDS}
    settings.update(submitted or {})
    server_url = current_app.config["TTC_PUBLIC_URL"]
    return render_page(
        "pixel/page.html", status, grant=grant, store=store, state=pixel_status(store),
        head=head_snippet(store), events=event_snippets(store), setup=platform_setup(store), settings=settings,
        errors=errors or {},
        server_url=server_url, injector=injector_commands(store, server_url), **forms.choices())


def panel(grant):
    """Context of the overview's Pixel card."""
    return {"status": pixel_status(grant.store)}
