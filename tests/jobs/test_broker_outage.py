"""A Redis broker that stops answering: the request that queued a job goes on without it (the job
waits in the database, and the scheduler sends it again once the broker is back) instead of hanging."""
import logging
import threading

import pytest

from server.extensions import db
from server.jobs.queue import enqueue
from server.models.job import Job
from tests.database import make_test_config


@pytest.fixture
def app_config(database_url, tmp_path, silent_server):
    # TTC_REDIS_TIMEOUT below a Redis broker's least: its 2 seconds apply.
    return make_test_config(database_url, tmp_path / "instance", TTC_JOB_RUNNER="celery",
                            TTC_BROKER_URL=f"redis://127.0.0.1:{silent_server.port}/0", TTC_REDIS_TIMEOUT=0.3)


def test_a_broker_that_does_not_answer_does_not_hold_the_request_that_queued_a_job(app, caplog):
    caplog.set_level(logging.ERROR, logger="server.jobs")
    queued = {}

    def request():
        with app.app_context():
            job = enqueue(db.session, "catalog.sync", {"store_id": 1})
            db.session.commit()  # the job is sent to the broker once committed
            queued["id"] = job.id

    worker = threading.Thread(target=request, daemon=True)
    worker.start()
    worker.join(60)  # a guard against the hang this test is about, not a measure of speed

    assert not worker.is_alive(), "the request was still waiting on a broker that never answers"
    assert "could not dispatch jobs" in caplog.text
    with app.app_context():
        assert db.session.get(Job, queued["id"]).status == "queued"  # kept, to be sent again
