"""Deleting a store: what features hold elsewhere ended (TikTok disconnected), its jobs stopped,
every local row of it removed, audited.

Products already on TikTok stay there (as the platforms' own apps leave them); the merchant
removes them in TikTok's Catalog Manager if they want to.
"""
from flask import current_app
from sqlalchemy import delete, update

from server import audit
from server.errors import ValidationError
from server.extensions import db
from server.models.job import Job
from server.models.store import Store

# Job keys that belong to one store: its catalog syncs and reviews, feed imports, event relays.
STORE_JOB_KEYS = ("catalog:{id}", "catalog-import:{id}", "events:{id}")
STEPS = "ttc_store_deletion"  # app.extensions: {outcome: step} registered by features
CONFIRM_HINT = "type the store's name exactly as shown to confirm"


def delete_store(session, caller, store, confirmation):
    """Delete ``store`` for good once ``confirmation`` equals its name; returns what was removed."""
    if (confirmation or "").strip() != store.name:
        raise ValidationError(f"the store was not deleted: {CONFIRM_HINT}", fields={"confirm": CONFIRM_HINT})
    key, name, store_id = store.public_key, store.name, store.id
    steps = current_app.extensions.get(STEPS, {})
    outcomes = {outcome: step(session, store, caller) for outcome, step in steps.items()}
    keys = [pattern.format(id=store_id) for pattern in STORE_JOB_KEYS]
    cancelled = session.execute(update(Job).where(Job.key.in_(keys), Job.status == "queued")
                                .values(status="cancelled", last_error="the store was deleted")
                                .execution_options(synchronize_session=False)).rowcount
    rows = _delete_rows(session, store_id)
    session.expunge(store)
    audit.record(session, None, caller, "store.deleted",
                 {"key": key, "name": name, **outcomes, "jobs_cancelled": cancelled})
    session.commit()
    return {"key": key, "name": name, **outcomes, "jobs_cancelled": cancelled, "rows_removed": rows}


def before_deletion(app, outcome, step):
    """Run ``step(session, store, caller)`` when a store is deleted, before its rows go (a feature
    ends what it holds elsewhere, e.g. the TikTok token); its answer is reported as ``outcome``."""
    app.extensions.setdefault(STEPS, {})[outcome] = step


def _delete_rows(session, store_id):
    """Remove every row of the store, children first (SQLite does not enforce the cascades)."""
    removed = 0
    for table in reversed(db.metadata.sorted_tables):
        if table.name != Store.__tablename__ and "store_id" in table.c:
            removed += session.execute(delete(table).where(table.c.store_id == store_id)).rowcount
    session.execute(delete(Store.__table__).where(Store.__table__.c.id == store_id))
    return removed
