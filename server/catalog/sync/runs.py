"""Asking for a sync: one waiting run per store at a time, widened when asked again.

A burst of changes (a webhook per product, a feed import, a category hidden) becomes one run:
a waiting run is upgraded in place (delta -> full -> reconcile, force sticks) with a
compare-and-set, so nothing asked for is lost even when the run starts at that very moment.
"""
from sqlalchemy import select, update

from server import jobs
from server.clock import utcnow
from server.jobs.queue import pretty_time
from server.models.catalog import SyncRun

KINDS = ("delta", "full", "reconcile")
SYNC_JOB = "catalog.sync"
REVIEW_JOB = "catalog.review"


def job_key(store_id):
    """The job key that keeps a store's catalog jobs one at a time."""
    return f"catalog:{store_id}"


def request_sync(session, store, *, kind="delta", force=False, trigger="manual", delay=0.0):
    """Queue a sync of ``store`` (or widen the one already waiting); returns the run, not committed.

    Returns None for a store that is not connected to TikTok: connecting starts a full sync.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    if store.tiktok_state != "connected":
        return None
    for _ in range(3):
        waiting = session.execute(select(SyncRun).where(SyncRun.store_id == store.id, SyncRun.status == "queued")
                                  .order_by(SyncRun.id).limit(1)).scalar_one_or_none()
        if waiting is None:
            break
        wider = KINDS[max(KINDS.index(waiting.kind), KINDS.index(kind))]
        widened = session.execute(
            update(SyncRun).where(SyncRun.id == waiting.id, SyncRun.status == "queued",
                                  SyncRun.kind == waiting.kind, SyncRun.force == waiting.force)
            .values(kind=wider, force=waiting.force or force)
            .execution_options(synchronize_session=False)).rowcount
        session.refresh(waiting)
        if widened:
            jobs.enqueue(session, SYNC_JOB, {"run_id": waiting.id}, key=job_key(store.id), delay=delay)
            return waiting
    run = SyncRun(store_id=store.id, kind=kind, force=force, trigger=trigger[:20], status="queued", counts={})
    session.add(run)
    session.flush()
    job = jobs.enqueue(session, SYNC_JOB, {"run_id": run.id}, key=job_key(store.id), delay=delay,
                       coalesce=False)
    run.job_id = job.id
    return run


def request_review(session, store, *, delay, round_number=0):
    """Queue a check of TikTok's review for the store's products awaiting it (not committed)."""
    return jobs.enqueue(session, REVIEW_JOB, {"store_id": store.id, "round_number": round_number},
                        key=job_key(store.id), delay=delay)


def start_run(session, run):
    """Mark a run as running (a resumed run keeps its start time); commits."""
    session.execute(update(SyncRun).where(SyncRun.id == run.id, SyncRun.status.in_(("queued", "running")))
                    .values(status="running", started_at=run.started_at or utcnow(), error=None)
                    .execution_options(synchronize_session=False))
    session.commit()
    session.refresh(run)


def end_run(session, run, status, *, error=None):
    """Record how a run ended; commits."""
    run.status = status
    run.phase = None
    run.error = str(error)[:1000] if error else None
    run.finished_at = utcnow()
    session.commit()


def run_summary(run):
    """A run as plain data (CLI, API, admin)."""
    return {"id": run.id, "kind": run.kind, "force": run.force, "trigger": run.trigger, "status": run.status,
            "phase": run.phase, "counts": run.counts or {}, "progress": {"done": run.progress_done,
                                                                         "total": run.progress_total},
            "error": run.error, "created_at": pretty_time(run.created_at),
            "started_at": pretty_time(run.started_at), "finished_at": pretty_time(run.finished_at)}


def on_connected(app, *, session, store):
    """A store was just connected to TikTok (``server.connect.signals.connected``): a full sync,
    committed with the connection."""
    request_sync(session, store, kind="full", trigger="connect")
