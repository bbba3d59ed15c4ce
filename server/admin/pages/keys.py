"""The API keys page: create (the key is shown once), list with last use, revoke."""
from flask import flash, redirect, request, url_for

from server.admin.pages.stores import bp
from server.auth import api_keys
from server.auth.guards import current_caller, store_required
from server.auth.page_blueprints import render_page
from server.errors import ValidationError
from server.extensions import db


@bp.get("/stores/<key>/api-keys")
@store_required("read")
def api_key_list(grant):
    """The store's API keys."""
    return _keys_page(grant)


@bp.post("/stores/<key>/api-keys")
@store_required("write")
def api_key_create(grant):
    """Make a key and show it, this once."""
    try:
        row, secret = api_keys.create_api_key(db.session, current_caller(), grant.store, request.form.get("name", ""))
    except ValidationError as error:
        db.session.rollback()
        return _keys_page(grant, 422, errors=error.fields)
    return _keys_page(grant, 201, new_key=secret, new_row=row)


@bp.post("/stores/<key>/api-keys/<int:key_id>/revoke")
@store_required("write")
def api_key_revoke(grant, key_id):
    """Revoke a key: programs using it are refused from the next request on."""
    row = api_keys.revoke_api_key(db.session, current_caller(), grant.store, key_id)
    flash(f"API key {row.prefix}… ({row.name}) is revoked.", "success")
    return redirect(url_for("admin.api_key_list", key=grant.store.public_key))


def _keys_page(grant, status=200, *, errors=None, new_key=None, new_row=None):
    return render_page("admin/api_keys.html", status, grant=grant, store=grant.store, errors=errors or {},
                       keys=api_keys.api_keys_of(db.session, grant.store), new_key=new_key, new_row=new_row)
