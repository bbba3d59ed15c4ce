"""The OAuth ``state``: signed, single use, short-lived, bound to one store and one merchant.

The value sent to TikTok is ``{nonce, store key, merchant}`` signed with the app's secret key; the
database keeps only the nonce's SHA-256 with the store, the merchant, the expiry and when it was
used. The callback accepts a state only if the signature holds, the record agrees with what was
signed, the merchant completing the round trip is the one who started it, it has not expired,
and nobody used it before (checked and spent in one conditional UPDATE).
"""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select, update

from server.clock import as_utc, utcnow
from server.connect.errors import StateRejected
from server.models.store import Store
from server.models.tiktok import TikTokOAuthState

SALT = "ttc.connect.oauth-state"
OPERATOR = "operator"
KEEP_USED_FOR = timedelta(days=1)  # spent and expired states are purged after this

START_AGAIN = "go back to the store's TikTok page and click Connect again"


@dataclass(frozen=True)
class Purpose:
    """Whose round trip a state is for: its own signing salt (a state issued for one platform is not
    accepted by another's callback), the platform's name and how the merchant starts again."""

    salt: str
    platform: str
    start_again: str


TIKTOK = Purpose(SALT, "TikTok", START_AGAIN)


def issue_state(session, store, user=None, purpose=TIKTOK):
    """A new state for connecting ``store``, bound to ``user`` (None: the operator); committed."""
    nonce = secrets.token_urlsafe(24)
    now = utcnow()
    lifetime = timedelta(seconds=current_app.config["TTC_CONNECT_STATE_SECONDS"])
    session.execute(delete(TikTokOAuthState).where(TikTokOAuthState.expires_at < now - KEEP_USED_FOR))
    session.add(TikTokOAuthState(nonce_hash=_digest(nonce), store_id=store.id,
                                 user_id=user.id if user is not None else None,
                                 created_at=now, expires_at=now + lifetime))
    session.commit()
    signed = {"n": nonce, "s": store.public_key, "u": user.id if user is not None else OPERATOR}
    return _serializer(purpose).dumps(signed)


def consume_state(session, state, user=None, purpose=TIKTOK):
    """Check and spend a state from the callback; returns (store, user id or None for the operator).

    ``user`` is who is signed in while completing the round trip. Raises StateRejected, with a
    message fit for the merchant, for a missing, tampered, unknown, foreign, expired or reused state.
    """
    again = purpose.start_again
    if not state:
        raise StateRejected(f"{purpose.platform} sent no state with the authorization, so it cannot be trusted: "
                            f"{again}")
    try:
        signed = _serializer(purpose).loads(state)
    except BadSignature:
        raise StateRejected(f"the authorization's state was not issued by this connector: {again}") from None
    if not isinstance(signed, dict) or not {"n", "s", "u"} <= set(signed) or not isinstance(signed["n"], str):
        raise StateRejected(f"the authorization's state is malformed: {again}")
    row = session.execute(select(TikTokOAuthState).where(TikTokOAuthState.nonce_hash == _digest(signed["n"]))
                          ).scalar_one_or_none()
    store = session.get(Store, row.store_id) if row is not None else None
    if store is None:
        raise StateRejected(f"this authorization is unknown here (it may be from another connector): {again}")
    if store.public_key != signed["s"] or signed["u"] != (row.user_id if row.user_id is not None else OPERATOR):
        raise StateRejected(f"this authorization was started for another store: {again}")
    _check_merchant(row, user, again)
    if row.used_at is not None:
        raise StateRejected(f"this authorization was already used once: {again}")
    now = utcnow()
    if as_utc(row.expires_at) <= now:
        raise StateRejected(f"this authorization took too long and expired: {again}")
    spent = session.execute(
        update(TikTokOAuthState).where(TikTokOAuthState.id == row.id, TikTokOAuthState.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    session.commit()
    if spent != 1:
        raise StateRejected(f"this authorization was already used once: {again}")
    return store, row.user_id


def _check_merchant(row, user, again):
    if row.user_id is None:
        return  # started by the operator at the command line: whoever holds the link completes it
    if user is None:
        raise StateRejected("sign in as the merchant who clicked Connect, then " + again)
    if user.id != row.user_id:
        raise StateRejected(f"this authorization was started by another merchant: {again}")


def _digest(nonce):
    return hashlib.sha256(nonce.encode("utf-8")).hexdigest()


def signed_store_key(state, purpose=TIKTOK):
    """The store key a genuine state names (spent or expired alike), or None: where to say what went wrong."""
    try:
        signed = _serializer(purpose).loads(state or "")
    except BadSignature:
        return None
    return signed.get("s") if isinstance(signed, dict) and isinstance(signed.get("s"), str) else None


def _serializer(purpose):
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=purpose.salt)
