"""Connecting an Ecwid store with the app's OAuth (ECWID_API.md 6.2) rather than a pasted token.

The merchant clicks "Connect with Ecwid" on the Catalog page: we send them to Ecwid's authorize page
with a signed, single-use ``state`` bound to them and the store (the same state the TikTok connect
flow uses, with its own salt). Ecwid sends them back with ``code`` (and ``store_id``) or ``error``;
the code is traded once, by POST, for the store's access token, the connection is tested (the
store profile, as with a pasted token) and only then is the source saved, its token encrypted.
Anything wrong on the way saves nothing and says why.
"""
from dataclasses import dataclass
from urllib.parse import urlencode

import requests
from flask import current_app

from server import audit
from server.auth.access import Caller, load_store_for
from server.catalog.sources import service
from server.catalog.sources.errors import SourceAuthError, SourceError, SourceUnavailable
from server.connect.oauth_state import Purpose, consume_state, issue_state

# --- choices the reference leaves open (ECWID_API.md 6.2) ---------------------------------------
# read_orders: the order.created webhook reads the order back (server/events/ecwid_orders.py).
SCOPES = ("read_store_profile", "read_catalog", "read_orders")
NEEDED = {"read_store_profile", "read_catalog"}  # without these no pull can work
# Ecwid's docs do not show ``state`` on the redirect; standard OAuth 2 echoes it (UNCONFIRMED).
CALLBACK_PATH = "/connect/ecwid/callback"
VIA = "app OAuth"  # settings["connected_with"] of a source connected this way
TIMEOUT = 20.0
PURPOSE = Purpose("ttc.catalog.ecwid-oauth-state", "Ecwid",
                  "go back to the store's Catalog page and click Connect with Ecwid again")


class OAuthRefused(SourceError):
    """Raised when the authorization came back without a usable code: declined, refused, incomplete."""

    status = 400
    code = "ecwid_oauth_refused"


@dataclass
class Connected:
    """What the callback achieved: the store, and what Ecwid said about it."""

    store: object
    found: dict


def enabled():
    """Whether the app's OAuth is set up here (its client id and secret)."""
    config = current_app.config
    return bool(config["TTC_ECWID_CLIENT_ID"] and config["TTC_ECWID_CLIENT_SECRET"])


def callback_url():
    """Our redirect URI, as registered with the Ecwid app: TTC_PUBLIC_URL + the callback path."""
    return current_app.config["TTC_PUBLIC_URL"].rstrip("/") + CALLBACK_PATH


def oauth_base():
    """Ecwid's OAuth host (``TTC_ECWID_OAUTH_BASE``), without a trailing slash."""
    return current_app.config["TTC_ECWID_OAUTH_BASE"].rstrip("/")


def start(session, store, user):
    """The authorize URL for connecting ``store``, with a fresh state bound to ``user``."""
    if not enabled():
        raise OAuthRefused("Connect with Ecwid needs TTC_ECWID_CLIENT_ID and TTC_ECWID_CLIENT_SECRET: "
                           "paste the store's access token instead")
    state = issue_state(session, store, user, PURPOSE)
    query = urlencode({"client_id": current_app.config["TTC_ECWID_CLIENT_ID"], "redirect_uri": callback_url(),
                       "response_type": "code", "scope": " ".join(SCOPES), "state": state})
    return f"{oauth_base()}/api/oauth/authorize?{query}"


def complete(session, args, user):
    """The callback: spend the state, trade the code, test the store, save the source (commits)."""
    store, _ = consume_state(session, args.get("state"), user, PURPOSE)
    load_store_for(session, Caller.for_user(user), store.public_key, "write")  # still an owner?
    if args.get("error"):
        reason = "the merchant declined" if args["error"] == "access_denied" else f"Ecwid said {args['error'][:100]!r}"
        raise OAuthRefused(f"Ecwid did not authorize the app ({reason}), so nothing was connected")
    if not args.get("code"):
        raise OAuthRefused("Ecwid sent no authorization code, so nothing was connected")
    grant = exchange(args["code"], args.get("store_id"))
    settings = {"store_id": grant["store_id"], "connected_with": VIA, "scope": grant["scope"]}
    credentials = {"token": grant["access_token"]}
    found = service.test_connection(session, store, service.unsaved_source(store, "ecwid", settings, credentials))
    service.set_source(session, store, "ecwid", settings, credentials)
    audit.record(session, store, user, "catalog.source.ecwid_connected",
                 {"store_id": grant["store_id"], "scope": grant["scope"]})
    session.commit()
    return Connected(store, found)


def exchange(code, store_id=None):
    """Trade a code for the token (POST, once); the grant's ``access_token``, ``store_id``, ``scope``."""
    config = current_app.config
    path = f"/api/oauth/token/{store_id}" if str(store_id or "").isdigit() else "/api/oauth/token"
    form = {"client_id": config["TTC_ECWID_CLIENT_ID"], "client_secret": config["TTC_ECWID_CLIENT_SECRET"],
            "code": code, "redirect_uri": callback_url(), "grant_type": "authorization_code"}
    try:
        response = requests.post(oauth_base() + path, data=form, timeout=TIMEOUT,
                                 headers={"Accept": "application/json"})
    except requests.RequestException:
        raise SourceUnavailable("Ecwid could not be reached to finish the authorization: connect again") from None
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != 200 or not isinstance(body, dict):
        said = body.get("error_description") or body.get("error") if isinstance(body, dict) else None
        said = str(said)[:200] if said else f"HTTP {response.status_code}"
        raise SourceAuthError(f"Ecwid refused the authorization code ({said}): connect again")
    return _grant(body, store_id)


def _grant(body, store_id):
    token, kind = body.get("access_token"), str(body.get("token_type") or "")
    granted = str(body.get("store_id") or "")
    if not isinstance(token, str) or not token or kind.lower() != "bearer" or not granted.isdigit():
        raise SourceAuthError("Ecwid's answer has no usable access token: connect again")
    if store_id and str(store_id) != granted:
        raise SourceAuthError(f"Ecwid authorized store {granted}, not store {store_id}: connect again")
    scope = " ".join(str(body.get("scope") or "").split())
    missing = sorted(NEEDED - set(scope.split()))
    if missing:
        raise SourceAuthError(f"the app was not granted {', '.join(missing)}, which reading the catalog needs")
    return {"access_token": token, "store_id": granted, "scope": scope}
