"""Sign-in rate limit: failed attempts per email and per address, counted in the database.

Counting in the database (not in a worker's memory) makes the limit hold across every worker and
host. Refused attempts are not counted, so an attacker cannot keep an account locked forever by
hammering it: the lock lifts once the window has passed since the failures that caused it.
"""
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from server.auth.errors import TooManyAttempts
from server.clock import as_utc, utcnow
from server.models.user import SignInAttempt


def _limits():
    config = current_app.config
    return (config["TTC_SIGN_IN_MAX_FAILURES_PER_EMAIL"], config["TTC_SIGN_IN_MAX_FAILURES_PER_IP"],
            timedelta(minutes=config["TTC_SIGN_IN_WINDOW_MINUTES"]))


def check(session, email, ip, *, now=None):
    """Raise TooManyAttempts when this email or this address has used up its failed attempts."""
    now = now or utcnow()
    per_email, per_ip, window = _limits()
    waits = [_wait(session, SignInAttempt.email == email, per_email, window, now),
             _wait(session, SignInAttempt.ip == ip, per_ip, window, now)]
    longest = max(waits)
    if longest > 0:
        raise TooManyAttempts(longest)


def _wait(session, condition, limit, window, now):
    # Seconds until fewer than `limit` failures remain inside the window (0: not limited).
    recent = session.execute(
        select(SignInAttempt.attempted_at).where(condition, SignInAttempt.attempted_at > now - window)
        .order_by(SignInAttempt.attempted_at.desc()).limit(limit)
    ).scalars().all()
    if len(recent) < limit:
        return 0
    return (as_utc(recent[-1]) + window - now).total_seconds()


def record_failure(session, email, ip, *, now=None):
    """Count one failed attempt (committed) and forget those older than the window."""
    now = now or utcnow()
    window = _limits()[2]
    session.execute(delete(SignInAttempt).where(SignInAttempt.attempted_at <= now - window))
    session.add(SignInAttempt(email=email, ip=ip, attempted_at=now))
    session.commit()


def forget_failures(session, email):
    """Clear an email's failures after it signed in (the address keeps its count)."""
    session.execute(delete(SignInAttempt).where(SignInAttempt.email == email))
