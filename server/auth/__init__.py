"""Merchant accounts, sign-in sessions, the sign-in rate limit, CSRF and store access (tenancy)."""
from dataclasses import dataclass
from datetime import timedelta

from server.auth.csrf import csrf
from server.auth.sessions import forget_request_state


@dataclass
class AuthState:
    """What this package keeps per application."""

    dummy_hash: str | None = None


def init_app(app):
    """Session cookie hardening, CSRF, and the ``user`` / ``apikey`` commands."""
    https = app.config["TTC_PUBLIC_URL"].startswith("https://")
    app.config.update(
        # "__Host-" makes browsers refuse the cookie unless it is Secure, host-only and path=/.
        SESSION_COOKIE_NAME="__Host-ttc_session" if https else "ttc_session",
        SESSION_COOKIE_SECURE=https,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=app.config["TTC_SESSION_HOURS"]),
        # The token lives as long as the session; an open form does not expire after an hour.
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.extensions["ttc_auth"] = AuthState()
    # First, so CSRF checks and views never see state left by an earlier request in the same context.
    app.before_request_funcs.setdefault(None, []).insert(0, forget_request_state)
    csrf.init_app(app)
