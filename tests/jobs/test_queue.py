"""The job outbox: claims with leases, one running job per key, retries, dead letters, resuming."""
import os
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from sqlalchemy import update

from server import jobs
from server.extensions import db
from server.jobs import queue
from server.jobs.runner import execute, run_due, run_until_finished
from server.models.job import Job

LEASE = 30


@pytest.fixture
def calls(app):
    """Register test handlers on the app; returns the list of calls they record."""
    seen = []

    def record(context, **args):
        seen.append(args)
        return {"ok": True}

    def retry(context, **args):
        raise jobs.RetryLater("TikTok is busy", delay=60)

    def cancel(context, **args):
        raise jobs.JobCancelled("the store was disconnected")

    def refuse(context, **args):
        raise jobs.JobFailed("TikTok refused the request")

    def crash(context, **args):
        raise ZeroDivisionError("a bug")

    for kind, handler in {"test.record": record, "test.retry": retry, "test.cancel": cancel,
                          "test.refuse": refuse, "test.crash": crash}.items():
        jobs.register(app, kind, handler)
    return seen


def enqueue(kind, args=None, **options):
    job = jobs.enqueue(db.session, kind, args or {}, **options)
    db.session.commit()
    return job.id


def reload(job_id):
    db.session.expire_all()
    return db.session.get(Job, job_id)


def test_a_job_runs_once_with_its_arguments(app, session, calls):
    job_id = enqueue("test.record", {"store_id": 7})

    assert run_due(app, queue.new_owner()) == 1
    assert run_due(app, queue.new_owner()) == 0

    job = reload(job_id)
    assert calls == [{"store_id": 7}]
    assert (job.status, job.attempts, job.result) == ("done", 1, {"ok": True})


def test_jobs_sharing_a_key_never_run_at_the_same_time(app, session, calls):
    first = enqueue("test.record", {"n": 1}, key="catalog:1", coalesce=False)
    enqueue("test.record", {"n": 2}, key="catalog:1", coalesce=False)
    other = enqueue("test.record", {"n": 3}, key="catalog:2")

    running = queue.claim(db.session, "worker-a", lease_seconds=LEASE)
    assert running.id == first
    second_claim = queue.claim(db.session, "worker-b", lease_seconds=LEASE)
    assert second_claim.id == other  # the other store's job may run; the same store's must wait
    assert queue.claim(db.session, "worker-c", lease_seconds=LEASE) is None

    execute(app, db.session, running, "worker-a")
    assert queue.claim(db.session, "worker-c", lease_seconds=LEASE).args == {"n": 2}


def test_a_burst_of_the_same_request_is_one_job(app, session):
    ids = {enqueue("test.record", {"store_id": 1}, key="catalog:1") for _ in range(5)}
    assert len(ids) == 1


def test_retries_then_dead_letter_then_retry_by_hand(app, session, runner, calls):
    job_id = enqueue("test.retry", max_attempts=2)

    run_due(app, "w")
    job = reload(job_id)
    assert (job.status, job.attempts, job.last_error) == ("queued", 1, "TikTok is busy")
    assert queue.as_utc(job.run_after) > queue.utcnow() + timedelta(seconds=50)

    db.session.execute(update(Job).where(Job.id == job_id).values(run_after=queue.utcnow()))
    db.session.commit()
    run_due(app, "w")
    job = reload(job_id)
    assert job.status == "dead" and job.last_error == "gave up after 2 attempts: TikTok is busy"

    listed = runner.invoke(args=["jobs", "list", "--status", "dead"])
    assert f"#{job_id}  test.retry  dead" in listed.output
    assert runner.invoke(args=["jobs", "retry", str(job_id)]).exit_code == 0
    job = reload(job_id)
    assert (job.status, job.attempts) == ("queued", 0)


def test_cancelled_refused_and_crashing_jobs(app, session, calls, caplog):
    cancelled, refused, crashing = enqueue("test.cancel"), enqueue("test.refuse"), enqueue("test.crash")
    enqueue("test.nobody-handles-this")

    run_due(app, "w")

    assert reload(cancelled).status == "cancelled"
    assert (reload(refused).status, reload(refused).last_error) == ("dead", "TikTok refused the request")
    crashed = reload(crashing)
    assert crashed.status == "queued" and crashed.last_error == "ZeroDivisionError: a bug"
    assert f"job {crashing} (test.crash) crashed" in caplog.text
    dead = db.session.execute(db.select(Job).where(Job.kind == "test.nobody-handles-this")).scalar_one()
    assert dead.status == "dead" and "no handler" in dead.last_error


def test_an_expired_lease_gives_the_job_to_another_runner(app, session, calls):
    job_id = enqueue("test.record", key="catalog:1")
    stalled = queue.claim(db.session, "stalled-worker", lease_seconds=LEASE)
    db.session.execute(update(Job).where(Job.id == job_id)
                       .values(lease_expires_at=queue.utcnow() - timedelta(seconds=1)))
    db.session.commit()

    taken = queue.claim(db.session, "fresh-worker", lease_seconds=LEASE)

    assert taken.id == stalled.id and taken.attempts == 2
    assert not queue.renew(db.session, job_id, "stalled-worker", lease_seconds=LEASE)
    execute(app, db.session, taken, "fresh-worker")
    assert reload(job_id).status == "done"


def test_a_killed_process_is_resumed_at_once_on_its_own_host(app, session, app_config, calls):
    job_id = enqueue("test.record", {"n": 1}, key="catalog:9")
    script = textwrap.dedent(f"""
        import sys, time
        from server.app import create_app
        from server.extensions import db
        from server.jobs import queue
        app = create_app({{"TTC_DATABASE_URL": {app_config["TTC_DATABASE_URL"]!r},
                           "INSTANCE_PATH": {app_config["INSTANCE_PATH"]!r}, "TTC_AUTO_MIGRATE": False}})
        with app.app_context():
            job = queue.claim(db.session, queue.new_owner(), lease_seconds=3600)
            print(job.id, flush=True)
            time.sleep(60)
    """)
    worker = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert worker.stdout.readline().strip() == str(job_id)
        assert queue.claim(db.session, "other", lease_seconds=LEASE) is None  # alive: its lease holds
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        worker.kill()
        worker.stdout.close()

    # Its hour-long lease has not lapsed, but its process is gone: the job is free again at once.
    assert queue.release_stale(db.session) == 1
    job = run_until_finished(app, job_id)
    assert job.status == "done" and job.attempts == 2 and calls == [{"n": 1}]
