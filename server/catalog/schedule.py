"""When stores reconcile: twice a day each (by default), spread over the day by a hash of the
store key so that a thousand stores do not all hit TikTok at the same minute."""
import hashlib
import time

from flask import current_app
from sqlalchemy import select, update

from server.models.catalog import StoreCatalog
from server.models.store import Store

DAY = 86_400
MAX_REVIEW_DELAY = 6 * 3600


def period_seconds():
    """Seconds between two reconciles of one store."""
    per_day = max(1, current_app.config["TTC_CATALOG_RECONCILES_PER_DAY"])
    return DAY // per_day


def offset_seconds(public_key, period):
    """Where in each period this store's reconcile falls (stable for the store)."""
    return int.from_bytes(hashlib.sha256(public_key.encode("utf-8")).digest()[:8], "big") % period


def current_slot(public_key, now=None):
    """The number of the store's latest reconcile time at or before ``now`` (epoch seconds)."""
    period = period_seconds()
    now = time.time() if now is None else now
    return int((now - offset_seconds(public_key, period)) // period)


def enqueue_due_reconciles(app, session, now=None):
    """Periodic task: queue a reconcile for each connected store whose time has come (commits)."""
    from server.catalog.intake import store_catalog
    from server.catalog.runs import request_sync

    queued = 0
    stores = session.execute(select(Store).where(Store.tiktok_state == "connected")).scalars().all()
    for store in stores:
        slot = current_slot(store.public_key, now)
        catalog = store_catalog(session, store)
        if catalog.reconcile_slot >= slot:
            continue
        # Several schedulers may run this at once: only the one that moves the slot queues the run.
        won = session.execute(update(StoreCatalog).where(StoreCatalog.id == catalog.id,
                                                         StoreCatalog.reconcile_slot == catalog.reconcile_slot)
                              .values(reconcile_slot=slot).execution_options(synchronize_session=False)).rowcount
        if won:
            request_sync(session, store, kind="reconcile", trigger="schedule")
            queued += 1
        session.commit()
    session.commit()
    return queued


def review_delay(round_number):
    """Seconds before checking TikTok's review again: from the setting, doubling, at most 6 hours."""
    base = current_app.config["TTC_CATALOG_REVIEW_POLL_SECONDS"]
    return min(MAX_REVIEW_DELAY, base * (2 ** max(0, round_number - 1)))
