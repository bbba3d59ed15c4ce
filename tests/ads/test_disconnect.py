"""A token TikTok refuses on the Ads page disconnects the store at once, and the page says why."""
from bs4 import BeautifulSoup

from server.extensions import db
from server.models.audit import AuditEntry
from server.models.tiktok import TikTokConnection
from tests.accounts import sign_in
from tests.ads.helpers import campaigns_of, changes_received, post_change


def _reload(store):
    db.session.expire_all()
    connection = db.session.execute(db.select(TikTokConnection).where(TikTokConnection.store_id == store.id)
                                    ).scalar_one()
    return db.session.get(type(store), store.id), connection


def test_a_revoked_token_disconnects_the_store_when_the_ads_page_loads(client, store, tiktok_emulator):
    tiktok_emulator.revoke(store.test_token)
    sign_in(client, "bea@example.com")  # even a member's visit notices it

    response = client.get(f"/stores/{store.public_key}/ads")

    assert response.status_code == 200
    store, connection = _reload(store)
    assert store.tiktok_state == "disconnected"
    assert "during a visit to the Ads page" in store.tiktok_state_reason and "40105" in store.tiktok_state_reason
    assert connection.access_token is None
    assert db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "tiktok.auto_disconnected")).first()
    banner = BeautifulSoup(response.get_data(as_text=True), "html.parser").find(id="ads-unavailable")
    assert banner.h2.get_text() == "TikTok is disconnected"
    assert "40105" in banner.get_text()
    assert banner.find("a", string="Go to the TikTok page") is not None
    # The pixel configuration follows: shoppers' pages stop sending events.
    assert client.get(f"/pixel/{store.public_key}/config.json").get_json()["enabled"] is False


def test_a_revoked_token_met_while_pausing_disconnects_too(client, store, tiktok_emulator):
    campaign_id = sorted(campaigns_of(tiktok_emulator))[0]
    sign_in(client, "ana@example.com")
    tiktok_emulator.revoke(store.test_token)

    response = post_change(client, store, "pause", {"campaign_id": campaign_id, "confirm": "yes"})

    assert response.status_code == 409
    assert "store was disconnected" in response.get_data(as_text=True)
    assert _reload(store)[0].tiktok_state == "disconnected"
    assert changes_received(tiktok_emulator) == []
    banner = BeautifulSoup(client.get(f"/stores/{store.public_key}/ads").get_data(as_text=True),
                           "html.parser").find(id="ads-unavailable")
    assert "during a change on the Ads page" in banner.get_text()


def test_setup_not_finished_is_explained(client, store, tiktok_emulator):
    store, connection = _reload(store)
    connection.advertiser_id = None
    store.tiktok_state = "not_connected"
    db.session.commit()
    sign_in(client, "ana@example.com")
    html = client.get(f"/stores/{store.public_key}/ads").get_data(as_text=True)
    assert "setup is not finished" in html
    assert tiktok_emulator.requests() == []
