"""The application's exception tree and the one handler that turns it into a JSON error."""
from flask import jsonify, request
from werkzeug.exceptions import HTTPException


class AppError(Exception):
    """Root of every error the application raises on purpose; carries an HTTP status and a code."""

    status = 400
    code = "bad_request"

    def __init__(self, message, *, fields=None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    def to_dict(self):
        """The JSON error shape every endpoint uses."""
        body = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return {"error": body}


class ValidationError(AppError):
    """Raised when input breaks a rule; ``fields`` maps each bad field to what is wrong with it."""

    status = 422
    code = "invalid"


class NotFound(AppError):
    """Raised when a thing does not exist, or exists but the caller may not know about it."""

    status = 404
    code = "not_found"


class Conflict(AppError):
    """Raised when a change clashes with the current state (a duplicate, a concurrent edit)."""

    status = 409
    code = "conflict"


JSON_PREFIXES = ("/api/", "/pixel/", "/hooks/")


def wants_json():
    """Whether the current request is one of the JSON endpoints (API, pixel, hooks)."""
    return request.path.startswith(JSON_PREFIXES) or request.accept_mimetypes.best == "application/json"


def _app_error(error):
    return jsonify(error.to_dict()), error.status


def _http_error(error):
    if not wants_json():
        return error
    code = (error.name or "error").lower().replace(" ", "_")
    response = jsonify({"error": {"code": code, "message": error.description}})
    response.status_code = error.code or 500
    for name in ("Allow", "WWW-Authenticate", "Retry-After"):
        if error.get_headers and (value := dict(error.get_headers()).get(name)):
            response.headers[name] = value
    return response


def init_app(app):
    """Register the JSON error handlers."""
    app.register_error_handler(AppError, _app_error)
    app.register_error_handler(HTTPException, _http_error)
