"""Who is calling the API: ``Authorization: Bearer <api key>``, else the signed-in session.

A session caller changing something must also send the page's CSRF token in ``X-CSRF-Token``:
the browser attaches the session cookie to any site's request, an API key it never attaches.
"""
from flask import current_app, jsonify, request

from server.auth import sessions
from server.auth.access import Caller
from server.auth.api_keys import authenticate_api_key
from server.auth.csrf import CSRFError, csrf
from server.auth.errors import Unauthorized
from server.auth.guards import current_caller
from server.extensions import db

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CHALLENGE = 'Bearer realm="tiktok-connector"'


def authenticate():
    """Settle who calls this API request (None when anonymous); refuse a bad key or a missing token."""
    if request.endpoint == "api.openapi_document":
        return
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, presented = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            raise Unauthorized("send the API key as 'Authorization: Bearer <key>'")
        api_key = authenticate_api_key(db.session, presented.strip())
        if api_key is None:
            raise Unauthorized("this API key is not valid: it is wrong or was revoked")
        sessions.request_state()["caller"] = Caller.for_api_key(api_key)
        return
    if current_caller() is not None and request.method not in SAFE_METHODS and current_app.config.get(
            "WTF_CSRF_ENABLED", True):
        csrf.protect()


def unauthorized(error):
    """401 in the API's JSON shape, with the challenge that says how to authenticate."""
    return jsonify(error.to_dict()), 401, {"WWW-Authenticate": CHALLENGE}


def csrf_failed(error):
    """403: a session caller changed something without the page's CSRF token."""
    message = (f"{error.description} Send the token of a signed-in page (meta csrf-token) in the "
               f"X-CSRF-Token header, or use an API key.")
    return jsonify({"error": {"code": "csrf_failed", "message": message}}), 403


def register(bp):
    """Attach authentication and its error answers to the API blueprint."""
    bp.before_request(authenticate)
    bp.register_error_handler(Unauthorized, unauthorized)
    bp.register_error_handler(CSRFError, csrf_failed)
