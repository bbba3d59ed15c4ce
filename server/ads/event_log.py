"""The one place the Ads page asks the per-store event log which pixel events arrived.

The log (``server_events``) holds the events the store's pages and backend sent through this
connector, which they do while the store's server events are on. With server events off and nothing
logged, the answer is None and the page says "unknown" rather than guessing.
"""
from dataclasses import dataclass

from sqlalchemy import func, select

from server.models.catalog import CatalogProduct
from server.models.events import EventSettings, ServerEvent

SAMPLE = 500  # the latest events per name whose content ids are compared with the catalog
IN_CHUNK = 900  # SKUs per IN (...) query, under SQLite's bound-parameter limit


@dataclass(frozen=True)
class EventsSeen:
    """One event name's arrivals since a moment: how many, the last one, and of the ``checked``
    latest ones, how many carried a content id that is one of the store's catalog SKUs."""

    count: int
    last_at: object = None  # datetime
    with_catalog_ids: int | None = None
    checked: int | None = None


def events_seen(session, store, names, since):
    """``{name: EventsSeen}`` for the store's events called ``names`` since ``since``; None when
    the connector cannot know (server events off with nothing logged)."""
    return _from_server_events(session, store, names, since)


def unknown_reason():
    """Why ``events_seen`` has no answer, in words."""
    return "server events are off for this store, so its pixel events do not pass through this connector"


def _from_server_events(session, store, names, since):
    window = (ServerEvent.store_id == store.id, ServerEvent.updated_at >= since,  # along the store/updated index
              ServerEvent.created_at >= since, ServerEvent.event.in_(list(names)), ServerEvent.test.is_(False),
              ServerEvent.status != "dropped")
    totals = session.execute(select(ServerEvent.event, func.count(), func.max(ServerEvent.created_at))
                             .where(*window).group_by(ServerEvent.event)).all()
    relaying = session.execute(select(EventSettings.server_events).where(EventSettings.store_id == store.id)
                               ).scalar_one_or_none()
    if not totals and not relaying:
        return None
    samples = {name: [_content_ids(p) for p in session.execute(
        select(ServerEvent.properties).where(*window, ServerEvent.event == name)
        .order_by(ServerEvent.id.desc()).limit(SAMPLE)).scalars()] for name, _, _ in totals}
    skus = _catalog_skus(session, store, {i for ids in samples.values() for each in ids for i in each})
    return {name: EventsSeen(count, last, sum(1 for ids in samples[name] if ids & skus), len(samples[name]))
            for name, count, last in totals}


def _content_ids(properties):
    properties = properties or {}
    ids = properties.get("content_ids") or [c.get("content_id") for c in properties.get("contents") or []
                                            if isinstance(c, dict)]
    return {str(i) for i in ids if i}


def _catalog_skus(session, store, ids):
    found, ids = set(), sorted(ids)
    for start in range(0, len(ids), IN_CHUNK):
        found.update(session.execute(select(CatalogProduct.sku).where(
            CatalogProduct.store_id == store.id, CatalogProduct.sku.in_(ids[start:start + IN_CHUNK]),
            CatalogProduct.removed_at.is_(None))).scalars())
    return found
