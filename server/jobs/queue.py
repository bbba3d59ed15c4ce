"""The job queue on the database: enqueue, claim with a lease, renew, finish, retry, dead-letter.

Every step is a compare-and-set UPDATE, so any number of runners (threads, processes, Celery
workers on other machines) can share the table on PostgreSQL, and the processes of one host on
SQLite. A job's ``key`` serialises jobs: a partial unique index allows one running job per key.
"""
import os
import random
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from server.clock import as_utc, utcnow
from server.models.job import Job

ENQUEUED_INFO = "ttc_enqueued_jobs"
DEFAULT_MAX_ATTEMPTS = 8


def new_owner():
    """A lease owner id: host, process id and a random token (``host:pid:token``)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def enqueue(session, kind, args=None, *, key=None, delay=0.0, max_attempts=None, coalesce=True):
    """Add a job (not committed; it is dispatched once the caller commits) and return it.

    With ``coalesce`` and a ``key``, a job of the same kind and key that is still waiting is reused
    (and brought forward to the earlier start), so a burst of triggers runs the work once.
    """
    run_after = utcnow() + timedelta(seconds=max(0.0, float(delay)))
    if coalesce and key:
        waiting = session.execute(
            select(Job).where(Job.key == key, Job.kind == kind, Job.status == "queued")
            .order_by(Job.id).limit(1)).scalar_one_or_none()
        if waiting is not None:
            if as_utc(waiting.run_after) > run_after:
                waiting.run_after = run_after
            session.info.setdefault(ENQUEUED_INFO, set()).add(waiting.id)
            return waiting
    job = Job(kind=kind, args=dict(args or {}), key=key, status="queued", run_after=run_after,
              max_attempts=max_attempts or DEFAULT_MAX_ATTEMPTS)
    session.add(job)
    session.flush()
    session.info.setdefault(ENQUEUED_INFO, set()).add(job.id)
    return job


def claim(session, owner, *, lease_seconds, job_id=None, key=None, kinds=None, reap_dead=True):
    """Take the next due job (or the given one) for ``owner``; returns it running, or None."""
    now = utcnow()
    release_stale(session, now=now, reap_dead=reap_dead)
    query = select(Job.id).where(Job.status == "queued", Job.run_after <= now)
    if job_id is not None:
        query = query.where(Job.id == job_id)
    if key is not None:
        query = query.where(Job.key == key)
    if kinds:
        query = query.where(Job.kind.in_(list(kinds)))
    busy = select(Job.key).where(Job.status == "running", Job.key.is_not(None))
    query = query.where(or_(Job.key.is_(None), Job.key.not_in(busy))).order_by(Job.run_after, Job.id)
    candidates = session.execute(query.limit(10)).scalars().all()
    session.commit()
    for candidate in candidates:
        try:
            taken = session.execute(
                update(Job).where(Job.id == candidate, Job.status == "queued")
                .values(status="running", lease_owner=owner, attempts=Job.attempts + 1, started_at=now,
                        lease_expires_at=now + timedelta(seconds=lease_seconds))
                .execution_options(synchronize_session=False)).rowcount
            session.commit()
        except IntegrityError:  # another runner started a job with the same key just now
            session.rollback()
            continue
        if taken == 1:
            return session.execute(select(Job).where(Job.id == candidate)
                                   .execution_options(populate_existing=True)).scalar_one()
    return None


def renew(session, job_id, owner, *, lease_seconds):
    """Extend a running job's lease (commits); False means another runner owns it now."""
    renewed = session.execute(
        update(Job).where(Job.id == job_id, Job.lease_owner == owner, Job.status == "running")
        .values(lease_expires_at=utcnow() + timedelta(seconds=lease_seconds))
        .execution_options(synchronize_session=False)).rowcount
    session.commit()
    return renewed == 1


