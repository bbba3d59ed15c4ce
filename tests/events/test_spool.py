"""The spool: accepted events written together, kept in memory while the database is away."""
import os
import time

import pytest
from sqlalchemy.exc import OperationalError

from server.events.spool import Spool
from server.extensions import db
from server.models.job import Job
from tests.events.helpers import beacon, post_beacon, rows
from tests.waiting import wait_until


@pytest.fixture
def app_config(app_config):
    app_config["TTC_EVENTS_SPOOL_MS"] = 20
    return app_config


def test_beacons_are_answered_at_once_and_written_together(app, client, store):
    spool = app.extensions["ttc_events"].spool
    try:
        answers = [post_beacon(client, store, beacon(event_id=f"e{n}")).status_code for n in range(5)]
        wait_until(lambda: len(rows(store)) == 5, interval=0.02)
    finally:
        spool.stop()

    assert answers == [204] * 5
    assert [row.event_id for row in rows(store)] == [f"e{n}" for n in range(5)]
    jobs = db.session.execute(db.select(Job).where(Job.kind == "events.relay")).scalars().all()
    assert [(job.status, job.args) for job in jobs] == [("queued", {"store_id": store.id})]


class FlakyDatabase:
    """A write function that fails while ``down`` is set, and remembers what it wrote."""

    def __init__(self):
        self.down = False
        self.written = []

    def __call__(self, rows):
        if self.down:
            raise OperationalError("INSERT", {}, Exception("the database is restarting"))
        self.written.extend(rows)


def test_rows_wait_in_memory_while_the_database_is_down_and_are_written_after():
    database = FlakyDatabase()
    spool = Spool(database, interval=3600, limit=3)
    database.down = True

    kept = [spool.add({"n": n}) for n in range(4)]
    assert spool.flush() == 0
    database.down = False
    written = spool.flush()
    spool.stop()

    assert kept == [True, True, True, False]  # past the limit, an event is refused rather than hoarded
    assert written == 3 and database.written == [{"n": 0}, {"n": 1}, {"n": 2}]


def test_without_an_interval_each_row_is_written_before_the_answer():
    database = FlakyDatabase()
    spool = Spool(database, interval=0)

    assert spool.add({"n": 1}) is True
    database.down = True
    assert spool.add({"n": 2}) is False
    assert database.written == [{"n": 1}] and spool.pending() == 0


def test_a_full_spool_answers_503_so_the_browser_knows(app, client, store):
    spool = app.extensions["ttc_events"].spool
    spool.stop()
    spool.limit = 0

    assert post_beacon(client, store).status_code == 503


def test_a_forked_worker_writes_its_own_rows_with_its_own_flusher():
    # gunicorn forks its workers after the app (and its spool) is made: the parent's flusher
    # thread is not in the child, so the child starts its own on its first row.
    read_end, write_end = os.pipe()
    parent_rows = FlakyDatabase()
    spool = Spool(parent_rows, interval=0.02)
    spool.add({"n": "parent"})
    wait_until(lambda: parent_rows.written, interval=0.02)
    pid = os.fork()
    if pid == 0:  # the worker: report what its own flusher wrote, then leave without cleanup
        child_rows = FlakyDatabase()
        spool.write = child_rows
        spool.add({"n": "child"})
        deadline = time.monotonic() + 30
        while not child_rows.written and time.monotonic() < deadline:
            time.sleep(0.02)
        os.write(write_end, repr(child_rows.written).encode())
        os._exit(0)
    os.close(write_end)
    reported = os.read(read_end, 1000).decode()
    os.waitpid(pid, 0)
    spool.stop()
    assert reported == "[{'n': 'child'}]"
    assert parent_rows.written == [{"n": "parent"}]
