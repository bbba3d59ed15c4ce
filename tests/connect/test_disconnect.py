"""Disconnecting by hand, automatically when TikTok refuses the token anywhere, and reconnecting."""
from contextlib import contextmanager

import pytest
import requests

from server.audit import entries_for_store
from server.catalog import service as catalog
from server.catalog.sync.tiktok_target import CatalogNotReady, catalog_target
from server.connect import store_client
from server.models.store import Store
from server.security import decrypt_secret
from server.tiktok import NullPacer, TikTokAppAuthError, TikTokAuthError, TikTokClient
from server.tiktok.catalogs import catalog_overview
from tests.accounts import post_form
from tests.catalog.helpers import item
from tests.connect.helpers import connect, connection_of, owner_store, pixel_config


@pytest.fixture
def connected(client, session, tiktok_emulator):
    """A store connected through the callback; ``.token`` is its token in clear."""
    store = owner_store(client)
    assert connect(client, store, tiktok_emulator).status_code == 302
    store.token = decrypt_secret(connection_of(store).access_token)
    return store


def _store(session, store):
    session.expire_all()
    return session.get(Store, store.id)


def test_disconnect_by_hand_revokes_deletes_and_turns_the_pixel_off(client, session, tiktok_emulator, connected):
    page = client.get(f"/stores/{connected.public_key}/tiktok").get_data(as_text=True)
    assert "The pixel stops" in page and "Catalog Manager" in page
    unconfirmed = post_form(client, f"/stores/{connected.public_key}/tiktok/disconnect")
    assert unconfirmed.status_code == 422 and _store(session, connected).tiktok_state == "connected"

    response = post_form(client, f"/stores/{connected.public_key}/tiktok/disconnect", {"confirm": "yes"})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "TikTok is disconnected" in page and "Catalog Manager" in page
    store = _store(session, connected)
    assert store.tiktok_state == "disconnected" and "ana@example.com" in store.tiktok_state_reason
    assert pixel_config(client, store)["enabled"] is False
    connection = connection_of(store)
    assert connection.access_token is None and connection.catalog_id and connection.pixel_code
    assert len(tiktok_emulator.requests("oauth2/revoke_token/")) == 1
    with _client(tiktok_emulator, connected.token) as revoked, pytest.raises(TikTokAuthError):
        revoked.get("user/info/")  # revoked at TikTok for real
    assert entries_for_store(session, store)[0].action == "tiktok.disconnected"


def test_a_failed_revoke_never_blocks_the_disconnect(client, session, tiktok_emulator, connected):
    tiktok_emulator.add_fault("http_error", path="oauth2/revoke_token/", status=503)
    response = post_form(client, f"/stores/{connected.public_key}/tiktok/disconnect", {"confirm": "yes"})
    page = client.get(response.location).get_data(as_text=True)
    assert "did not confirm that the access was revoked" in page
    store = _store(session, connected)
    assert store.tiktok_state == "disconnected" and connection_of(store).access_token is None
    assert pixel_config(client, store)["enabled"] is False
    details = entries_for_store(session, store)[0].details
    assert details["revoked"] is False and "503" in details["revoke_problem"]


def test_a_token_revoked_at_tiktok_disconnects_on_the_next_call(client, session, tiktok_emulator, connected):
    tiktok_emulator.revoke(connected.token)
    target = catalog_target(session, connected)
    with pytest.raises(TikTokAuthError):
        catalog_overview(target.client, target.bc_id, target.catalog_id)
    store = _store(session, connected)
    assert store.tiktok_state == "disconnected"
    assert "TikTok refused the access token during the catalog sync" in store.tiktok_state_reason
    assert "40105" in store.tiktok_state_reason
    assert pixel_config(client, store)["enabled"] is False
    assert connection_of(store).access_token is None
    entry = entries_for_store(session, store)[0]
    assert entry.action == "tiktok.auto_disconnected" and entry.details["code"] == 40105
    with pytest.raises(CatalogNotReady):
        catalog_target(session, store)  # the catalog jobs stop: there is nothing to sync with
    page = client.get(f"/stores/{store.public_key}/tiktok").get_data(as_text=True)
    assert "TikTok was disconnected automatically" in page and "Reconnect TikTok" in page


def test_a_sync_job_that_meets_a_revoked_token_disconnects_the_store(runner, client, session, tiktok_emulator,
                                                                     connected):
    catalog.push_products(session, connected, [item("SKU-1"), item("SKU-2")])
    tiktok_emulator.revoke(connected.token)
    result = runner.invoke(args=["catalog", "sync", "--store", connected.public_key])
    assert result.exit_code == 1
    store = _store(session, connected)
    assert store.tiktok_state == "disconnected" and "catalog sync" in store.tiktok_state_reason
    assert pixel_config(client, store)["enabled"] is False
    assert [e.action for e in entries_for_store(session, store)].count("tiktok.auto_disconnected") == 1


