"""The admin web pages: sign-in and account, the merchant's stores, and a home for the features.

Features add a tab to every store's navigation and a card to the store overview from their own
``init_app``, in any order, without touching the layout (see ``server.stores.navigation``)::

    from server import admin
    admin.register_store_page(app, "catalog.products", "Catalog", order=30)
    admin.register_store_panel(app, "catalog", "catalog/panel.html", order=30, context=catalog_summary)

and build their blueprints with ``admin.page_blueprint`` and guard views with
``server.auth.guards.store_required("read" | "write")``.
"""
from flask import Blueprint, has_request_context
from jinja2 import StrictUndefined

from server import audit
from server.admin.pages import account, stores
from server.auth.guards import current_caller
from server.auth.page_blueprints import allow_form_to, page_blueprint, render_page
from server.clock import as_utc
from server.stores.navigation import register_store_page, register_store_panel, store_pages, store_panels

# The admin's templates (the layout every feature's pages extend, the error page, the account and store
# pages) and its static files: a blueprint of files only, so the files keep Flask's usual caching.
files = Blueprint("admin_files", __name__, template_folder="templates", static_folder="static",
                  static_url_path="/admin/static")

__all__ = ["allow_form_to", "init_app", "page_blueprint", "register_store_page", "register_store_panel", "render_page",
           "store_pages", "store_panels"]


def init_app(app):
    """Register the account and admin blueprints, the admin's own tabs and cards, and template helpers."""
    # A missing value is an error, never "" (Flask-WTF has already built the environment by now).
    app.jinja_env.undefined = StrictUndefined
    app.register_blueprint(files)
    app.register_blueprint(account.bp)
    app.register_blueprint(stores.bp)

    register_store_page(app, "admin.store_overview", "Overview", order=0)
    register_store_page(app, "admin.api_key_list", "API keys", order=80,
                        also=("admin.api_key_create", "admin.api_key_revoke"))
    register_store_page(app, "admin.activity", "Activity", order=85)
    register_store_page(app, "admin.store_settings", "Settings", order=90,
                        also=("admin.store_settings_save", "admin.member_add"))

    register_store_panel(app, "activity", "admin/panels/activity.html", order=90, context=stores.activity_panel)

    app.add_template_filter(audit.summary, "audit_summary")
    app.add_template_filter(_sentence, "sentence")
    app.add_template_filter(_isotime, "isotime")
    app.add_template_filter(_shorttime, "shorttime")

    @app.context_processor
    def _admin_context():
        caller = current_caller() if has_request_context() else None
        return {"current_user": caller.user if caller is not None else None, "store_pages": store_pages(app)}


def _sentence(text):
    """First letter upper-cased, the rest kept (names such as TikTok keep their capitals)."""
    text = str(text)
    return text[:1].upper() + text[1:]


def _isotime(moment):
    return as_utc(moment).isoformat()


def _shorttime(moment):
    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC")
