"""The emulator's app factory: TikTok's API surface plus the ``/_emulator/`` controls."""
from __future__ import annotations

from flask import Flask

from . import (
    control,
    routes_account,
    routes_ad_creation,
    routes_ad_tools,
    routes_ads,
    routes_catalog,
    routes_product_sets,
    routes_smart_plus,
)
from .envelope import ApiError, envelope
from .gate import after_api_call, before_api_call
from .state import EmulatorState


def create_app(settings: dict | None = None) -> Flask:
    """Build an emulator app with its own in-memory state (``app.config["EMULATOR_STATE"]``)."""
    app = Flask(__name__)
    app.config["EMULATOR_STATE"] = EmulatorState(settings)
    app.before_request(before_api_call)
    app.after_request(after_api_call)
    app.register_error_handler(ApiError, lambda error: envelope(error.code, error.message))
    app.register_blueprint(routes_account.bp)
    app.register_blueprint(routes_catalog.bp)
    app.register_blueprint(routes_ads.bp)
    for module in (routes_ad_creation, routes_ad_tools, routes_product_sets, routes_smart_plus):
        app.register_blueprint(module.bp)
    app.register_blueprint(routes_ad_creation.control)
    app.register_blueprint(control.bp)
    return app
