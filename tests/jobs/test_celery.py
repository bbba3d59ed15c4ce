"""Jobs on real Celery workers (two processes) with Redis: the same syncs, one per store at a time."""
import os
import subprocess
import sys
import uuid
from itertools import pairwise

import pytest
import redis

from server.catalog import service
from server.extensions import db
from server.models.catalog import SyncRun
from tests.catalog.helpers import connect_store, emulator_settings, item, remote
from tests.database import make_test_config
from tests.factories import make_store
from tests.waiting import wait_until

BROKER = os.environ.get("TTC_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


@pytest.fixture
def queue_name(redis_client):
    """A queue of its own, so parallel test runs sharing the Redis never take each other's jobs;
    its keys are removed afterwards. ``redis_client`` fails the test when Redis is not there."""
    client = redis.Redis.from_url(BROKER, socket_connect_timeout=2)
    name = f"ttc-test-{uuid.uuid4().hex[:8]}"
    yield name
    for key in client.scan_iter(match=f"*{name}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def app_config(database_url, tmp_path, tiktok_emulator, queue_name):
    """The app sends its jobs to Celery through Redis; the workers share the database and instance."""
    tiktok_emulator.configure(**emulator_settings(write_window_ms=50))
    return make_test_config(database_url, tmp_path / "instance", TTC_BROKER_URL=BROKER, TTC_REDIS_URL=BROKER,
                            TTC_JOB_QUEUE=queue_name, TTC_TIKTOK_API_BASE=tiktok_emulator.url,
                            TTC_CATALOG_LOG_POLL_SECONDS=0.05, TTC_IMAGE_CHECKS=False)


@pytest.fixture
def workers(app, app_config, tmp_path):
    """Two Celery worker processes (one task at a time each), stopped after the test."""
    env = {**os.environ, "TTC_DATABASE_URL": app_config["TTC_DATABASE_URL"], "TTC_AUTO_MIGRATE": "false",
           "TTC_INSTANCE_PATH": app_config["INSTANCE_PATH"], "TTC_BROKER_URL": BROKER, "TTC_REDIS_URL": BROKER,
           "TTC_JOB_QUEUE": app_config["TTC_JOB_QUEUE"], "TTC_TIKTOK_API_BASE": app_config["TTC_TIKTOK_API_BASE"],
           "TTC_CATALOG_LOG_POLL_SECONDS": "0.05", "TTC_IMAGE_CHECKS": "false", "TTC_LOG_LEVEL": "WARNING"}
    processes = []
    for name in ("one", "two"):
        log = open(tmp_path / f"worker-{name}.log", "w")
        processes.append((subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "server.jobs.celery_app", "worker", "--pool=solo",
             "--loglevel=WARNING", "-n", f"{name}-{uuid.uuid4().hex[:6]}@%h", "-Q", app_config["TTC_JOB_QUEUE"],
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            env=env, stdout=log, stderr=subprocess.STDOUT), log))
    yield
    for process, _log in processes:
        process.terminate()
    for process, log in processes:
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def wait_for_runs(run_ids, timeout=60):
    """The runs once every one has ended."""
    runs = []

    def ended():
        db.session.expire_all()
        runs[:] = [db.session.get(SyncRun, run_id) for run_id in run_ids]
        return all(run.status in ("succeeded", "failed", "cancelled") for run in runs) and runs

    return wait_until(ended, timeout=timeout, interval=0.2,
                      message=lambda: f"runs still going: {[(r.id, r.status, r.phase) for r in runs]}")


def test_syncs_run_on_celery_workers_one_per_store_at_a_time(app, session, tiktok_emulator, workers):
    stores = [connect_store(make_store(name=f"Loja {n}"), tiktok_emulator) for n in range(3)]
    run_ids = []
    for number, store in enumerate(stores):
        first = service.push_products(session, store, [item(f"S{number}-{n}") for n in range(30)])
        second = service.push_products(session, store, [item(f"S{number}-{n}", price="49.90") for n in range(5)])
        # The second push widened the still-waiting run, or queued one behind the running one.
        run_ids += sorted({first["sync"]["id"], second["sync"]["id"]})

    runs = wait_for_runs(run_ids)

    assert {run.status for run in runs} == {"succeeded"}
    for number, store in enumerate(stores):
        on_tiktok = remote(tiktok_emulator, store)
        assert sorted(on_tiktok) == sorted(f"S{number}-{n}" for n in range(30))
        assert on_tiktok[f"S{number}-0"]["price_info"]["price"] == 49.9
        mine = [run for run in runs if run.store_id == store.id and run.started_at]
        spans = sorted((run.started_at, run.finished_at) for run in mine)
        assert all(end <= next_start for (_, end), (next_start, _) in pairwise(spans))
    assert tiktok_emulator.stats().get("write_conflicts", 0) == 0
