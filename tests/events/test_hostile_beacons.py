"""Beacons no browser sends: each is dropped (and logged at most once a minute), and the store's
other events still reach TikTok."""
import json

import pytest

from server.extensions import db
from server.models.events import EventBatch, ServerEvent
from tests.accounts import add_to_store, cheap_hashing, make_user, sign_in  # noqa: F401
from tests.events.helpers import beacon, post_beacon, relay

HOSTILE = {
    "deep nesting": "[" * 8000,
    "deep nesting in properties": json.dumps(beacon(event_id="deep-1")).replace(
        '"value": 49', '"value": ' + "[" * 3000 + "]" * 3000),
    "nesting past 255": json.dumps(beacon(event_id="deep-2")).replace(
        '"value": 49', '"value": ' + "[" * 300 + "]" * 300),
    "NaN": json.dumps(beacon(event_id="nan-1")).replace('"value": 49', '"value": NaN'),
    "Infinity": json.dumps(beacon(event_id="inf-1")).replace('"value": 49', '"value": -Infinity'),
    "huge number": json.dumps(beacon(event_id="big-1")).replace('"value": 49', '"value": 1e999'),
    "long integer": json.dumps(beacon(event_id="long-1")).replace('"value": 49', '"value": ' + "9" * 5000),
    "lone surrogate": json.dumps(beacon(event_id="sur-1")).replace('"BRL"', '"\\ud800"'),
    "lone surrogate with a user": json.dumps(beacon(event_id="sur-2", user={"email": "\\udc00@x.com"})).replace(
        "\\\\udc00", "\\udc00"),
}


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_an_unreadable_beacon_is_dropped_and_the_stores_other_events_are_relayed(app, client, store,
                                                                                 tiktok_emulator, body):
    assert post_beacon(client, store, raw=body).status_code == 204
    post_beacon(client, store, beacon(event_id="good-after"))

    relay(app)

    sent = [event["event_id"] for event in tiktok_emulator.events(store.pixel_code)]
    assert sent == ["good-after"]
    assert db.session.query(EventBatch).count() == 0  # nothing left behind, nothing retried for ever
    assert [row.event_id for row in db.session.query(ServerEvent)] == ["good-after"]


def test_the_events_page_shows_a_waiting_unreadable_beacon(app, client, store):
    add_to_store(store, make_user("ana@example.com"), "owner")
    sign_in(client, "ana@example.com")
    post_beacon(client, store, raw="[" * 8000)

    for path in ("", "/log.json"):
        assert client.get(f"/stores/{store.public_key}/events{path}").status_code == 200


def test_dropped_beacons_are_logged_at_most_once_a_minute(app, client, store, caplog):
    with caplog.at_level("INFO", logger="server.events.collector"):
        for _ in range(3):
            post_beacon(client, store, raw="[" * 8000)
            relay(app)

    lines = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert len(lines) == 1 and "depth limit exceeded" in lines[0]
