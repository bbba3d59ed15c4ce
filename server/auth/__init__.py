"""Merchant accounts, sign-in sessions, the sign-in rate limit, CSRF and store access (tenancy)."""
from dataclasses import dataclass
from datetime import timedelta

from server.auth.csrf import csrf
from server.auth.sessions import forget_request_state

# Settings this package reads, with their defaults (the environment may override them as TTC_*).
SETTINGS = {
    "TTC_SESSION_HOURS": 12,
    "TTC_ALLOW_SIGNUP": True,
    "TTC_SIGN_IN_MAX_FAILURES_PER_EMAIL": 5,
    "TTC_SIGN_IN_MAX_FAILURES_PER_IP": 50,
    "TTC_SIGN_IN_WINDOW_MINUTES": 15,
    # argon2id cost: the RFC 9106 "low memory" profile (argon2-cffi's default)
    "TTC_ARGON2_TIME_COST": 3,
    "TTC_ARGON2_MEMORY_KIB": 65536,
    "TTC_ARGON2_PARALLELISM": 4,
}


@dataclass
class AuthState:
    """What this package keeps per application."""

    dummy_hash: str | None = None


def _typed(default, value):
    if not isinstance(value, str) or isinstance(default, str):
        return value
    if isinstance(default, bool):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return type(default)(value)


def init_app(app):
    """Settings, session cookie hardening, CSRF, and the ``user`` / ``apikey`` commands."""
    for name, default in SETTINGS.items():
        app.config[name] = _typed(default, app.config.get(name, default))
    https = app.config["TTC_PUBLIC_URL"].startswith("https://")
    app.config.update(
        # "__Host-" makes browsers refuse the cookie unless it is Secure, host-only and path=/.
        SESSION_COOKIE_NAME="__Host-ttc_session" if https else "ttc_session",
        SESSION_COOKIE_SECURE=https,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=float(app.config["TTC_SESSION_HOURS"])),
        # The token lives as long as the session; an open form does not expire after an hour.
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.extensions["ttc_auth"] = AuthState()
    # First, so CSRF checks and views never see state left by an earlier request in the same context.
    app.before_request_funcs.setdefault(None, []).insert(0, forget_request_state)
    csrf.init_app(app)
