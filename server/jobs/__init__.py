"""Durable background jobs: a database outbox run by threads inside the server process (the embedded
default, no broker) or by Celery workers on any number of machines (``TTC_BROKER_URL``).

A feature registers its handlers in its ``init_app`` and enqueues with plain ids, never secrets::

    jobs.register(app, "catalog.sync", run_sync)          # run_sync(context, run_id)
    jobs.enqueue(db.session, "catalog.sync", {"run_id": 7}, key="catalog:3")
    db.session.commit()                                    # dispatched once committed

Handlers return normally (done), or raise ``RetryLater``, ``JobFailed`` (dead letter) or
``JobCancelled``. Jobs sharing a ``key`` never run at the same time.
"""
import logging
import math
import threading
import time
from dataclasses import dataclass, field

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from server.extensions import db
from server.jobs.broker import RUN_TASK, make_celery
from server.jobs.cli import jobs_group
from server.jobs.errors import JobCancelled, JobError, JobFailed, LeaseLost, RetryLater
from server.jobs.queue import ENQUEUED_INFO, due_jobs, enqueue
from server.jobs.runner import EmbeddedRunner
from server.models.job import Job

__all__ = ["JobCancelled", "JobError", "JobFailed", "LeaseLost", "RetryLater", "enqueue", "init_app",
           "periodic", "register"]

log = logging.getLogger(__name__)
MODES = ("auto", "embedded", "celery", "off")
REDISPATCH_AFTER = 60.0  # seconds a due job may wait before Celery is nudged again
REDISPATCH_EVERY = 300.0


@dataclass
class PeriodicTask:
    """A function run every ``seconds`` by the scheduler tick; it must be safe to run on many hosts."""

    name: str
    seconds: float
    function: object
    last_run: float = -math.inf


@dataclass
class JobsState:
    """Per-application job settings, handlers, periodic tasks and the runner or broker in use."""

    app: object
    mode: str
    lease_seconds: float
    poll_seconds: float
    tick_seconds: float
    threads: int
    reap_dead: bool
    handlers: dict = field(default_factory=dict)
    periodic: list = field(default_factory=list)
    runner: object = None
    stopped: bool = False  # stop() was called: nothing starts the runner again
    _celery: object = None
    _nudged: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def ensure_runner(self):
        """Start the embedded runner threads (once) when this process runs jobs itself."""
        if self.mode != "embedded":
            return None
        with self._lock:
            if self.runner is None and not self.stopped:
                self.runner = EmbeddedRunner(self.app, threads=self.threads, poll_seconds=self.poll_seconds,
                                             tick_seconds=self.tick_seconds)
                self.runner.start()
        return self.runner

    def stop(self):
        """Stop the embedded runner, if started, for good (tests, shutdown): a request that comes
        later (a page still polling) does not start it again."""
        with self._lock:
            self.stopped = True
            runner, self.runner = self.runner, None
        if runner is not None:
            runner.stop()

    def notify(self, job_ids):
        """New or changed jobs were committed: wake the runner or hand them to Celery."""
        if self.mode == "embedded" and self.runner is not None:
            self.runner.wake()
        elif self.mode == "celery":
            for job_id in sorted(job_ids):
                self.send(job_id)

    def notify_key(self, key):
        """A job with ``key`` finished: the next due job with the same key may start now."""
        if self.mode == "embedded" and self.runner is not None:
            self.runner.wake()
        elif self.mode == "celery":
            waiting = db.session.execute(select(Job.id).where(Job.key == key, Job.status == "queued")
                                         .order_by(Job.run_after, Job.id).limit(1)).scalar_one_or_none()
            db.session.commit()
            if waiting is not None:
                self.send(waiting)

    def scheduled(self, job_id, delay):
        """A job was put back in the queue to run in ``delay`` seconds."""
        if self.mode == "celery":
            self.send(job_id, countdown=delay)

    def send(self, job_id, countdown=None):
        """Queue a Celery message that runs ``job_id`` (the message carries the id only)."""
        if self._celery is None:
            self._celery = make_celery(self.app)
        self._celery.send_task(RUN_TASK, args=[int(job_id)], countdown=countdown,
                               queue=self.app.config["TTC_JOB_QUEUE"])

    def redispatch_overdue(self, session):
        """With Celery, re-send due jobs nobody has started (a message lost with its worker)."""
        if self.mode != "celery":
            return
        now = time.monotonic()
        for job in due_jobs(session, older_than=REDISPATCH_AFTER, limit=50):
            if now - self._nudged.get(job.id, -math.inf) >= REDISPATCH_EVERY:
                self._nudged[job.id] = now
                self.send(job.id)
        session.commit()