def test_a_status_check_notices_a_revoked_token(runner, client, session, tiktok_emulator, connected):
    tiktok_emulator.revoke(connected.token)
    result = runner.invoke(args=["tiktok", "status", connected.public_key, "--check"])
    assert result.exit_code == 1 and "the store was disconnected" in result.output
    assert _store(session, connected).tiktok_state == "disconnected"
    assert pixel_config(client, connected)["enabled"] is False


def test_our_own_app_credentials_failing_do_not_disconnect_anyone(app, session, tiktok_emulator, connected):
    tiktok_emulator.add_fault("code", path="catalog/overview/", code=40113, count=1)
    target = catalog_target(session, connected)
    with pytest.raises(TikTokAppAuthError):
        catalog_overview(target.client, target.bc_id, target.catalog_id)
    assert _store(session, connected).tiktok_state == "connected"
    assert connection_of(connected).access_token is not None


def test_an_old_call_failing_after_a_reconnect_leaves_the_new_token_alone(client, session, tiktok_emulator,
                                                                          connected):
    old = store_client(session, connected, purpose="a slow job")
    tiktok_emulator.revoke(connected.token)
    # Meanwhile the merchant connected again: a new token is stored.
    assert connect(client, connected, tiktok_emulator).status_code == 302
    with pytest.raises(TikTokAuthError):
        old.get("user/info/")
    store = _store(session, connected)
    assert store.tiktok_state == "connected" and connection_of(store).access_token is not None


def test_reconnecting_restores_everything_with_the_same_pixel_and_catalog(client, session, tiktok_emulator,
                                                                          connected):
    before = connection_of(connected)
    ids = (before.advertiser_id, before.bc_id, before.pixel_code, before.catalog_id)
    tiktok_emulator.revoke(connected.token)
    with pytest.raises(TikTokAuthError):
        store_client(session, connected).get("user/info/")
    assert pixel_config(client, connected)["enabled"] is False
    tiktok_emulator.clear_requests()

    response = connect(client, connected, tiktok_emulator)
    assert response.location.endswith("/tiktok")
    store = _store(session, connected)
    after = connection_of(store)
    assert (after.advertiser_id, after.bc_id, after.pixel_code, after.catalog_id) == ids
    assert store.tiktok_state == "connected" and store.tiktok_state_reason is None
    config = pixel_config(client, store)
    assert config["enabled"] is True and config["pixel_code"] == ids[2]
    paths = [r["path"] for r in tiktok_emulator.requests()]
    assert "pixel/create/" not in paths and "catalog/create/" not in paths
    assert store_client(session, store).get("user/info/")


def test_the_operator_disconnects_from_the_command_line(runner, client, session, tiktok_emulator, connected):
    result = runner.invoke(args=["tiktok", "disconnect", connected.public_key])
    assert result.exit_code == 0, result.output
    assert "Catalog Manager" in result.output
    assert _store(session, connected).tiktok_state == "disconnected"
    assert entries_for_store(session, connected)[0].actor == "operator (CLI)"
    again = runner.invoke(args=["tiktok", "disconnect", connected.public_key])
    assert again.exit_code == 0 and "already disconnected" in again.output


@contextmanager
def _client(emulator, token):
    with requests.Session() as http:
        yield TikTokClient(http, base_url=emulator.url, access_token=token, pacer=NullPacer())


def test_a_client_derived_with_with_token_keeps_the_auto_disconnect(client, session, tiktok_emulator, connected):
    derived = store_client(session, connected).with_token(connected.token)
    tiktok_emulator.revoke(connected.token)
    with pytest.raises(TikTokAuthError):
        derived.get("user/info/")
    assert _store(session, connected).tiktok_state == "disconnected"
    assert pixel_config(client, connected)["enabled"] is False


def test_check_the_connection_from_the_page(client, session, tiktok_emulator, connected):
    fine = post_form(client, f"/stores/{connected.public_key}/tiktok/check")
    assert "TikTok accepts the token" in client.get(fine.location).get_data(as_text=True)
    tiktok_emulator.revoke(connected.token)
    refused = post_form(client, f"/stores/{connected.public_key}/tiktok/check")
    page = client.get(refused.location).get_data(as_text=True)
    assert "TikTok refused the token" in page and "TikTok was disconnected automatically" in page
    assert pixel_config(client, connected)["enabled"] is False


def test_catalog_syncs_stop_once_disconnected(runner, client, session, tiktok_emulator, connected):
    post_form(client, f"/stores/{connected.public_key}/tiktok/disconnect", {"confirm": "yes"})
    catalog.push_products(session, _store(session, connected), [item("SKU-1")])
    result = runner.invoke(args=["catalog", "sync", "--store", connected.public_key])
    assert result.exit_code != 0 and "not connected" in result.output
    assert tiktok_emulator.requests("catalog/product/upload/") == []
