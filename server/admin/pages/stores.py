"""The merchant's stores: list, create, overview, settings and members, activity."""
from flask import flash, redirect, request, url_for

from server import audit
from server.admin import forms
from server.auth import access, sessions
from server.auth.errors import Forbidden
from server.auth.guards import current_caller, login_required, store_required
from server.auth.page_blueprints import page_blueprint, render_page
from server.errors import ValidationError
from server.extensions import db
from server.stores import deletion
from server.stores.navigation import store_panels
from server.stores.service import create_store_as, update_store_as

bp = page_blueprint("admin", __name__)

TIKTOK_STATES = {
    "not_connected": "Not connected",
    "connected": "Connected",
    "disconnected": "Disconnected",
}


@bp.get("/")
def home():
    """The front door: your stores when signed in, else the sign-in page."""
    if sessions.current_user() is None:
        return redirect(url_for("account.signin"))
    return redirect(url_for("admin.stores"))


@bp.get("/stores")
@login_required
def stores():
    """The stores I belong to."""
    grants = access.visible_stores(db.session, current_caller())
    return render_page("admin/stores.html", grants=grants, tiktok_states=TIKTOK_STATES)


@bp.get("/stores/new")
@login_required
def store_new():
    """The new-store form."""
    values = dict(forms.store_form_values(), pixel_code="")
    return render_page("admin/store_new.html", values=values, errors={}, **forms.choices())


@bp.post("/stores/new")
@login_required
def store_create():
    """Create the store; its creator becomes its owner."""
    values = forms.store_details(request.form)
    values["pixel_code"] = request.form.get("pixel_code", "")
    try:
        store = create_store_as(db.session, current_caller(), **values)
    except ValidationError as error:
        db.session.rollback()
        shown = dict(forms.store_form_values(submitted=values), pixel_code=values["pixel_code"])
        return render_page("admin/store_new.html", 422, values=shown, errors=error.fields, **forms.choices())
    flash(f"Store “{store.name}” is ready. Next: put the pixel on your pages.", "success")
    return redirect(url_for("pixel_admin.pixel", key=store.public_key))


@bp.get("/stores/<key>")
@store_required("read")
def store_overview(grant):
    """The store at a glance: one card per registered panel."""
    panels = [(panel, panel.context(grant) if panel.context else {}) for panel in store_panels()]
    return render_page("admin/store_overview.html", grant=grant, store=grant.store, panels=panels)


@bp.get("/stores/<key>/activity")
@store_required("read")
def activity(grant):
    """The store's audit log."""
    entries = audit.entries_for_store(db.session, grant.store, limit=200)
    return render_page("admin/activity.html", grant=grant, store=grant.store, entries=entries)


@bp.get("/stores/<key>/settings")
@store_required("read")
def store_settings(grant):
    """The store's details and the people who can see it."""
    return _settings_page(grant)


@bp.post("/stores/<key>/settings")
@store_required("write")
def store_settings_save(grant):
    """Change the store's details."""
    values = forms.store_details(request.form)
    try:
        changed = update_store_as(db.session, current_caller(), grant.store, **values)
    except ValidationError as error:
        db.session.rollback()
        return _settings_page(grant, 422, values=forms.store_form_values(grant.store, values), errors=error.fields)
    flash("Saved." if changed else "Nothing changed.", "success")
    return redirect(url_for("admin.store_settings", key=grant.store.public_key))


@bp.post("/stores/<key>/members")
@store_required("write")
def member_add(grant):
    """Give an existing account a role in the store."""
    email, role = request.form.get("email", ""), request.form.get("role", "member")
    try:
        user = access.add_member(db.session, current_caller(), grant.store, email, role)
    except ValidationError as error:
        db.session.rollback()
        return _settings_page(grant, 422, member_errors=error.fields, member_email=email)
    flash(f"{user.email} is now {role} of this store.", "success")
    return redirect(url_for("admin.store_settings", key=grant.store.public_key))


@bp.post("/stores/<key>/members/remove")
@store_required("write")
def member_remove(grant):
    """Take a person's role in the store away."""
    email = request.form.get("email", "")
    caller = current_caller()
    try:
        user = access.remove_member(db.session, caller, grant.store, email)
    except ValidationError as error:
        db.session.rollback()
        return _settings_page(grant, 422, member_errors=error.fields, member_email=email)
    flash(f"{user.email} no longer has access to this store.", "success")
    if caller.user is not None and caller.user.id == user.id:  # they removed themselves
        return redirect(url_for("admin.stores"))
    return redirect(url_for("admin.store_settings", key=grant.store.public_key))


@bp.post("/stores/<key>/delete")
@store_required("write")
def store_delete(grant):
    """Delete the store for good (owners only, after typing its name)."""
    if grant.role not in ("owner", "operator"):
        raise Forbidden("only the store's owners can delete it")
    try:
        done = deletion.delete_store(db.session, current_caller(), grant.store, request.form.get("confirm", ""))
    except ValidationError as error:
        db.session.rollback()
        return _settings_page(grant, 422, delete_errors=error.fields)
    flash(f"The store “{done['name']}” is deleted. Its products stay on TikTok until you remove them in "
          "TikTok Catalog Manager.", "success")
    return redirect(url_for("admin.stores"))


def _settings_page(grant, status=200, *, values=None, errors=None, member_errors=None, member_email="",
                   delete_errors=None):
    return render_page(
        "admin/store_settings.html", status, grant=grant, store=grant.store,
        values=values or forms.store_form_values(grant.store), errors=errors or {},
        members=access.members_of(db.session, grant.store), member_errors=member_errors or {},
        member_email=member_email, delete_errors=delete_errors or {}, **forms.choices())


def activity_panel(grant):
    """Context of the overview's recent-activity card."""
    return {"entries": audit.entries_for_store(db.session, grant.store, limit=5)}