def init_app(app):
    """Set up the job layer: settings, commit hook, lazy embedded runner, the ``jobs`` commands."""
    mode = resolve_mode(app.config, testing=app.testing)
    state = JobsState(app=app, mode=mode, lease_seconds=app.config["TTC_JOB_LEASE_SECONDS"],
                      poll_seconds=app.config["TTC_JOB_POLL_SECONDS"],
                      tick_seconds=app.config["TTC_JOB_TICK_SECONDS"],
                      threads=app.config["TTC_JOB_THREADS"],
                      reap_dead=app.config["TTC_JOB_REAP_DEAD_PROCESSES"])
    app.extensions["ttc_jobs"] = state
    if mode == "embedded":
        # gunicorn starts it as each worker boots (start_with_server); other servers, at the first request.
        app.before_request(lambda: state.ensure_runner() and None)
    app.cli.add_command(jobs_group)
    _listen_for_commits()


def start_with_server(app):
    """Start the embedded runner of this server process now (gunicorn's ``post_worker_init``), so
    queued jobs and the periodic schedule run with no request made; does nothing in other modes, or
    for a WSGI callable that is not this application (a wrapper keeps the first-request start)."""
    state = getattr(app, "extensions", {}).get("ttc_jobs")
    return state.ensure_runner() if state is not None else None


def resolve_mode(config, *, testing=False):
    """Where jobs run: ``celery`` with a broker, else ``embedded`` threads (``off`` under tests)."""
    mode = (config.get("TTC_JOB_RUNNER") or "auto").strip().lower()
    if mode not in MODES:
        raise ValueError(f"TTC_JOB_RUNNER must be one of {', '.join(MODES)}, not {mode!r}")
    if mode != "auto":
        return mode
    if config.get("TTC_BROKER_URL"):
        return "celery"
    return "off" if testing else "embedded"


def register(app, kind, handler):
    """Register the handler for a job kind: ``handler(context, **args)``."""
    app.extensions["ttc_jobs"].handlers[kind] = handler


def periodic(app, name, seconds, function):
    """Run ``function(app, session)`` about every ``seconds`` from the scheduler tick."""
    app.extensions["ttc_jobs"].periodic.append(PeriodicTask(name, float(seconds), function))


def _listen_for_commits():
    # Session-class listeners are process-wide: register them once, whatever the number of apps.
    if not event.contains(Session, "after_commit", _dispatch_committed):
        event.listen(Session, "after_commit", _dispatch_committed)
        event.listen(Session, "after_soft_rollback", _forget_enqueued)


def _dispatch_committed(session):
    job_ids = session.info.pop(ENQUEUED_INFO, None)
    if not job_ids or not has_app_context():
        return
    state = current_app.extensions.get("ttc_jobs")
    if state is not None:
        try:
            state.notify(job_ids)
        except Exception:  # a broker outage must not fail the commit; the tick re-sends due jobs
            log.exception("could not dispatch jobs %s; the scheduler will retry", sorted(job_ids))


def _forget_enqueued(session, previous_transaction):
    session.info.pop(ENQUEUED_INFO, None)
