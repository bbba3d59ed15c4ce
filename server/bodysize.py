"""Request body caps: ``TTC_MAX_BODY`` for every route, a larger cap for the few routes whose bodies
are larger by design. A body over its route's cap is answered 413 from its Content-Length, before
a byte of it is read (a chunked body is cut off, 413, as soon as it passes the cap).

A route takes larger bodies by naming the setting that caps it, right under its route decorator::

    @bp.post("/stores/<key>/catalog/feed")
    @bodysize.allow_larger_body("TTC_CATALOG_MAX_BODY")
    @store_required("write")
    def upload_feed(grant): ...

The cap is applied before every other ``before_request`` hook (CSRF reads the form there).
"""
from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

VIEW_ATTRIBUTE = "ttc_max_body_setting"


def allow_larger_body(setting):
    """View decorator: this route takes bodies up to the ``setting`` (a TTC_* name) cap."""
    def mark(view):
        setattr(view, VIEW_ATTRIBUTE, setting)
        return view

    return mark


def init_app(app):
    """Cap every body at TTC_MAX_BODY (Flask's MAX_CONTENT_LENGTH); call before CSRF is set up."""
    app.config["MAX_CONTENT_LENGTH"] = app.config["TTC_MAX_BODY"]
    app.before_request_funcs.setdefault(None, []).insert(0, _cap_body)


def route_cap(endpoint):
    """The body cap of ``endpoint`` in bytes (its own setting, else TTC_MAX_BODY)."""
    view = current_app.view_functions.get(endpoint)
    setting = getattr(view, VIEW_ATTRIBUTE, None)
    return current_app.config[setting] if setting else current_app.config["MAX_CONTENT_LENGTH"]


def _cap_body():
    cap = route_cap(request.endpoint)
    request.max_content_length = cap
    if request.content_length is not None and request.content_length > cap:
        raise RequestEntityTooLarge(f"the body is larger than this address takes ({cap} bytes)")
