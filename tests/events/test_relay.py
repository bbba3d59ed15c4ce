"""The relay: pending events to TikTok's event/track/ (the emulator), and what TikTok's answers do."""
import time

from server.clock import utcnow
from server.events import intake
from server.events import settings as event_settings
from server.events.relay import tiktok_event
from server.extensions import db
from server.models.events import ServerEvent
from server.models.job import Job
from server.stores import service
from tests.events.helpers import beacon, post_beacon, relay, rows

CLEAN_EMAIL = "ana@example.com"


def buffered(store, count, overrides=None):
    """Write ``count`` browser events straight into the store's buffer, as the spool would;
    ``overrides`` maps an event's number to column values of its own."""
    overrides = overrides or {}
    intake.store_browser_events(db.session, [{
        "store_id": store.id, "event": "ViewContent", "event_id": f"ev-{n}", "consented": False,
        "limited_data_use": False, "event_time": int(time.time()),
        "context": {"url": f"https://loja.example.com/p/{n}", "ip": "203.0.113.7", "user_agent": "Mozilla/5.0",
                    "ttp": "ttp-cookie"},
        "properties": {"contents": [{"content_id": f"SKU-{n}", "price": 10.0, "quantity": 1}]},
        **overrides.get(n, {})} for n in range(count)])


def track_requests(emulator):
    """The event/track/ calls TikTok received."""
    return emulator.requests("event/track/")


def test_a_browser_event_reaches_tiktok_with_its_event_id_and_match_keys(app, client, store, tiktok_emulator):
    post_beacon(client, store, beacon(user={"email": " Ana@Example.com "}))

    assert relay(app) == 1

    [sent] = tiktok_emulator.events(store.pixel_code)
    assert (sent["event"], sent["event_id"]) == ("AddToCart", beacon()["event_id"])
    assert sent["user_keys"] == ["email", "ip", "ttclid", "ttp", "user_agent"]
    assert sent["page"] == {"url": "https://loja.example.com/p/caneca", "referrer": "https://www.tiktok.com/"}
    assert sent["test_event_code"] is None
    [row] = rows(store)
    assert (row.status, row.tiktok_code) == ("sent", 0) and row.tiktok_request_id
    assert row.context is None and row.user is None  # personal data goes once the event is settled


def test_events_go_to_tiktok_1000_at_a_time(app, store, tiktok_emulator):
    buffered(store, 1500)

    relay(app)

    assert [r["params"]["data"] for r in track_requests(tiktok_emulator)] == ["<1000 items>", "<500 items>"]
    assert len(tiktok_emulator.events(store.pixel_code)) == 1500
    assert {row.status for row in rows(store)} == {"sent"}


def test_test_mode_sends_every_event_with_the_test_event_code(app, client, store, tiktok_emulator):
    event_settings.update_settings(db.session, store, None, test_event_code="TEST12345", test_mode=True)
    post_beacon(client, store)

    relay(app)

    assert [e["test_event_code"] for e in tiktok_emulator.events(store.pixel_code)] == ["TEST12345"]


def test_one_bad_event_is_isolated_and_the_others_are_sent(app, store, tiktok_emulator):
    # An email that slipped through unhashed: TikTok refuses the whole batch with 40062.
    buffered(store, 10, {6: {"context": {"url": "https://loja.example.com/p/6", "email": [CLEAN_EMAIL]}}})

    relay(app)

    states = {row.event_id: (row.status, row.tiktok_code) for row in rows(store)}
    attempts = {row.event_id: row.attempts for row in rows(store)}
    assert states.pop("ev-6") == ("failed", 40062)
    assert (attempts["ev-6"], attempts["ev-0"]) == (4, 2)  # the requests each was in: 10, 5, 2, 1 / 10, 5
    assert set(states.values()) == {("sent", 0)}
    assert sorted(e["event_id"] for e in tiktok_emulator.events(store.pixel_code)) == sorted(states)
    failed = db.session.execute(db.select(ServerEvent).where(ServerEvent.event_id == "ev-6")).scalar_one()
    assert "hashed" in failed.message and CLEAN_EMAIL not in failed.message
    assert len(track_requests(tiktok_emulator)) <= 9  # halving: about 2 log2(n) requests, not n


def test_a_refusal_of_the_request_itself_fails_the_batch_without_one_request_per_event(app, store, tiktok_emulator):
    store.pixel_code = "C0000000000000000000"  # a pixel TikTok does not know
    db.session.commit()
    buffered(store, 40)

    relay(app)

    assert {(row.status, row.tiktok_code) for row in rows(store)} == {("failed", 40002)}
    assert len(track_requests(tiktok_emulator)) == 4  # the batch, its two halves, one event alone


