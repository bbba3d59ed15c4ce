"""The OAuth round trip over real HTTP against the emulator, and every attack on ``state``."""
from datetime import timedelta

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import update

from server.audit import entries_for_store
from server.clock import utcnow
from server.connect.oauth_state import SALT
from server.models.tiktok import TikTokOAuthState
from server.models.user import Membership
from tests.accounts import add_to_store, make_user, post_form, sign_in
from tests.connect.helpers import (
    come_back,
    connect,
    connection_of,
    owner_store,
    pixel_config,
    query,
    start,
    state_of,
    token_works,
)


def test_connect_sends_the_merchant_to_tiktok_with_app_id_redirect_and_state(client, session, tiktok_emulator):
    store = owner_store(client)
    url = start(client, store)
    assert url.startswith(tiktok_emulator.auth_url + "?")
    params = query(url)
    assert params["app_id"] == tiktok_emulator.app_id
    assert params["redirect_uri"] == "https://connector.test/connect/tiktok/callback"
    assert len(params["state"]) > 40


def test_round_trip_through_the_consent_page_then_choose_the_account(client, session, tiktok_emulator):
    store = owner_store(client)
    url = start(client, store)
    back = tiktok_emulator.authorize(query(url)["redirect_uri"], state_of(url))
    response = come_back(client, **back)
    # Both advertiser accounts were granted, so the merchant chooses one.
    assert response.status_code == 302
    assert response.location.endswith(f"/stores/{store.public_key}/tiktok/setup")
    choices = client.get(response.location).get_data(as_text=True)
    assert "Emulator Store Ads" in choices and "Emulator Second Account" in choices
    assert pixel_config(client, store)["enabled"] is False  # nothing is live before setup ends

    second = tiktok_emulator.advertiser_ids[1]
    done = post_form(client, f"/stores/{store.public_key}/tiktok/setup", {"advertiser_id": second})
    assert done.status_code == 302 and done.location.endswith(f"/stores/{store.public_key}/tiktok")
    page = client.get(done.location).get_data(as_text=True)
    assert 'TikTok status: <span class="status-word ok">connected</span>' in page
    assert "Emulator Second Account" in page and "Emulator Business Center" in page

    connection = connection_of(store)
    assert (connection.advertiser_id, connection.bc_id) == (second, tiktok_emulator.bc_id)
    assert token_works(tiktok_emulator, connection)
    config = pixel_config(client, store)
    assert config["enabled"] is True and config["pixel_code"] == connection.pixel_code
    catalog = next(c for c in tiktok_emulator.catalogs() if c["catalog_id"] == connection.catalog_id)
    assert catalog["catalog_conf"]["region_code"] == "BR" and catalog["catalog_conf"]["currency"] == "BRL"
    assert catalog["event_sources"] == [connection.pixel_code]
    actions = [entry.action for entry in entries_for_store(session, store)]
    assert actions[:2] == ["tiktok.connected", "tiktok.authorized"]


def test_one_advertiser_account_connects_without_a_choice(client, session, tiktok_emulator):
    store = owner_store(client)
    response = connect(client, store, tiktok_emulator)
    assert response.location.endswith(f"/stores/{store.public_key}/tiktok")
    assert "TikTok is connected" in client.get(response.location).get_data(as_text=True)
    assert pixel_config(client, store)["enabled"] is True


def test_the_callback_also_reads_code(client, session, tiktok_emulator):
    store = owner_store(client)
    tiktok_emulator.configure(callback_sends_code_too=True)
    state = state_of(start(client, store))
    code = tiktok_emulator.issue_auth_code(advertiser_ids=tiktok_emulator.advertiser_ids[:1])
    response = come_back(client, code=code, state=state)
    assert response.location.endswith(f"/stores/{store.public_key}/tiktok")
    assert connection_of(store).connected_at is not None


def _one_account_code(emulator):
    return emulator.issue_auth_code(advertiser_ids=emulator.advertiser_ids[:1])


def _refused(response, words):
    text = response.get_data(as_text=True)
    assert response.status_code == 400, text[:500]
    assert words in text
    return text


def _nothing_connected(store, tiktok_emulator):
    assert connection_of(store) is None
    assert tiktok_emulator.requests("oauth2/access_token/") == []


def test_a_missing_state_is_refused(client, session, tiktok_emulator):
    store = owner_store(client)
    code = tiktok_emulator.issue_auth_code()
    _refused(come_back(client, auth_code=code), "sent no state")
    _nothing_connected(store, tiktok_emulator)


def test_a_state_is_used_once(client, session, tiktok_emulator):
    store = owner_store(client)
    state = state_of(start(client, store))
    first = come_back(client, auth_code=_one_account_code(tiktok_emulator), state=state)
    assert first.status_code == 302
    again = come_back(client, auth_code=tiktok_emulator.issue_auth_code(), state=state)
    _refused(again, "already used once")
    assert len(tiktok_emulator.requests("oauth2/access_token/")) == 1


