"""Setup after consent: refusals before anything is created, find-or-create, retries without duplicates."""
from sqlalchemy import update

from server.models.store import Store
from tests.accounts import post_form
from tests.connect.helpers import come_back, connect, connection_of, creates, owner_store, pixel_config, start, state_of


def _force(session, store, **values):
    """Change a store's row behind validation (as a changed markets table would leave it)."""
    session.execute(update(Store).where(Store.id == store.id).values(version=Store.version + 1, **values))
    session.commit()
    session.expire_all()


def test_a_store_without_a_phone_is_sent_to_fix_it_before_going_to_tiktok(client, session, tiktok_emulator):
    store = owner_store(client, phone="")
    page = client.get(f"/stores/{store.public_key}/tiktok").get_data(as_text=True)
    assert "TikTok needs a phone number" in page and f"/stores/{store.public_key}/settings" in page
    response = post_form(client, f"/stores/{store.public_key}/tiktok/connect")
    assert response.status_code == 422 and "TikTok needs a phone number" in response.get_data(as_text=True)
    assert tiktok_emulator.requests() == []


def test_a_phone_removed_during_consent_stops_setup_before_anything_is_created(client, session, tiktok_emulator):
    store = owner_store(client)
    state = state_of(start(client, store))
    _force(session, store, phone=None)
    code = tiktok_emulator.issue_auth_code(advertiser_ids=tiktok_emulator.advertiser_ids[:1])
    response = come_back(client, auth_code=code, state=state)
    page = client.get(response.location).get_data(as_text=True)
    assert "setup could not finish" in page and "TikTok needs a phone number" in page
    assert "Finish setting up TikTok" in page  # the token is kept for when the phone is there
    assert creates(tiktok_emulator) == []
    assert pixel_config(client, store)["enabled"] is False

    _force(session, store, phone="+55 11 91234-5678")
    done = client.get(f"/stores/{store.public_key}/tiktok/setup")
    assert done.status_code == 200  # nothing to choose between with one account: straight to the form
    finished = post_form(client, f"/stores/{store.public_key}/tiktok/setup")
    assert finished.status_code == 302
    assert pixel_config(client, store)["enabled"] is True


def test_a_currency_tiktok_refuses_for_the_country_stops_setup(client, session, tiktok_emulator):
    store = owner_store(client)
    state = state_of(start(client, store))
    _force(session, store, currency="USD")  # Brazil: BRL only
    response = come_back(client, auth_code=tiktok_emulator.issue_auth_code(), state=state)
    page = client.get(response.location).get_data(as_text=True)
    assert "TikTok accepts BRL for stores in Brazil, not USD" in page
    assert creates(tiktok_emulator) == []


def test_a_country_tiktok_does_not_serve_stops_setup(client, session, tiktok_emulator):
    store = owner_store(client)
    state = state_of(start(client, store))
    _force(session, store, country="AR", currency="ARS")
    response = come_back(client, auth_code=tiktok_emulator.issue_auth_code(), state=state)
    assert "TikTok does not accept catalogs from AR" in client.get(response.location).get_data(as_text=True)
    assert creates(tiktok_emulator) == []
    assert [r["path"] for r in tiktok_emulator.requests()] == ["oauth2/access_token/"]


def test_the_pixel_typed_in_the_settings_is_found_not_created(client, session, tiktok_emulator):
    store = owner_store(client, pixel_code=tiktok_emulator.pixel_code)
    connect(client, store, tiktok_emulator)
    connection = connection_of(store)
    assert connection.pixel_code == tiktok_emulator.pixel_code and connection.pixel_id
    assert [r["path"] for r in creates(tiktok_emulator)] == ["catalog/create/"]


def test_setup_that_fails_half_way_resumes_without_creating_twice(client, session, tiktok_emulator):
    store = owner_store(client)
    tiktok_emulator.add_fault("http_error", path="catalog/create/", status=503, count=1)
    response = connect(client, store, tiktok_emulator)
    page = client.get(response.location).get_data(as_text=True)
    assert "did not complete the setup" in page
    assert pixel_config(client, store)["enabled"] is False
    assert connection_of(store).pixel_code  # the pixel made before the failure is remembered

    finished = post_form(client, f"/stores/{store.public_key}/tiktok/setup")
    assert finished.status_code == 302
    assert [r["path"] for r in creates(tiktok_emulator) if r["http_status"] == 200] == \
        ["pixel/create/", "catalog/create/"]
    assert pixel_config(client, store)["enabled"] is True


def test_choosing_an_account_the_token_does_not_reach_is_refused(client, session, tiktok_emulator):
    store = owner_store(client)
    connect(client, store, tiktok_emulator, advertiser_ids=tiktok_emulator.advertiser_ids[:1])
    response = post_form(client, f"/stores/{store.public_key}/tiktok/setup", {"advertiser_id": "7999"})
    assert response.status_code == 422
    assert "not one your TikTok authorization reaches" in response.get_data(as_text=True)
