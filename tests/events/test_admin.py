"""The Events admin page: settings, the test event button, and the log with its JSON for the live view."""
import pytest

from server import audit
from server.extensions import db
from tests.accounts import add_to_store, cheap_hashing, csrf_token, make_user, sign_in  # noqa: F401
from tests.events.helpers import post_beacon, relay, rows


@pytest.fixture
def owner(client, store):
    add_to_store(store, make_user("ana@example.com"), "owner")
    sign_in(client, "ana@example.com")
    return store


def page_of(client, store):
    return client.get(f"/stores/{store.public_key}/events").get_data(as_text=True)


def post(client, store, path, data):
    token = csrf_token(client, f"/stores/{store.public_key}/events")
    return client.post(f"/stores/{store.public_key}/events{path}", data={"csrf_token": token, **data})


def test_the_events_tab_shows_the_log_and_whether_events_are_sent(client, owner):
    post_beacon(client, owner)

    page = page_of(client, owner)

    assert 'aria-current="page">Events</a>' in page
    assert "Server events:" in page and ">on</span>" in page
    assert 'data-status="received"' in page and "AddToCart" in page  # the relay has not filed it yet


def test_switching_server_events_on_puts_the_collector_in_the_pixel_configuration(client, owner):
    post(client, owner, "/settings", {"test_event_code": ""})
    off = client.get(f"/pixel/{owner.public_key}/config.json").get_json()

    response = post(client, owner, "/settings", {"server_events": "1", "limited_data_use": "1",
                                                 "test_event_code": "TEST123"})

    on = client.get(f"/pixel/{owner.public_key}/config.json").get_json()
    assert response.status_code == 302
    assert "server_events" not in off and "collector" not in off
    assert on["server_events"] is True and on["collector"] == f"https://connector.test/pixel/{owner.public_key}/events"
    assert f"/pixel/{owner.public_key}/events" in client.get(f"/pixel/{owner.public_key}.js").get_data(as_text=True)
    assert "Server events settings saved." in client.get(response.location).get_data(as_text=True)
    [entry, *_] = audit.entries_for_store(db.session, owner)
    assert entry.action == "events.settings_changed" and set(entry.details["fields"]) >= {"limited_data_use",
                                                                                         "test_event_code"}


def test_test_mode_without_a_test_code_is_refused_on_the_form(client, owner):
    response = post(client, owner, "/settings", {"server_events": "1", "test_mode": "1", "test_event_code": ""})

    assert response.status_code == 422
    assert "Test mode needs a test event code" in response.get_data(as_text=True)


def test_send_test_event_goes_through_the_relay_with_the_test_code(app, client, owner, tiktok_emulator):
    post(client, owner, "/settings", {"server_events": "1", "test_event_code": "TEST123"})

    response = post(client, owner, "/test", {})
    relay(app)

    assert "is on its way" in client.get(response.location).get_data(as_text=True)
    [sent] = tiktok_emulator.events(owner.pixel_code)
    assert sent["test_event_code"] == "TEST123" and sent["event_id"].startswith("test:")
    [logged] = client.get(f"/stores/{owner.public_key}/events/log.json").get_json()["events"]
    assert (logged["status"], logged["test"], logged["code"], logged["seen"]) == ("sent", True, 0, "server")
    assert logged["request_id"]


def test_a_test_event_works_with_server_events_off(app, client, owner, tiktok_emulator):
    post(client, owner, "/settings", {"test_event_code": "TEST123"})

    post(client, owner, "/test", {})
    relay(app)

    assert [row.status for row in rows(owner)] == ["sent"]


def test_send_test_event_without_a_code_says_what_to_do(client, owner):
    response = post(client, owner, "/test", {})

    assert "set a test event code first" in client.get(response.location).get_data(as_text=True)
    assert rows(owner) == []


def test_the_log_json_carries_the_latest_events_and_counts(client, owner):
    post_beacon(client, owner)

    body = client.get(f"/stores/{owner.public_key}/events/log.json").get_json()
    rows(owner)  # the relay's first step: file what the collector received
    filed = client.get(f"/stores/{owner.public_key}/events/log.json").get_json()

    assert [(e["event"], e["status"]) for e in body["events"]] == [("AddToCart", "received")]
    assert body["counts"] == {"received": 1, "pending": 0, "sent": 0, "failed": 0, "dropped": 0}
    assert [(e["event"], e["status"]) for e in filed["events"]] == [("AddToCart", "pending")]
    assert filed["counts"] == {"received": 0, "pending": 1, "sent": 0, "failed": 0, "dropped": 0}


def test_members_read_the_page_but_change_nothing(client, store):
    add_to_store(store, make_user("bea@example.com"), "member")
    sign_in(client, "bea@example.com")

    page = page_of(client, store)
    response = post(client, store, "/settings", {"server_events": ""})

    assert "Send test event" not in page and "disabled" in page
    assert response.status_code == 403
    assert client.get(f"/pixel/{store.public_key}/config.json").get_json()["server_events"] is True
