"""``flask events ...``: everything the Events page does, from the command line."""
import json
import os
import queue
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

from server.clock import utcnow
from server.extensions import db
from server.models.events import ServerEvent
from tests.events.helpers import beacon, post_beacon, relay, rows

ROOT = Path(__file__).resolve().parents[2]


def invoke(runner, *args):
    result = runner.invoke(args=["events", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_settings_are_shown_and_changed(runner, store):
    shown = json.loads(invoke(runner, "settings", "--store", store.public_key, "--off", "--test-code", "TEST9",
                              "--limited"))

    assert shown == {"store": store.public_key, "server_events": False, "test_mode": False,
                     "test_event_code": "TEST9", "limited_data_use": True,
                     "sending": False}
    refused = runner.invoke(args=["events", "settings", "--store", store.public_key, "--test-code", "",
                                  "--test-mode"])
    assert refused.exit_code != 0 and "test mode needs a test event code" in refused.output


def test_a_test_event_is_sent_in_the_foreground(runner, store, tiktok_emulator):
    invoke(runner, "settings", "--store", store.public_key, "--test-code", "TEST9")

    output = invoke(runner, "test", "--store", store.public_key)

    assert "sent code=0" in output and "[test]" in output
    assert [e["test_event_code"] for e in tiktok_emulator.events()] == ["TEST9"]


def test_relay_sends_pending_events_now(runner, client, store, tiktok_emulator):
    post_beacon(client, store)

    counts = json.loads(invoke(runner, "relay", "--store", store.public_key))

    assert counts["status"] == "done" and counts["sent"] == 1 and counts["requests"] == 1
    assert len(tiktok_emulator.events()) == 1


def test_an_unknown_store_is_an_error(runner, session):
    result = runner.invoke(args=["events", "tail", "--store", "nosuchstore000", "--no-follow"])

    assert result.exit_code != 0 and "nosuchstore000" in result.output


def test_prune_forgets_old_events(runner, client, store):
    post_beacon(client, store, beacon(event_id="old"))
    post_beacon(client, store, beacon(event_id="new"))
    rows(store)  # filed, as the relay's first step does
    old = db.session.execute(db.select(ServerEvent).where(ServerEvent.event_id == "old")).scalar_one()
    old.updated_at = utcnow() - timedelta(days=8)
    db.session.commit()

    assert "Removed 1 old events." in invoke(runner, "prune")
    assert [row.event_id for row in rows(store)] == ["new"]


def test_tail_prints_the_latest_lines(runner, client, store):
    for n in range(3):
        post_beacon(client, store, beacon(event_id=f"e{n}"))
    rows(store)

    account, *lines = invoke(runner, "tail", "--store", store.public_key, "--lines", "2", "--no-follow").splitlines()

    assert account == ("beacons: accepted 3, relayed 0, deduplicated 0, refused by TikTok 0, dropped 0, "
                       "held for consent 0, waiting 3 (adds up)")
    assert [line.split()[4] for line in lines] == ["e1", "e2"]
    assert all("browser" in line and "AddToCart" in line and "pending" in line for line in lines)


def test_tail_follows_new_events_and_their_answers(app, database_url, tmp_path, client, store, tiktok_emulator):
    env = {**os.environ, "TTC_DATABASE_URL": database_url, "TTC_AUTO_MIGRATE": "0",
           "TTC_INSTANCE_PATH": str(tmp_path / "cli-instance"), "TTC_TIKTOK_API_BASE": tiktok_emulator.url}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "events", "tail", "--store", store.public_key,
               "--interval", "0.1", "--stop-after", "60"]
    tail = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in tail.stdout], daemon=True).start()
    try:
        assert lines.get(timeout=30).startswith("beacons: accepted 0,")  # the store's account first
        post_beacon(client, store, beacon(event_id="followed"))
        rows(store)  # filed by the relay's first step: pending
        first = lines.get(timeout=30)
        relay(app)
        second = lines.get(timeout=30)
    finally:
        tail.terminate()
        tail.communicate(timeout=10)

    assert "followed" in first and "pending" in first
    assert "followed" in second and "sent code=0 request_id=" in second