def test_an_expired_state_is_refused(client, session, tiktok_emulator):
    store = owner_store(client)
    state = state_of(start(client, store))
    # Move the clock: the state was issued eleven minutes ago.
    session.execute(update(TikTokOAuthState).values(created_at=utcnow() - timedelta(minutes=11),
                                                    expires_at=utcnow() - timedelta(minutes=1)))
    session.commit()
    _refused(come_back(client, auth_code=tiktok_emulator.issue_auth_code(), state=state), "expired")
    _nothing_connected(store, tiktok_emulator)


def test_states_live_as_long_as_the_setting_says(app, client, session, tiktok_emulator):
    app.config["TTC_CONNECT_STATE_SECONDS"] = 0
    store = owner_store(client)
    state = state_of(start(client, store))
    _refused(come_back(client, auth_code=tiktok_emulator.issue_auth_code(), state=state), "expired")


def test_another_merchants_state_is_refused(app, client, session, tiktok_emulator):
    store = owner_store(client)
    state = state_of(start(client, store))
    # Carl, also an owner of the store, finishes the round trip Ana started (e.g. a forwarded link).
    carl = make_user("carl@example.com")
    add_to_store(store, carl, "owner")
    other = app.test_client()
    sign_in(other, "carl@example.com")
    _refused(come_back(other, auth_code=tiktok_emulator.issue_auth_code(), state=state), "another merchant")
    _nothing_connected(store, tiktok_emulator)
    # Nobody signed in at all: the same.
    anonymous = app.test_client()
    _refused(come_back(anonymous, auth_code=tiktok_emulator.issue_auth_code(), state=state),
             "Sign in as the merchant who clicked Connect")
    # Ana herself can still use it: the refusals did not spend it.
    done = come_back(client, auth_code=_one_account_code(tiktok_emulator), state=state)
    assert done.status_code == 302 and connection_of(store).has_token


def test_another_stores_state_is_refused(app, client, session, tiktok_emulator):
    store = owner_store(client)
    other_store = owner_store(app.test_client(), email="bea@example.com", name="Outra Loja")
    state = state_of(start(client, store))
    # A state whose signature holds but that names another store than the one it was issued for.
    serializer = URLSafeSerializer(app.config["SECRET_KEY"], salt=SALT)
    signed = serializer.loads(state)
    forged = serializer.dumps({**signed, "s": other_store.public_key})
    _refused(come_back(client, auth_code=tiktok_emulator.issue_auth_code(), state=forged), "another store")
    _nothing_connected(store, tiktok_emulator)
    _nothing_connected(other_store, tiktok_emulator)


@pytest.mark.parametrize("tamper", ["flip", "resign", "garbage"])
def test_a_tampered_state_is_refused(client, session, tiktok_emulator, tamper):
    store = owner_store(client)
    state = state_of(start(client, store))
    if tamper == "flip":
        forged = state[:-2] + ("AA" if state[-2:] != "AA" else "BB")
    elif tamper == "resign":
        forged = URLSafeSerializer("not our secret key", salt=SALT).dumps(
            URLSafeSerializer("x").loads_unsafe(state)[1])
    else:
        forged = "definitely-not-a-state"
    _refused(come_back(client, auth_code=tiktok_emulator.issue_auth_code(), state=forged),
             "not issued by this connector")
    _nothing_connected(store, tiktok_emulator)


def test_a_member_cannot_connect(app, client, session, tiktok_emulator):
    store = owner_store(client)
    bea = make_user("bea@example.com")
    add_to_store(store, bea, "member")
    member = app.test_client()
    sign_in(member, "bea@example.com")
    page = member.get(f"/stores/{store.public_key}/tiktok").get_data(as_text=True)
    assert "connect.start" not in page and "/tiktok/connect" not in page and "Only an owner" in page
    refused = post_form(member, f"/stores/{store.public_key}/tiktok/connect")
    assert refused.status_code == 403


def test_an_owner_demoted_meanwhile_cannot_finish(app, client, session, tiktok_emulator):
    store = owner_store(client)
    state = state_of(start(client, store))
    session.execute(update(Membership).values(role="member"))
    session.commit()
    response = come_back(client, auth_code=tiktok_emulator.issue_auth_code(), state=state)
    assert response.status_code == 403
    _nothing_connected(store, tiktok_emulator)


def test_cancelled_at_tiktok(client, session, tiktok_emulator):
    store = owner_store(client)
    state = state_of(start(client, store))
    response = come_back(client, state=state, error="access_denied")
    assert response.status_code == 409 and "no authorization code" in response.get_data(as_text=True)
    _nothing_connected(store, tiktok_emulator)


def test_a_spent_auth_code_is_shown_plainly(client, session, tiktok_emulator):
    store = owner_store(client)
    code = tiktok_emulator.issue_auth_code(advertiser_ids=tiktok_emulator.advertiser_ids[:1])
    assert come_back(client, auth_code=code, state=state_of(start(client, store))).status_code == 302
    again = come_back(client, auth_code=code, state=state_of(start(client, store)))
    text = again.get_data(as_text=True)
    assert again.status_code == 502 and "did not accept the authorization" in text and code not in text