def finish(session, job_id, owner, status, *, result=None, error=None):
    """Record a final status (done, failed, dead, cancelled) if ``owner`` still holds the job."""
    values = {"status": status, "lease_owner": None, "lease_expires_at": None, "finished_at": utcnow()}
    if result is not None:
        values["result"] = result
    if error is not None:
        values["last_error"] = str(error)[:1000]
    return _settle(session, job_id, owner, values)


def retry(session, job_id, owner, *, delay, error):
    """Put a job back in the queue to run after ``delay`` seconds, or dead-letter it when its
    attempts are used up; returns the status it ended in."""
    job = session.get(Job, job_id)
    if job.attempts >= job.max_attempts:
        finish(session, job_id, owner, "dead", error=f"gave up after {job.attempts} attempts: {error}")
        return "dead"
    _settle(session, job_id, owner, {"status": "queued", "lease_owner": None, "lease_expires_at": None,
                                     "run_after": utcnow() + timedelta(seconds=delay),
                                     "last_error": str(error)[:1000]})
    return "queued"


def _settle(session, job_id, owner, values):
    changed = session.execute(
        update(Job).where(Job.id == job_id, Job.lease_owner == owner, Job.status == "running")
        .values(**values).execution_options(synchronize_session=False)).rowcount
    session.commit()
    return changed == 1


def backoff_seconds(attempt, *, base=15.0, cap=3600.0, rand=random.random):
    """Delay before retrying a job after its ``attempt``-th failure: exponential, capped, jittered."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return ceiling / 2 + rand() * ceiling / 2


def release_stale(session, *, now=None, reap_dead=True):
    """Give running jobs whose runner died back to the queue (or dead-letter them); returns how many.

    A runner is dead when its lease expired, or, on this host, when its process no longer exists
    (so a restart after ``kill -9`` resumes at once instead of waiting out the lease).
    """
    now = now or utcnow()
    host = socket.gethostname()[:60]
    rows = session.execute(
        select(Job.id, Job.lease_owner, Job.lease_expires_at, Job.attempts, Job.max_attempts)
        .where(Job.status == "running")).all()
    released = 0
    for job_id, owner, expires, attempts, max_attempts in rows:
        expired = expires is None or as_utc(expires) < now
        if not expired and not (reap_dead and _dead_local_owner(owner, host)):
            continue
        error = "the runner stopped before finishing (lease expired or process gone)"
        values = ({"status": "dead", "finished_at": now, "last_error": f"gave up after {attempts} attempts: {error}"}
                  if attempts >= max_attempts else {"status": "queued", "run_after": now, "last_error": error})
        values.update(lease_owner=None, lease_expires_at=None)
        released += session.execute(
            update(Job).where(Job.id == job_id, Job.status == "running", Job.lease_owner == owner)
            .values(**values).execution_options(synchronize_session=False)).rowcount
    session.commit()
    return released


def _dead_local_owner(owner, host):
    parts = (owner or "").rsplit(":", 2)
    if len(parts) != 3 or parts[0] != host or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def due_jobs(session, *, older_than=0.0, limit=100):
    """Queued jobs that are due (by ``older_than`` seconds or more), oldest first."""
    cutoff = utcnow() - timedelta(seconds=older_than)
    return session.execute(select(Job).where(Job.status == "queued", Job.run_after <= cutoff)
                           .order_by(Job.run_after, Job.id).limit(limit)).scalars().all()


def requeue(session, job_id):
    """Send a dead, failed or cancelled job back to the queue with fresh attempts (commits)."""
    changed = session.execute(
        update(Job).where(Job.id == job_id, Job.status.in_(("dead", "failed", "cancelled")))
        .values(status="queued", attempts=0, run_after=utcnow(), finished_at=None)
        .execution_options(synchronize_session=False)).rowcount
    session.commit()
    return changed == 1


def pretty_time(value):
    """A stored time as ISO 8601 UTC, or None."""
    value = as_utc(value)
    return value.isoformat() if isinstance(value, datetime) else None
