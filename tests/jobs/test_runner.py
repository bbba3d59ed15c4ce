"""The embedded runner: jobs run inside the server process, started by the first request."""
import threading

import pytest

from server import jobs
from server.extensions import db
from server.models.job import Job
from tests.waiting import wait_until


@pytest.fixture
def app_config(app_config):
    """Threads in the server process, polling fast."""
    app_config.update(TTC_JOB_RUNNER="embedded", TTC_JOB_POLL_SECONDS=0.05, TTC_JOB_TICK_SECONDS=1)
    return app_config


@pytest.fixture
def embedded(app):
    """The app's job layer (the app fixture stops its threads before the database is cleaned)."""
    return app.extensions["ttc_jobs"]


def test_the_first_request_starts_the_runner_and_jobs_run_in_the_background(app, client, session, embedded):
    done, ticked = threading.Event(), threading.Event()
    jobs.register(app, "test.background", lambda context, n: done.set() or {"n": n})
    jobs.periodic(app, "test.tick", 0, lambda app, session: ticked.set())
    assert embedded.mode == "embedded" and embedded.runner is None

    client.get("/pixel/not-a-store.js")
    job = jobs.enqueue(db.session, "test.background", {"n": 3})
    db.session.commit()

    wait_until(done.is_set, timeout=30, interval=0.01, message="timed out waiting for the job")
    wait_until(ticked.is_set, timeout=30, interval=0.01, message="timed out waiting for the scheduler tick")
    embedded.stop()
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == "done"


def test_once_stopped_the_runner_stays_stopped_whatever_comes_later(app, client, session, embedded):
    client.get("/pixel/not-a-store.js")
    assert embedded.runner is not None
    embedded.stop()  # the server shutting down (or a test ending) while a page still polls
    before = {thread.ident for thread in threading.enumerate()}

    client.get("/pixel/not-a-store.js")

    assert embedded.runner is None
    assert [thread.name for thread in threading.enumerate()
            if thread.ident not in before and thread.name.startswith("ttc-jobs")] == []