def test_while_tiktok_is_down_events_wait_and_go_once_it_is_back(app, client, store, tiktok_emulator):
    tiktok_emulator.add_fault("http_error", path="event/track/", status=503)
    post_beacon(client, store)

    relay(app)

    [job] = db.session.execute(db.select(Job).where(Job.kind == "events.relay")).scalars().all()
    assert job.status == "queued" and "503" in job.last_error
    assert [row.status for row in rows(store)] == ["pending"]
    tiktok_emulator.clear_faults()
    job.run_after = utcnow()
    db.session.commit()
    relay(app)
    assert [row.status for row in rows(store)] == ["sent"]


def test_a_revoked_token_disconnects_the_store_and_the_relay_stops(app, client, store, tiktok_emulator):
    tiktok_emulator.revoke(store.test_token)
    post_beacon(client, store, beacon(event_id="before"))

    relay(app)

    db.session.refresh(store)
    assert store.tiktok_state == "disconnected" and "events relay" in store.tiktok_state_reason
    [row] = rows(store)
    assert row.status == "dropped" and "access token" in row.message
    tried = len(track_requests(tiktok_emulator))
    assert post_beacon(client, store, beacon(event_id="after")).status_code == 204
    relay(app)
    assert [row.event_id for row in rows(store)] == ["before"]
    assert len(track_requests(tiktok_emulator)) == tried
    assert client.get(f"/pixel/{store.public_key}/config.json").get_json()["enabled"] is False


def test_events_waiting_when_server_events_are_switched_off_are_dropped(app, client, store, tiktok_emulator):
    post_beacon(client, store)
    event_settings.update_settings(db.session, store, None, server_events=False)

    relay(app)

    assert [(row.status, row.message) for row in rows(store)] == [
        ("dropped", "not sent: server events are off for this store")]
    assert tiktok_emulator.events() == []


def test_events_waiting_without_consent_when_the_store_starts_holding_are_dropped(app, client, store,
                                                                               tiktok_emulator):
    post_beacon(client, store, beacon(event_id="none"))
    post_beacon(client, store, beacon(event_id="granted", consent="granted"))
    service.update_store(db.session, store, consent_mode="hold")

    relay(app)

    assert {row.event_id: row.status for row in rows(store)} == {"none": "dropped", "granted": "sent"}
    assert [e["event_id"] for e in tiktok_emulator.events()] == ["granted"]


def test_limited_data_use_comes_from_the_store_or_the_page():
    row = ServerEvent(event="ViewContent", event_id="e", event_time=1, limited_data_use=False,
                      context={"url": "https://shop/"}, properties={})

    assert "limited_data_use" not in tiktok_event(row)
    assert tiktok_event(row, limited=True)["limited_data_use"] is True
    row.limited_data_use = True
    assert tiktok_event(row)["limited_data_use"] is True


def test_a_backend_event_and_a_browser_event_merge_their_match_keys():
    row = ServerEvent(event="Purchase", event_id="order:1", event_time=1, limited_data_use=False,
                      context={"url": "https://shop/ok", "ttclid": "E.C.P", "ip": "203.0.113.7", "user_agent": "UA",
                               "email": ["b" * 64]},
                      user={"email": ["a" * 64, "b" * 64], "phone": ["c" * 64], "ip": "198.51.100.1",
                            "url": "https://shop/"},
                      properties={"order_id": "1", "value": 10.0})

    event = tiktok_event(row)

    assert event["user"] == {"email": ["a" * 64, "b" * 64], "phone": "c" * 64, "ttclid": "E.C.P",
                             "ip": "203.0.113.7", "user_agent": "UA"}
    assert event["page"] == {"url": "https://shop/ok"}
    assert event["properties"] == {"order_id": "1", "value": 10.0}


def test_a_test_event_is_never_sent_as_a_real_one(app, store, tiktok_emulator):
    event_settings.update_settings(db.session, store, None, test_event_code="TEST123")
    intake.queue_test_event(db.session, store, None)
    event_settings.update_settings(db.session, store, None, test_event_code="")  # cleared before it went

    relay(app)

    [row] = rows(store)
    assert (row.status, row.message) == ("dropped", "not sent: the store has no test event code any more")
    assert tiktok_emulator.events() == []
