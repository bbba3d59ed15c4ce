"""A feed URL as the catalog source: conditional GET, the schedule and its backoff, the API,
secrets kept out of job arguments, and a pull killed mid-way."""
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from server.catalog.sources import schedule
from server.clock import as_utc
from server.extensions import db
from server.models.job import Job
from tests.accounts import bearer, make_api_key
from tests.catalog.helpers import item
from tests.catalog.sources_helpers import FAST, products, pull, set_vtex, source_row
from tests.emulator_server import QuietHandler

ROOT = Path(__file__).resolve().parents[2]


def feed_xml(items):
    """A Merchant feed (RSS) with these items."""
    body = "".join("<item>" + "".join(f"<g:{k}>{v}</g:{k}>" for k, v in i.items()) + "</item>" for i in items)
    return ('<?xml version="1.0"?><rss xmlns:g="http://base.google.com/ns/1.0"><channel>'
            f"{body}</channel></rss>").encode()


class FeedServer:
    """A feed at a URL that answers conditional GETs with 304 and counts what it was asked."""

    def __init__(self):
        self.body, self.etag, self.status, self.asked, self.not_modified = b"", '"v1"', 200, 0, 0
        self._server = make_server("127.0.0.1", 0, self.wsgi, threaded=True, request_handler=QuietHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/feed.xml"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @Request.application
    def wsgi(self, request):
        """Serve the feed, or 304 when the client has this version."""
        self.asked += 1
        if self.status != 200:
            return Response("down", status=self.status)
        if request.headers.get("If-None-Match") == self.etag:
            self.not_modified += 1
            return Response(status=304)
        return Response(self.body, headers={"ETag": self.etag, "Content-Type": "application/xml"})

    def stop(self):
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def feed_server():
    """A feed server on a loopback port."""
    server = FeedServer()
    yield server
    server.stop()


@pytest.fixture
def app_config(app_config):
    """Fast pulls; the feed server's loopback host allowed for merchant-set feed URLs."""
    return {**app_config, **FAST, "TTC_CATALOG_SOURCE_ALLOW_PRIVATE_HOSTS": "127.0.0.1"}


def test_an_unchanged_feed_costs_one_304(runner, store, feed_server):
    feed_server.body = feed_xml([item("A1"), item("A2")])
    result = runner.invoke(args=["catalog", "source", "set", "--store", store.public_key, "--feed-url",
                                 feed_server.url, "--times", "03:00,15:30"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["times"] == ["03:00", "15:30"]
    assert "2 read: " in pull(runner, store)
    assert "has not changed" in pull(runner, store)
    assert feed_server.not_modified == 1
    feed_server.body, feed_server.etag = feed_xml([item("A1")]), '"v2"'
    assert "0 refused (malformed), 1 removed (0 new or changed" in pull(runner, store)
    assert set(products(store)) == {"A1"}


def test_a_feed_that_fails_leaves_the_catalog_and_is_retried_with_backoff(runner, store, feed_server):
    feed_server.body = feed_xml([item("A1"), item("A2")])
    runner.invoke(args=["catalog", "source", "set", "--store", store.public_key, "--feed-url", feed_server.url])
    pull(runner, store)
    feed_server.status = 503
    assert "HTTP 503" in pull(runner, store, expect=1)
    assert "HTTP 503" in pull(runner, store, expect=1)
    source = source_row(store)
    assert source.state == "broken" and source.failures == 2
    waited = (as_utc(source.next_pull_at) - datetime.now(UTC)).total_seconds()
    assert 60 < waited <= 120  # doubled after the second failure
    assert set(products(store)) == {"A1", "A2"}


def test_the_schedule_queues_due_pulls_with_the_store_id_only(app, runner, store, vtex_emulator):
    set_vtex(runner, store, vtex_emulator)
    assert schedule.enqueue_due_pulls(app, db.session) == 1  # a new source is pulled at once
    assert schedule.enqueue_due_pulls(app, db.session) == 0
    job = db.session.execute(select(Job).where(Job.kind == "catalog.source.pull")).scalar_one()
    assert job.args == {"store_id": store.id}  # never credentials
    assert vtex_emulator.app_token not in json.dumps(job.args)
    source = source_row(store)
    assert len(source.schedule) == 2  # twice a day by default


def test_next_time_and_times_of_day():
    now = datetime(2026, 12, 6, 14, 0, tzinfo=UTC)
    assert schedule.next_time(["03:00", "15:30"], now) == now.replace(hour=15, minute=30)
    assert schedule.next_time(["03:00"], now) == now.replace(hour=3) + timedelta(days=1)
    assert schedule.parse_times("15:30, 3:00") == ["03:00", "15:30"]
    with pytest.raises(Exception, match="25:00"):
        schedule.parse_times("25:00")


def test_the_api_sets_tests_and_queues_a_pull(client, store, vtex_emulator):
    headers = bearer(make_api_key(store)[1])
    body = {"kind": "vtex", "account": vtex_emulator.account, "app_key": vtex_emulator.app_key,
            "app_token": vtex_emulator.app_token, "base_url": "http://evil.example"}
    answer = client.put(f"/api/v1/stores/{store.public_key}/catalog/source", json=body, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    shown = answer.get_json()["source"]
    assert "base_url" not in shown["settings"] and vtex_emulator.app_token not in answer.get_data(as_text=True)
    host = client.put(f"/api/v1/stores/{store.public_key}/catalog/source", headers=headers,
                      json={**body, "environment": "evil.example/x#"})
    assert host.status_code == 422 and "environment" in host.get_json()["error"]["fields"]
    bad = client.put(f"/api/v1/stores/{store.public_key}/catalog/source", json={"kind": "ecwid"}, headers=headers)
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"store_id", "token"}
    queued = client.post(f"/api/v1/stores/{store.public_key}/catalog/source/pull", headers=headers)
    assert queued.status_code == 202


def test_a_pull_killed_midway_removes_nothing_and_the_next_one_completes(app, runner, store, vtex_emulator):
    vtex_emulator.reset(products=300, skus_per_product=1, per_endpoint_per_minute=10**7,
                        per_account_per_minute=10**7)
    set_vtex(runner, store, vtex_emulator)
    pull(runner, store)
    vtex_emulator.change_sku(3, delete=True)
    vtex_emulator.faults(slow=0.02)
    env = {**os.environ, **{k: str(v) for k, v in app.config.items() if k.startswith("TTC_") and v is not None
                            and isinstance(v, (str, int, float))},
           "TTC_AUTO_MIGRATE": "false", "TTC_INSTANCE_PATH": app.config["INSTANCE_PATH"],
           "TTC_CATALOG_SOURCE_THREADS": "1", "TTC_LOG_LEVEL": "ERROR"}
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "catalog", "source", "pull",
                                "--store", store.public_key], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while vtex_emulator.stats()["requests"].get("stockkeepingunitbyid", 0) < 400 and time.monotonic() < deadline:
        time.sleep(0.05)  # the first pull read 300 contexts; wait until the second is well under way
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL  # killed mid-way, not finished
    db.session.expire_all()
    assert len(products(store)) == 300  # nothing removed by the half-read pull

    vtex_emulator.faults()
    assert "299 read: " in pull(runner, store)
    assert "3" not in products(store) and len(products(store)) == 299


def test_a_pull_that_would_empty_most_of_the_catalog_waits_for_allow_shrink(client, runner, store, feed_server):
    feed_server.body = feed_xml([item(f"A{n}") for n in range(1, 5)])
    runner.invoke(args=["catalog", "source", "set", "--store", store.public_key, "--feed-url", feed_server.url])
    pull(runner, store)
    feed_server.body, feed_server.etag = feed_xml([item("A1")]), '"v2"'

    refused = pull(runner, store, expect=1)
    assert "would remove 3 of the store's 4 products" in refused
    assert source_row(store).state == "broken" and set(products(store)) == {"A1", "A2", "A3", "A4"}

    allowed = runner.invoke(args=["catalog", "source", "pull", "--store", store.public_key, "--allow-shrink"])
    assert allowed.exit_code == 0, allowed.output
    assert set(products(store)) == {"A1"} and source_row(store).state == "ok"

    queued = client.post(f"/api/v1/stores/{store.public_key}/catalog/source/pull", json={"allow_shrink": True},
                         headers=bearer(make_api_key(store)[1]))
    assert queued.status_code == 202
    assert db.session.get(Job, queued.get_json()["job_id"]).args == {"store_id": store.id, "allow_shrink": True}
