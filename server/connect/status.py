"""What the TikTok page, the overview card and ``tiktok status`` show: the connection as plain data
(never the token), and a live check that disconnects the store if TikTok refuses its token."""
from sqlalchemy import select

from server.clock import isoformat
from server.connect.clients import store_client
from server.connect.setup import store_problems
from server.connect.state import find_connection
from server.models.audit import AuditEntry
from server.tiktok import TikTokAppAuthError, TikTokAuthError, TikTokError
from server.tiktok.oauth import authorized_advertisers

DISCONNECT_ACTIONS = ("tiktok.disconnected", "tiktok.auto_disconnected")
STATE_LABELS = {"not_connected": "Not connected", "connected": "Connected", "disconnected": "Disconnected"}


def connection_status(session, store):
    """The store's TikTok connection as plain data: state, why, the accounts, setup progress."""
    connection = find_connection(session, store)
    has_token = connection is not None and connection.has_token
    last = _last_disconnect(session, store) if store.tiktok_state == "disconnected" else None

    def ids(*names):
        return {name: getattr(connection, column) if connection is not None else None
                for name, column in names}

    return {
        "key": store.public_key,
        "state": store.tiktok_state,
        "state_label": STATE_LABELS.get(store.tiktok_state, store.tiktok_state),
        "reason": store.tiktok_state_reason,
        "changed_at": isoformat(store.tiktok_state_changed_at),
        "automatic": last is not None and last.action == "tiktok.auto_disconnected",
        "token": "stored, encrypted" if has_token else None,
        "setup_pending": has_token and store.tiktok_state != "connected",
        "advertiser": ids(("id", "advertiser_id"), ("name", "advertiser_name")),
        "business_center": ids(("id", "bc_id"), ("name", "bc_name")),
        "pixel": ids(("id", "pixel_id"), ("code", "pixel_code")),
        "catalog": ids(("id", "catalog_id"), ("name", "catalog_name")),
        "scope": list(connection.scope or []) if connection is not None else [],
        "authorized_at": isoformat(connection.authorized_at) if connection is not None else None,
        "connected_at": isoformat(connection.connected_at) if connection is not None else None,
        "problems": store_problems(store),
    }


def check_connection(session, store):
    """Ask TikTok whether the store's token still works; returns (ok, message). A refused token
    disconnects the store on the spot (through ``store_client``)."""
    client = store_client(session, store, purpose="a connection check")
    try:
        advertisers = authorized_advertisers(client)
    except TikTokAppAuthError as error:
        return False, f"TikTok rejected this connector's app settings ({error.message}); the store is unchanged"
    except TikTokAuthError as error:
        return False, f"TikTok refused the token ({error.message}): the store was disconnected"
    except TikTokError as error:
        return False, f"TikTok could not be asked right now ({error.message})"
    return True, f"TikTok accepts the token ({len(advertisers)} advertiser account(s))"


def _last_disconnect(session, store):
    return session.execute(select(AuditEntry).where(AuditEntry.store_id == store.id,
                                                    AuditEntry.action.in_(DISCONNECT_ACTIONS))
                           .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(1)
                           ).scalar_one_or_none()
