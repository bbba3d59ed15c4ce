"""Signed-in browsers. Flask's signed cookie carries a random token; the database row behind it
decides whether the session is alive, so signing out (or expiry) ends it on the server too.
"""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app, g, request
from flask import session as cookie
from sqlalchemy import delete, select

from server import audit
from server.clock import as_utc, utcnow
from server.extensions import db
from server.models.user import SignInSession, User

COOKIE_KEY = "sid"


def request_state():
    """Per-request memory of who is calling. Not ``g``: an app context (and so ``g``) can outlive a
    request, e.g. in tests and scripts that push one around several requests."""
    return request.environ.setdefault("ttc.auth", {})


def forget_request_state():
    """Drop what this request remembered about the caller and its CSRF token (Flask-WTF keeps the
    token in ``g``): at the start of a request, and when the session changes under it."""
    request.environ.pop("ttc.auth", None)
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def _digest(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def lifetime():
    """How long a sign-in lasts (TTC_SESSION_HOURS)."""
    return timedelta(hours=current_app.config["TTC_SESSION_HOURS"])


def sign_in(user, ip):
    """Start a fresh session for ``user`` in this browser, dropping everything the old one held."""
    now = utcnow()
    _end_current()
    # A new token and a cleared cookie: a session id (or CSRF token) planted before sign-in is useless.
    cookie.clear()
    token = secrets.token_urlsafe(32)
    db.session.execute(delete(SignInSession).where(SignInSession.user_id == user.id,
                                                   SignInSession.expires_at <= now))
    db.session.add(SignInSession(token_hash=_digest(token), user_id=user.id, created_at=now,
                                 expires_at=now + lifetime()))
    audit.record(db.session, None, user, "user.signed_in", {"ip": ip})
    db.session.commit()
    cookie[COOKIE_KEY] = token
    cookie.permanent = True
    forget_request_state()
    request_state()["user"] = user


def sign_out():
    """End this browser's session on the server and forget the cookie."""
    _end_current()
    db.session.commit()
    cookie.clear()
    forget_request_state()
    request_state()["user"] = None


def current_token_hash():
    """The stored digest of this browser's session token, or None when it has none."""
    token = cookie.get(COOKIE_KEY)
    return _digest(token) if isinstance(token, str) and token else None


def end_sessions(session, user_id, *, keep=None):
    """End every signed-in browser of an account but the one whose token digest is ``keep``
    (not committed); returns how many ended. Their next request finds no session and signs in."""
    query = delete(SignInSession).where(SignInSession.user_id == user_id)
    if keep:
        query = query.where(SignInSession.token_hash != keep)
    return session.execute(query.execution_options(synchronize_session=False)).rowcount


def _end_current():
    token = cookie.get(COOKIE_KEY)
    if isinstance(token, str):
        db.session.execute(delete(SignInSession).where(SignInSession.token_hash == _digest(token)))


def current_user():
    """The signed-in user of this request, or None (looked up once per request)."""
    state = request_state()
    if "user" not in state:
        state["user"] = _user_for_token(cookie.get(COOKIE_KEY))
    return state["user"]


def _user_for_token(token):
    if not isinstance(token, str) or not token:
        return None
    row = db.session.execute(
        select(SignInSession).where(SignInSession.token_hash == _digest(token))
    ).scalar_one_or_none()
    if row is None or as_utc(row.expires_at) <= utcnow():
        return None
    return db.session.get(User, row.user_id)
