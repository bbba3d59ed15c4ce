"""Pages as a new user reads them: no page sends you to itself."""
from server.extensions import db
from tests.accounts import add_to_store, cheap_hashing, make_user, sign_in  # noqa: F401
from tests.factories import make_store


def test_the_events_page_points_at_its_own_settings_not_at_itself(client, session):
    store = make_store()
    store.tiktok_state = "connected"
    db.session.commit()
    add_to_store(store, make_user(), "owner")
    sign_in(client)
    page = client.get(f"/stores/{store.public_key}/events").get_data(as_text=True)
    assert "server events are off for this store" in page
    assert "Events page" not in page
    assert 'href="#settings-title">Server events settings</a> below' in page
    assert 'id="settings-title"' in page
