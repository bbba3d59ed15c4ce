"""A store's TikTok connection state: the one place that flips it to connected or disconnected.

Disconnecting (by hand, or because TikTok refused the token anywhere) deletes the local token,
keeps the ids (so reconnecting finds the same Business Center, pixel and catalog), and records
the time and the reason: the pixel configuration turns off on that commit and catalog jobs stop.
"""
import logging

from flask import current_app
from sqlalchemy import select

from server import audit
from server.clock import utcnow
from server.connect.errors import NotConnected
from server.connect.signals import connected
from server.connect.tokens import read_token
from server.models.store import Store
from server.models.tiktok import TikTokConnection
from server.security import constant_time_equal

log = logging.getLogger(__name__)

REASON_LIMIT = 500
AUTOMATIC = "automatic (TikTok refused the token)"


def find_connection(session, store):
    """The store's TikTok connection row, or None."""
    return session.execute(select(TikTokConnection).where(TikTokConnection.store_id == store.id)
                           ).scalar_one_or_none()


def connection_for(session, store):
    """The store's TikTok connection row, created (not committed) if it has none."""
    connection = find_connection(session, store)
    if connection is None:
        connection = TikTokConnection(store_id=store.id)
        session.add(connection)
    return connection


def mark_disconnected(session, store, reason, *, actor=AUTOMATIC, action="tiktok.auto_disconnected",
                      details=None):
    """Disconnect ``store``: delete its local token, set disconnected with ``reason`` and the time,
    audit it; commits. Returns True if the store's state changed (False: it already was)."""
    session.refresh(store)  # the store may have changed since it was loaded (its version must match)
    connection = find_connection(session, store)
    had_token = connection is not None and connection.has_token
    changed = store.tiktok_state != "disconnected"
    if not changed and not had_token:
        return False
    if had_token:
        connection.access_token = None
    reason = str(reason)[:REASON_LIMIT]
    if changed:
        store.tiktok_state = "disconnected"
        store.tiktok_state_reason = reason
        store.tiktok_state_changed_at = utcnow()
    audit.record(session, store, actor, action, {"reason": reason, **(details or {})})
    session.commit()
    return changed


def auto_disconnect(session, store_id, error, *, purpose, token=None):
    """TikTok refused a store's token (``error``, a TikTokAuthError) during ``purpose``: disconnect
    the store at once, unless the token was replaced meanwhile (a reconnect). Rolls back the
    session's unfinished work first; commits. Returns True if the store was disconnected."""
    session.rollback()
    store = session.get(Store, store_id)
    connection = find_connection(session, store) if store is not None else None
    if connection is None or not connection.has_token:
        return False  # disconnected meanwhile (by hand or by another call)
    if token is not None and not _same_token(connection, token):
        return False  # a newer token came in while this call was under way
    reason = f"TikTok refused the access token during {purpose}: {error.message} ({_code(error)})"
    log.warning("store %s disconnected from TikTok: %s", store.public_key, reason)
    mark_disconnected(session, store, reason,
                      details={"code": error.code, "path": error.path, "request_id": error.request_id})
    return True


def _same_token(connection, token):
    try:
        return constant_time_equal(read_token(connection), token)
    except NotConnected:
        return True  # the stored token cannot even be read: it is no use to anyone


def _code(error):
    if error.code is not None:
        return f"code {error.code}"
    return f"HTTP {error.http_status}" if error.http_status else "no code"


def mark_connected(session, store, connection, actor, *, action="tiktok.connected", details=None):
    """The store is set up: its pixel goes live with the connection's pixel code, the state turns
    connected and the features that follow it are told (the catalog queues a full sync); audited,
    committed."""
    now = utcnow()
    store.pixel_code = connection.pixel_code or store.pixel_code
    store.pixel_enabled = True
    store.tiktok_state = "connected"
    store.tiktok_state_reason = None
    store.tiktok_state_changed_at = now
    connection.connected_at = now
    audit.record(session, store, actor, action, {
        "advertiser_id": connection.advertiser_id, "bc_id": connection.bc_id,
        "pixel_code": connection.pixel_code, "catalog_id": connection.catalog_id, **(details or {})})
    connected.send(current_app._get_current_object(), session=session, store=store)
    session.commit()
