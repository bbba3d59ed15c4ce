"""Per-store API keys: made once and shown once, stored as a SHA-256, revocable, last use tracked.

A key is ``ttc_`` + 256 random bits, so a plain SHA-256 is enough to store it safely (no password
stretching is needed for a secret nobody can guess), and lookups by hash stay one index probe.
"""
import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from server import audit
from server.clock import as_utc, utcnow
from server.errors import NotFound, ValidationError
from server.models.api_key import ApiKey

KEY_PREFIX = "ttc_"
SHOWN_PREFIX_LENGTH = 12  # "ttc_" + 8 characters: enough to tell keys apart, useless to an attacker
LAST_USED_RESOLUTION = timedelta(minutes=1)  # at most one write per key per minute


def digest(key):
    """The stored form of a key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_api_key(session, caller, store, name=""):
    """Make a key for the store; returns (ApiKey, the key itself: shown once, never stored)."""
    name = (name or "").strip() or "API key"
    if len(name) > 100:
        raise ValidationError("name: at most 100 characters", fields={"name": "at most 100 characters"})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(store_id=store.id, name=name, prefix=key[:SHOWN_PREFIX_LENGTH], key_hash=digest(key),
                 created_by=caller.label[:254])
    session.add(row)
    session.flush()
    audit.record(session, store, caller, "api_key.created", {"key": row.prefix, "name": name})
    session.commit()
    return row, key


def revoke_api_key(session, caller, store, key_id):
    """Revoke one of the store's keys (NotFound for a key of another store); audited."""
    row = session.execute(
        select(ApiKey).where(ApiKey.id == key_id, ApiKey.store_id == store.id)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("no such API key for this store")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, store, caller, "api_key.revoked", {"key": row.prefix, "name": row.name})
        session.commit()
    return row


def api_keys_of(session, store):
    """The store's keys, active first, newest first."""
    rows = session.execute(
        select(ApiKey).where(ApiKey.store_id == store.id).order_by(ApiKey.created_at.desc(), ApiKey.id.desc())
    ).scalars().all()
    return sorted(rows, key=lambda row: not row.active)


def authenticate_api_key(session, presented, *, now=None):
    """The active ApiKey matching a presented key, or None; notes when it was last used."""
    if not isinstance(presented, str) or not presented.startswith(KEY_PREFIX) or len(presented) > 100:
        return None
    row = session.execute(select(ApiKey).where(ApiKey.key_hash == digest(presented))).scalar_one_or_none()
    if row is None or not row.active:
        return None
    now = now or utcnow()
    if row.last_used_at is None or now - as_utc(row.last_used_at) >= LAST_USED_RESOLUTION:
        row.last_used_at = now
        session.commit()
    return row
