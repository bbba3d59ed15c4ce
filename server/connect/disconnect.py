"""Disconnecting by hand: revoke the token at TikTok (best effort), delete it here in every case,
mark the store disconnected. Products already on TikTok stay there."""
import logging
from dataclasses import dataclass

from server.connect.clients import app_client
from server.connect.errors import ConnectError
from server.connect.state import find_connection, mark_disconnected
from server.connect.tokens import read_token
from server.tiktok import TikTokError
from server.tiktok.oauth import revoke_token

log = logging.getLogger(__name__)

CATALOG_MANAGER_HINT = ("Products already on TikTok stay in your catalog there; to remove them, delete them in "
                        "TikTok Catalog Manager (TikTok Business Center > Assets > Catalogs).")


@dataclass(frozen=True)
class Disconnection:
    """What a disconnect did: whether the store changed, and whether TikTok confirmed the revoke."""

    changed: bool
    revoked: bool
    revoke_problem: str | None = None  # why the revoke failed (safe to show); the token is deleted anyway


def disconnect(session, store, actor, *, reason=None):
    """Disconnect ``store`` as ``actor`` (a User, a Caller, or None for the operator); committed."""
    connection = find_connection(session, store)
    revoked, problem = False, None
    if connection is not None and connection.has_token:
        revoked, problem = _revoke(store, connection)
    label = _label(actor)
    reason = reason or f"disconnected by {label}"
    changed = mark_disconnected(session, store, reason, actor=actor, action="tiktok.disconnected",
                                details={"revoked": revoked, "revoke_problem": problem})
    return Disconnection(changed=changed, revoked=revoked, revoke_problem=problem)


def _revoke(store, connection):
    """Ask TikTok to invalidate the token; returns (revoked, problem). Never raises for TikTok's sake."""
    try:
        revoke_token(app_client(), read_token(connection))
    except (TikTokError, ConnectError) as error:
        problem = getattr(error, "message", None) or str(error)
        # Best effort: the token is deleted here whatever TikTok answers.
        log.warning("store %s: TikTok did not confirm the token was revoked: %s", store.public_key, error)
        return False, problem
    return True, None


def _label(actor):
    if actor is None:
        return "the operator (command line)"
    email = getattr(actor, "email", None) or getattr(getattr(actor, "user", None), "email", None)
    return email or getattr(actor, "label", None) or str(actor)


def disconnect_deleted_store(session, store, caller):
    """A store is being deleted: revoke and forget its TikTok token (best effort at TikTok, certain
    here); whether there was a connection to end."""
    connection = find_connection(session, store)
    if store.tiktok_state != "connected" and (connection is None or not connection.has_token):
        return False
    disconnect(session, store, caller, reason="the store is being deleted")
    return True
