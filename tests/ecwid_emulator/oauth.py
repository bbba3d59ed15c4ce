"""The emulator's app OAuth (ECWID_API.md 6.2): the authorize page and the code exchange, strict.

``GET /api/oauth/authorize`` checks the client id, the registered redirect URI, ``response_type=code``
and the scopes, then shows an approval page (or, with ``auto_approve``, redirects at once, as an App
Market install does). Approving redirects to ``redirect_uri?code=...&store_id=...&state=...``;
declining to ``redirect_uri?error=access_denied&state=...``. ``/api/oauth/token`` (and
``/api/oauth/token/{store_id}``) takes a form by POST (the query by GET, as the docs show) and
trades a code once: a second use, an expired code or any field that does not match is a 400, and a
reused code revokes the token it gave (the old docs' warning).
"""
from __future__ import annotations

import html
import secrets
import time
from urllib.parse import urlencode

from flask import jsonify, redirect, request

SCOPES = {"read_store_profile", "update_store_profile", "read_catalog", "update_catalog", "create_catalog",
          "read_orders", "update_orders", "create_orders", "read_customers", "customize_storefront",
          "public_storefront", "add_to_cp"}
FIELDS = ("client_id", "redirect_uri", "response_type", "scope", "state")


def register_oauth(app, state):
    """Add the OAuth routes to the emulator ``app``; ``state()`` is the store."""

    def refused(message):
        return jsonify({"error": "invalid_request", "error_description": message}), 400

    def back(values, **params):
        if values.get("state") is not None:
            params["state"] = values["state"]
        return redirect(f"{values['redirect_uri']}?{urlencode(params)}", code=302)

    def issue(values):
        code = secrets.token_urlsafe(16)
        with state().lock:
            state().codes[code] = {"redirect_uri": values["redirect_uri"], "scope": values["scope"],
                                   "expires": time.time() + state().code_seconds, "used": False, "token": None}
        return back(values, code=code, store_id=state().store_id)

    @app.get("/api/oauth/authorize")
    def authorize():
        values = {name: request.args.get(name) for name in FIELDS}
        problem = checked(state(), values)
        if problem:
            return refused(problem)
        if state().auto_approve:
            return issue(values)
        hidden = "".join(f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
                         for name, value in values.items() if value is not None)
        return (f"<!doctype html><title>Ecwid: install the app</title><h1>Install the app in store "
                f"{state().store_id}?</h1><p>It asks for: {html.escape(values['scope'])}</p>"
                f'<form method="post" action="/api/oauth/authorize">{hidden}'
                f'<button name="decision" value="approve">Accept</button> '
                f'<button name="decision" value="decline">Cancel</button></form>')

    @app.post("/api/oauth/authorize")
    def decide():
        values = {name: request.form.get(name) for name in FIELDS}
        problem = checked(state(), values)
        if problem:
            return refused(problem)
        if request.form.get("decision") != "approve":
            return back(values, error="access_denied")
        return issue(values)

    @app.route("/api/oauth/token", methods=["GET", "POST"])
    @app.route("/api/oauth/token/<int:store_id>", methods=["GET", "POST"])
    def token(store_id=None):
        values = request.form if request.method == "POST" else request.args
        return exchange(state(), values, store_id)

    register_control(app, state)


def register_control(app, state):
    """The test-side OAuth controls: expire the codes, list the working tokens."""

    @app.post("/_emulator/oauth/expire")
    def expire_codes():
        """Make every code issued so far expired."""
        with state().lock:
            for grant in state().codes.values():
                grant["expires"] = 0
        return {"ok": True}

    @app.get("/_emulator/oauth/tokens")
    def tokens():
        """The OAuth tokens that work now."""
        with state().lock:
            return {"tokens": sorted(state().oauth_tokens)}


def exchange(store, values, store_id):
    """Trade a code for a token, once (ECWID_API.md 6.2, step 3-4)."""
    if store_id is not None and store_id != store.store_id:
        return jsonify({"error": "invalid_request", "error_description": "Store not found"}), 404
    if values.get("client_id") != store.client_id or values.get("client_secret") != store.client_secret:
        return jsonify({"error": "invalid_client", "error_description": "client authentication failed"}), 401
    if values.get("grant_type") != "authorization_code":
        return jsonify({"error": "invalid_request", "error_description": "grant_type must be authorization_code"}), 400
    with store.lock:
        grant = store.codes.get(values.get("code") or "")
        if grant is None or grant["expires"] < time.time():
            return jsonify({"error": "invalid_grant", "error_description": "unknown or expired code"}), 400
        if grant["used"]:
            store.oauth_tokens.discard(grant["token"])  # a replayed code revokes what it gave
            return jsonify({"error": "invalid_grant", "error_description": "the code was already used"}), 400
        if values.get("redirect_uri") != grant["redirect_uri"]:
            return jsonify({"error": "invalid_grant", "error_description": "redirect_uri does not match"}), 400
        grant["used"], grant["token"] = True, "secret_" + secrets.token_hex(16)
        store.oauth_tokens.add(grant["token"])
    return jsonify({"access_token": grant["token"], "token_type": store.token_type, "scope": grant["scope"],
                    "store_id": store.store_id, "email": "merchant@loja.example.com"})


def checked(store, values):
    """What is wrong with an authorize request (client id, redirect URI, response type, scopes), or None."""
    if values.get("client_id") != store.client_id:
        return "unknown client_id"
    if values.get("redirect_uri") != store.redirect_uri:
        return "redirect_uri does not match the app's registered redirect URI"
    if values.get("response_type") != "code":
        return "response_type must be code"
    scopes = (values.get("scope") or "").split(" ")
    if not values.get("scope") or set(scopes) - SCOPES:
        return f"unknown scope: {' '.join(sorted(set(scopes) - SCOPES)) or '(none)'}"
    return None
