"""Merchant accounts: creating them, checking a password, changing it. Plain values in, models out."""
import re

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from server.auth import passwords, ratelimit, sessions
from server.auth.errors import SignInRefused
from server.clock import utcnow
from server.errors import ValidationError
from server.models.user import User

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")
WRONG_CREDENTIALS = "That email and password do not match an account."


def normalise_email(value):
    """An email as stored: trimmed and lower-cased."""
    return (value or "").strip().lower() if isinstance(value, str) else ""


def clean_email(value):
    """A syntactically valid email, lower-cased; raises ValueError."""
    email = normalise_email(value)
    if not email:
        raise ValueError("enter your email address")
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise ValueError(f"{value!r} is not an email address (example: ana@example.com)")
    return email


def find_user(session, email):
    """The user with this email, or None."""
    email = normalise_email(email)
    if not email:
        return None
    return session.execute(select(User).where(User.email == email)).scalar_one_or_none()


def create_user(session, email, password):
    """Create an account (committed); raises ValidationError naming the email and/or password."""
    errors = {}
    try:
        email = clean_email(email)
    except ValueError as error:
        errors["email"] = str(error)
    try:
        passwords.check_strength(password, email if "email" not in errors else "")
    except ValueError as error:
        errors["password"] = str(error)
    if "email" not in errors and find_user(session, email) is not None:
        errors["email"] = "an account with this email already exists; sign in instead"
    if errors:
        raise ValidationError("the account was not created", fields=errors)
    user = User(email=email, password_hash=passwords.hash_password(password))
    session.add(user)
    try:
        session.commit()
    except IntegrityError:  # the same email signed up a moment ago in another request
        session.rollback()
        raise ValidationError("the account was not created",
                              fields={"email": "an account with this email already exists; sign in instead"}) from None
    return user


def set_password(session, user, password, *, keep_session=None):
    """Give a user a new password and end their other signed-in browsers (committed); ``keep_session``
    is the token digest of the browser that made the change. Raises ValidationError when too weak."""
    try:
        passwords.check_strength(password, user.email)
    except ValueError as error:
        raise ValidationError(f"password: {error}", fields={"password": str(error)}) from None
    user.password_hash = passwords.hash_password(password)
    sessions.end_sessions(session, user.id, keep=keep_session)
    session.commit()


def authenticate(session, email, password, ip, *, now=None):
    """The user these credentials belong to; raises TooManyAttempts or SignInRefused.

    The rate limit is checked before the password, so a locked-out attacker learns nothing.
    """
    now = now or utcnow()
    email = normalise_email(email)[:254]
    password = password if isinstance(password, str) else ""
    ratelimit.check(session, email, ip, now=now)
    user = find_user(session, email)
    if user is None:
        passwords.waste_time(password)
    if user is None or len(password) > passwords.MAX_LENGTH or not passwords.verify_password(
            user.password_hash, password):
        ratelimit.record_failure(session, email, ip, now=now)
        raise SignInRefused(WRONG_CREDENTIALS)
    ratelimit.forget_failures(session, email)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_sign_in_at = now
    return user


def count_users(session):
    """How many accounts exist."""
    return session.execute(select(func.count(User.id))).scalar_one()
