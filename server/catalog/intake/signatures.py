"""The signed change webhook: "these products changed" from the store's platform, synced at once.

The sender signs ``<timestamp>.<body>`` with HMAC-SHA256 and the store's webhook secret::

    X-TTC-Timestamp: 1700000000
    X-TTC-Signature: sha256=<hex digest>

Requests older or newer than the tolerance (5 minutes) are refused, and so is a signature seen
before (a replay), even inside the window. The secret is stored encrypted.
"""
import hashlib
import hmac
import io
import secrets
import tempfile
import time
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from server.catalog.bookkeeping import store_catalog
from server.catalog.errors import CatalogError
from server.clock import utcnow
from server.errors import AppError
from server.models.catalog import StoreCatalog, WebhookReceipt
from server.security import decrypt_secret, encrypt_secret

SIGNATURE_PREFIX = "sha256="
RECEIPT_DAYS = 1
READ_CHUNK = 65_536
SPOOL_IN_MEMORY = 1_048_576  # a body still unverified past this waits on disk, not in the worker's memory


class WebhookRefused(CatalogError, AppError):
    """Raised when a webhook request is not signed right, is too old, or was already received."""

    status = 401
    code = "webhook_refused"


class WebhookReplayed(WebhookRefused):
    """Raised when a signed request arrives a second time."""

    status = 409
    code = "webhook_replayed"


def rotate_secret(session, store):
    """Give the store a new webhook secret; returns it (shown once; stored encrypted; commits)."""
    secret = "whsec_" + secrets.token_urlsafe(32)
    catalog = store_catalog(session, store)
    catalog.webhook_secret = encrypt_secret(secret)
    catalog.webhook_secret_set_at = utcnow()
    session.commit()
    return secret


def sign(secret, timestamp, body):
    """The signature header value for ``body`` sent at ``timestamp`` (what the sender computes)."""
    message = str(int(timestamp)).encode("ascii") + b"." + body
    return SIGNATURE_PREFIX + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify(session, store, *, body, timestamp, signature, tolerance, now=None):
    """Check a request's signature, age and freshness, and remember it (commits); raises WebhookRefused."""
    verify_stream(session, store, io.BytesIO(body), timestamp=timestamp, signature=signature, tolerance=tolerance,
                  now=now)


def verify_stream(session, store, stream, *, timestamp, signature, tolerance, now=None):
    """``verify`` for a body still to be read from ``stream``: the secret and the age are checked
    before a byte is read, and the body is hashed as it streams in, kept on disk past 1 MB; returns
    the body (bytes) once its signature matched (commits); raises WebhookRefused."""
    secret = _secret(session, store)
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        raise WebhookRefused("missing or malformed X-TTC-Timestamp header") from None
    now = time.time() if now is None else now
    if abs(now - sent_at) > tolerance:
        raise WebhookRefused(f"the request is older (or newer) than {tolerance} seconds; check the sender's clock")
    if not isinstance(signature, str) or not signature.strip().startswith(SIGNATURE_PREFIX):
        raise WebhookRefused("missing X-TTC-Signature header (sha256=<hex digest>)")
    digest = hmac.new(secret.encode("utf-8"), str(sent_at).encode("ascii") + b".", hashlib.sha256)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as kept:
        while chunk := stream.read(READ_CHUNK):
            digest.update(chunk)
            kept.write(chunk)
        expected = SIGNATURE_PREFIX + digest.hexdigest()
        if not hmac.compare_digest(expected.encode("ascii"), signature.strip().encode("utf-8", "replace")):
            raise WebhookRefused("the signature does not match the body and the store's webhook secret")
        kept.seek(0)
        body = kept.read()
    session.add(WebhookReceipt(store_id=store.id, signature_hash=hashlib.sha256(expected.encode()).hexdigest()))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise WebhookReplayed("this request was already received (replayed signature)") from None
    return body


def _secret(session, store):
    row = session.execute(select(StoreCatalog.webhook_secret).where(StoreCatalog.store_id == store.id)).scalar()
    if not row:
        raise WebhookRefused("the store has no webhook secret yet: create one with "
                             "`flask catalog webhook-secret --store KEY`")
    return decrypt_secret(row)


def purge_receipts(app, session):
    """Periodic task: forget receipts older than any request the tolerance still accepts (commits)."""
    cutoff = utcnow() - timedelta(days=RECEIPT_DAYS)
    session.execute(delete(WebhookReceipt).where(WebhookReceipt.received_at < cutoff))
    session.commit()
