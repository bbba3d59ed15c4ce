"""The JSON API under /api/v1: per-store API keys or the signed-in session; OpenAPI at /api/v1/openapi.json.

A feature with its own endpoints under /api/v1 guards them with ``server.auth.guards`` (the API
blueprint's authentication applies only to its own routes, so a feature blueprint calls
``server.api.authentication.register(its_bp)``) and documents them with ``extend_document``.
"""
from server.api.api import bp
from server.api.openapi import extend_document
from server.auth.csrf import csrf

__all__ = ["extend_document", "init_app"]


def init_app(app):
    """Register the API blueprint; it checks CSRF itself (only session callers need it)."""
    csrf.exempt(bp)
    app.register_blueprint(bp)
