"""A store's catalog bookkeeping row (``StoreCatalog``): created on first use with its place in the
reconcile schedule, and the intake marks every product an intake touches carries.

Reconciles run twice a day each (by default), spread over the day by a hash of the store key so
that a thousand stores do not all hit TikTok at the same minute: a store's *slot* is the number of
its latest reconcile time.
"""
import hashlib
import time

from flask import current_app
from sqlalchemy import select, update

from server.models.catalog import StoreCatalog

DAY = 86_400


def period_seconds():
    """Seconds between two reconciles of one store."""
    per_day = max(1, int(current_app.config["TTC_CATALOG_RECONCILES_PER_DAY"]))
    return DAY // per_day


def offset_seconds(public_key, period):
    """Where in each period this store's reconcile falls (stable for the store)."""
    return int.from_bytes(hashlib.sha256(public_key.encode("utf-8")).digest()[:8], "big") % period


def current_slot(public_key, now=None):
    """The number of the store's latest reconcile time at or before ``now`` (epoch seconds)."""
    period = period_seconds()
    now = time.time() if now is None else now
    return int((now - offset_seconds(public_key, period)) // period)


def store_catalog(session, store):
    """The store's catalog bookkeeping row, created on first use."""
    row = session.execute(select(StoreCatalog).where(StoreCatalog.store_id == store.id)).scalar_one_or_none()
    if row is None:
        row = StoreCatalog(store_id=store.id, reconcile_slot=current_slot(store.public_key), mark_counter=0)
        session.add(row)
        session.flush()
    return row


def next_mark(session, store):
    """A fresh intake mark for this store (every product an intake touches carries it)."""
    store_catalog(session, store)
    session.execute(update(StoreCatalog).where(StoreCatalog.store_id == store.id)
                    .values(mark_counter=StoreCatalog.mark_counter + 1))
    return session.execute(select(StoreCatalog.mark_counter).where(StoreCatalog.store_id == store.id)).scalar_one()
