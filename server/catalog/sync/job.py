"""The catalog sync job: finish what an interrupted run left, plan, send, confirm.

TikTok's errors decide what happens next: a dead token disconnects the store; throttling and
outages retry the job later (the outbox keeps every batch); a refused request dead-letters its
batch. A run is only successful once TikTok has processed every upload and delete it planned.
"""
from flask import current_app
from sqlalchemy import select, update

from server.catalog.bookkeeping import store_catalog
from server.catalog.sync import outbox, planner, reconcile, runs
from server.catalog.sync.schedule import review_delay
from server.catalog.sync.tiktok_target import guarded_target
from server.connect.state import mark_disconnected
from server.jobs import JobCancelled, JobFailed, RetryLater
from server.jobs.queue import backoff_seconds
from server.models.catalog import CatalogProduct, SyncRun
from server.models.job import Job
from server.tiktok.errors import (
    TikTokAppAuthError,
    TikTokAuthError,
    TikTokError,
    TikTokPacingTimeout,
    TikTokRateLimited,
    TikTokRequestError,
)


def run_sync_job(context, run_id):
    """Job: run (or resume) one sync run of a store."""
    session = context.session
    run = session.get(SyncRun, run_id)
    if run is None or run.status in ("succeeded", "failed", "cancelled"):
        return {"skipped": "the run already ended"}
    try:
        store, target = guarded_target(session, run.store_id)
    except JobCancelled as error:
        runs.end_run(session, run, "cancelled", error=error)
        raise
    store_catalog(session, store)  # the row the catalog lock is taken on
    _close_abandoned_runs(session, store.id, run.id)
    runs.start_run(session, run)
    try:
        if run.kind == "reconcile":
            run.phase = "reading_tiktok"
            session.commit()
            reconcile.refresh_remote(context, store, target, run)
        outbox.process(context, store, target, run)  # batches an interrupted run left behind
        run.phase = "planning"
        session.commit()
        planner.plan(context, store, run)
        outbox.process(context, store, target, run)
    except TikTokError as error:
        _settle_tiktok_error(context, store, run, error)
    runs.end_run(session, run, "succeeded")
    _after_success(session, store)
    return {"run_id": run.id, "counts": run.counts}


def _settle_tiktok_error(context, store, run, error):
    """Turn a TikTok error into the job's next step (always raises)."""
    session = context.session
    session.rollback()
    if isinstance(error, TikTokAppAuthError):
        runs.end_run(session, run, "failed", error=f"TikTok rejected this connector's app settings: {error}")
        raise JobFailed(str(error))
    if isinstance(error, TikTokAuthError):
        mark_disconnected(session, store, f"TikTok refused the access token during a catalog sync ({error.message})")
        runs.end_run(session, run, "failed", error=f"TikTok refused the store's access token; the store was "
                                                    f"disconnected: {error.message}")
        raise JobCancelled(str(error))
    if isinstance(error, TikTokRequestError):
        runs.end_run(session, run, "failed", error=f"TikTok refused a request: {error}")
        raise JobFailed(str(error))
    base = current_app.config["TTC_CATALOG_RETRY_SECONDS"]
    if isinstance(error, TikTokPacingTimeout):
        delay = error.retry_after
    elif isinstance(error, TikTokRateLimited):
        delay = 2 * base  # TikTok's per-minute windows: a throttled catalog pauses about a minute
    else:
        delay = backoff_seconds(context.job.attempts, base=base, cap=900.0)
    if context.job.attempts >= context.job.max_attempts:
        runs.end_run(session, run, "failed", error=f"gave up after {context.job.attempts} attempts: {error}")
        raise JobFailed(str(error))
    run.error = f"retrying in {delay:.0f}s: {error}"[:1000]
    session.commit()
    raise RetryLater(str(error), delay=delay)


def _after_success(session, store):
    pending = session.execute(select(CatalogProduct.id)
                              .where(CatalogProduct.store_id == store.id, CatalogProduct.state == "pending_review")
                              .limit(1)).first()
    if pending:
        runs.request_review(session, store, delay=review_delay(1))
        session.commit()


def _close_abandoned_runs(session, store_id, current_id):
    """Runs left "running" by a job that can no longer finish them (dead-lettered, cancelled)."""
    stuck = session.execute(select(SyncRun.id, SyncRun.job_id).where(
        SyncRun.store_id == store_id, SyncRun.status == "running", SyncRun.id != current_id)).all()
    for run_id, job_id in stuck:
        job_status = session.execute(select(Job.status).where(Job.id == job_id)).scalar_one_or_none()
        if job_status not in ("queued", "running"):
            session.execute(update(SyncRun).where(SyncRun.id == run_id, SyncRun.status == "running")
                            .values(status="failed", error="interrupted; a later run took over its work",
                                    phase=None).execution_options(synchronize_session=False))
    session.commit()
