"""Running jobs: one job's execution with its outcome recorded, the embedded runner (threads in the
server process), the periodic tick, and the foreground drain the command line uses."""
import logging
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import select

from server.extensions import db
from server.jobs import queue
from server.jobs.errors import JobCancelled, JobFailed, LeaseLost, RetryLater, UnknownJobKind
from server.models.job import FINISHED_STATES, Job

log = logging.getLogger(__name__)


@dataclass
class JobContext:
    """What a handler gets besides its arguments: the session, the job, and the lease to keep."""

    app: object
    session: object
    job: Job
    owner: str
    lease_seconds: float
    _renewed: float = field(default_factory=time.monotonic)

    def heartbeat(self, *, force=False):
        """Keep the lease (commits the session); raises LeaseLost if another runner took the job."""
        if not force and time.monotonic() - self._renewed < self.lease_seconds / 3:
            return
        if not queue.renew(self.session, self.job.id, self.owner, lease_seconds=self.lease_seconds):
            raise LeaseLost(f"job {self.job.id} was taken over by another runner")
        self._renewed = time.monotonic()


def settings(app):
    """The job layer's state for ``app`` (handlers, periodic tasks, runner, dispatcher)."""
    return app.extensions["ttc_jobs"]


def execute(app, session, job, owner):
    """Run one claimed job and record its outcome; returns the status it ended in."""
    state = settings(app)
    job_id, kind, attempts, key = job.id, job.kind, job.attempts, job.key
    handler = state.handlers.get(kind)
    context = JobContext(app, session, job, owner, state.lease_seconds)
    started = time.monotonic()
    try:
        if handler is None:
            raise UnknownJobKind(f"no handler for job kind {kind!r}")
        result = handler(context, **(job.args or {}))
    except LeaseLost as error:
        session.rollback()
        log.warning("job %s (%s) stopped: %s", job_id, kind, error)
        return "lost"
    except RetryLater as error:
        session.rollback()
        status = queue.retry(session, job_id, owner, delay=error.delay, error=error)
        if status == "queued":
            state.scheduled(job_id, error.delay)
        log.info("job %s (%s) will retry in %.0fs: %s", job_id, kind, error.delay, error)
    except JobCancelled as error:
        session.rollback()
        queue.finish(session, job_id, owner, "cancelled", error=error)
        status = "cancelled"
    except (JobFailed, UnknownJobKind) as error:
        session.rollback()
        queue.finish(session, job_id, owner, "dead", error=error)
        log.error("job %s (%s) dead-lettered: %s", job_id, kind, error)
        status = "dead"
    except Exception as error:  # the outer edge of a job: record it, retry with backoff
        session.rollback()
        log.exception("job %s (%s) crashed on attempt %s", job_id, kind, attempts)
        delay = queue.backoff_seconds(attempts)
        status = queue.retry(session, job_id, owner, delay=delay, error=f"{type(error).__name__}: {error}")
        if status == "queued":
            state.scheduled(job_id, delay)
    else:
        queue.finish(session, job_id, owner, "done", result=result if isinstance(result, dict) else None)
        status = "done"
    log.debug("job %s (%s) %s in %.2fs", job_id, kind, status, time.monotonic() - started)
    if key:
        state.notify_key(key)
    return status


def run_due(app, owner, *, key=None, limit=None):
    """Claim and run due jobs in this thread until none is left (or ``limit``); returns how many ran."""
    state = settings(app)
    ran = 0
    while limit is None or ran < limit:
        job = queue.claim(db.session, owner, lease_seconds=state.lease_seconds, key=key,
                          reap_dead=state.reap_dead)
        if job is None:
            return ran
        execute(app, db.session, job, owner)
        ran += 1
    return ran


def run_until_finished(app, job_id, *, owner=None, on_wait=None):
    """Run the jobs sharing ``job_id``'s key in the foreground until that job is finished; returns it.

    Waits (polling) while another runner holds the key or the job's retry time has not come.
    """
    state = settings(app)
    owner = owner or queue.new_owner()
    while True:
        job = db.session.execute(select(Job).where(Job.id == job_id)
                                 .execution_options(populate_existing=True)).scalar_one()
        db.session.commit()
        if job.status in FINISHED_STATES:
            return job
        claimed = queue.claim(db.session, owner, lease_seconds=state.lease_seconds, key=job.key,
                              job_id=None if job.key else job_id, reap_dead=state.reap_dead)
        if claimed is not None:
            execute(app, db.session, claimed, owner)
            continue
        if on_wait:
            on_wait(job)
        wait = state.poll_seconds
        run_after = queue.as_utc(job.run_after)
        if job.status == "queued" and run_after is not None:
            wait = max(0.05, min(wait, (run_after - queue.utcnow()).total_seconds()))
        time.sleep(wait)


def tick(app):
    """Periodic work: release jobs whose runner died, run due periodic tasks, nudge idle jobs."""
    state = settings(app)
    queue.release_stale(db.session, reap_dead=state.reap_dead)
    now = time.monotonic()
    for task in state.periodic:
        if now - task.last_run < task.seconds:
            continue
        task.last_run = now
        try:
            task.function(app, db.session)
        except Exception:  # the outer edge of a periodic task: log it, keep the scheduler alive
            db.session.rollback()
            log.exception("periodic task %s failed", task.name)
    state.redispatch_overdue(db.session)


class EmbeddedRunner:
    """Worker threads and a scheduler thread inside the server process (no broker needed)."""

    def __init__(self, app, *, threads, poll_seconds, tick_seconds):
        self.app = app
        self.threads = threads
        self.poll_seconds = poll_seconds
        self.tick_seconds = tick_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads = []
        self._lock = threading.Lock()

    @property
    def running(self):
        """Whether the threads are started and not stopped."""
        return bool(self._threads) and not self._stop.is_set()

    def start(self):
        """Start the threads once; later calls do nothing."""
        with self._lock:
            if self._threads:
                return
            for number in range(self.threads):
                self._spawn(self._work, f"ttc-jobs-{number}")
            self._spawn(self._schedule, "ttc-jobs-scheduler")

    def _spawn(self, target, name):
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def wake(self):
        """Tell idle workers that new work is waiting."""
        self._wake.set()

    def stop(self, timeout=10.0):
        """Stop the threads after their current job; waits up to ``timeout`` seconds."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)

    def _work(self):
        owner = queue.new_owner()
        while not self._stop.is_set():
            ran = self._guarded(lambda: run_due(self.app, owner, limit=1))
            if not ran:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()

    def _schedule(self):
        while not self._stop.is_set():
            self._guarded(lambda: tick(self.app))
            self._stop.wait(self.tick_seconds)

    def _guarded(self, work):
        with self.app.app_context():
            try:
                return work()
            except Exception:  # the outer edge of a runner thread: a database blip must not kill it
                db.session.rollback()
                log.exception("job runner error; retrying in %.1fs", self.poll_seconds)
                self._stop.wait(self.poll_seconds)
                return 0
            finally:
                db.session.remove()
