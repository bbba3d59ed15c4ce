"""Password reset by email: a signed, short-lived link that works once.

The link carries the account id and a fingerprint of the current password hash, signed with the
secret key and stamped with its time. Setting a new password changes the hash (a fresh salt every
time), so a used link, and every other link sent before it, stops working; nothing is stored.
"""
import hashlib
from datetime import timedelta

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from server import audit
from server.auth import accounts, mail
from server.clock import utcnow
from server.errors import ValidationError
from server.models.audit import AuditEntry
from server.models.user import User

SALT = "ttc.password-reset"
RESEND_SECONDS = 60
EXPIRED = "This reset link has expired. Ask for a new one."
INVALID = "This reset link is not valid any more: it was used already, or a newer password was set. Ask for a new one."


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user):
    return hashlib.sha256(user.password_hash.encode("utf-8")).hexdigest()[:20]


def minutes():
    """How long a reset link works (TTC_PASSWORD_RESET_MINUTES)."""
    return current_app.config["TTC_PASSWORD_RESET_MINUTES"]


def make_token(user):
    """A signed token for resetting this account's current password."""
    return _serializer().dumps({"u": user.id, "f": _fingerprint(user)})


def send_link(session, email, ip):
    """Email a reset link if an account has this email; say nothing either way (no enumeration)."""
    user = accounts.find_user(session, email)
    if user is None or _sent_recently(session, user):
        return False
    link = current_app.config["TTC_PUBLIC_URL"] + url_for("account.password_reset", token=make_token(user))
    mail.send(user.email, "Reset your tiktok-connector password",
              f"Someone (hopefully you) asked to reset the password of {user.email} at "
              f"{current_app.config['TTC_PUBLIC_URL']}.\n\nChoose a new password here within {minutes()} "
              f"minutes:\n\n{link}\n\nThe link works once. If you did not ask for it, ignore this "
              "message: your password stays as it is.\n")
    audit.record(session, None, user, "user.password_reset_sent", {"ip": ip})
    session.commit()
    return True


def _sent_recently(session, user):
    """A link went to this account within RESEND_SECONDS: one is enough (and a form is no mail cannon)."""
    since = utcnow() - timedelta(seconds=RESEND_SECONDS)
    return session.execute(select(AuditEntry.id).where(
        AuditEntry.user_id == user.id, AuditEntry.action == "user.password_reset_sent",
        AuditEntry.created_at >= since).limit(1)).first() is not None


def user_for_token(session, token):
    """The account a valid, unused, unexpired token belongs to; raises ValidationError otherwise."""
    try:
        data = _serializer().loads(token, max_age=minutes() * 60)
    except SignatureExpired:
        raise ValidationError(EXPIRED) from None
    except BadSignature:
        raise ValidationError(INVALID) from None
    user = session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or data.get("f") != _fingerprint(user):
        raise ValidationError(INVALID)
    return user


def reset_password(session, token, password, ip):
    """Set a new password through a reset link; ends every signed-in browser of the account."""
    user = user_for_token(session, token)
    accounts.set_password(session, user, password)
    audit.record(session, None, user, "user.password_reset", {"ip": ip})
    session.commit()
    return user
