"""The seam between the catalog sync and the connect flow: which TikTok catalog a store syncs to,
and a TikTok client acting with the store's token.

The connect flow stores a ``TikTokConnection`` row (encrypted token, bc_id, catalog_id); this module
only reads it. The client comes from ``server.connect.store_client``: the process shares one HTTP
session and one pacer (so every worker honours TikTok's per-catalog limits together), and a token
TikTok refuses disconnects the store within that very call.
"""
from typing import NamedTuple

from server.catalog.errors import CatalogError
from server.connect.clients import store_client
from server.connect.errors import NotConnected
from server.connect.state import find_connection
from server.errors import AppError
from server.jobs import JobCancelled
from server.models.store import Store
from server.tiktok import TikTokClient


class CatalogNotReady(CatalogError, AppError):
    """Raised when a store has no usable TikTok catalog connection (no row, no catalog, bad token)."""

    status = 409
    code = "catalog_not_connected"


class CatalogTarget(NamedTuple):
    """Where a store's products go: a client with the store's token, its Business Center and catalog."""

    client: TikTokClient
    bc_id: str
    catalog_id: str


def catalog_target(session, store):
    """The TikTok catalog ``store`` syncs to; raises CatalogNotReady if it has none."""
    connection = find_connection(session, store)
    if connection is None or not connection.catalog_id or not connection.bc_id:
        raise CatalogNotReady("the store has no TikTok catalog yet: connect it to TikTok first")
    try:
        client = store_client(session, store, purpose="the catalog sync")
    except NotConnected as error:
        raise CatalogNotReady(error.message) from None
    return CatalogTarget(client, connection.bc_id, connection.catalog_id)


def guarded_target(session, store_id):
    """The store and its TikTok target, or JobCancelled when it is not connected (job edge helper)."""
    store = session.get(Store, store_id)
    if store is None:
        raise JobCancelled(f"store {store_id} no longer exists")
    if store.tiktok_state != "connected":
        raise JobCancelled("the store is not connected to TikTok; the catalog sync is stopped")
    try:
        return store, catalog_target(session, store)
    except CatalogNotReady as error:
        raise JobCancelled(error.message) from None
