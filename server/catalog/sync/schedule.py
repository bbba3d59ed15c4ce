"""When stores reconcile: twice a day each (by default), spread over the day by a hash of the
store key so that a thousand stores do not all hit TikTok at the same minute."""
from flask import current_app
from sqlalchemy import select, update

from server.catalog.bookkeeping import current_slot, store_catalog
from server.catalog.sync.runs import request_sync
from server.models.catalog import StoreCatalog
from server.models.store import Store

MAX_REVIEW_DELAY = 6 * 3600


def enqueue_due_reconciles(app, session, now=None):
    """Periodic task: queue a reconcile for each connected store whose time has come (commits)."""
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
