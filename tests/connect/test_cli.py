"""``flask tiktok ...``: connect-url, setup, status, attach, rotate-tokens (disconnect: test_disconnect)."""
import json

from cryptography.fernet import Fernet

from server.audit import entries_for_store
from server.security import decrypt_secret
from tests.connect.helpers import come_back, connection_of, pixel_config, query
from tests.factories import make_store


def test_the_operator_connects_with_a_link_from_the_command_line(app, runner, session, tiktok_emulator):
    store = make_store(pixel_code="")
    result = runner.invoke(args=["tiktok", "connect-url", store.public_key])
    assert result.exit_code == 0, result.output
    url = result.output.strip()
    assert url.startswith(tiktok_emulator.auth_url + "?")
    back = tiktok_emulator.authorize(query(url)["redirect_uri"], query(url)["state"])
    # Whoever opens the link finishes it: the state is bound to the store and to "operator".
    page = come_back(app.test_client(), **back)
    assert page.status_code == 200 and f"tiktok setup {store.public_key}" in page.get_data(as_text=True)

    listing = runner.invoke(args=["tiktok", "setup", store.public_key])
    assert listing.exit_code == 2
    assert "Emulator Store Ads" in listing.output and tiktok_emulator.bc_id in listing.output
    done = runner.invoke(args=["tiktok", "setup", store.public_key, "--advertiser-id",
                               tiktok_emulator.advertiser_ids[0]])
    assert done.exit_code == 0, done.output
    assert "connected" in done.output and "created: pixel, catalog" in done.output
    assert pixel_config(app.test_client(), store)["enabled"] is True
    assert entries_for_store(session, store)[0].actor == "operator (CLI)"


def test_connect_url_refuses_a_store_tiktok_would_refuse(runner, session, tiktok_emulator):
    store = make_store(phone="")
    result = runner.invoke(args=["tiktok", "connect-url", store.public_key])
    assert result.exit_code == 1 and "phone" in result.output
    assert runner.invoke(args=["tiktok", "connect-url", "nosuchstore000"]).exit_code == 1


def test_connect_url_needs_the_app_configured(app, runner, session):
    app.config["TTC_TIKTOK_APP_ID"] = ""
    app.extensions.pop("ttc_tiktok_client", None)
    result = runner.invoke(args=["tiktok", "connect-url", make_store().public_key])
    assert result.exit_code == 1 and "TTC_TIKTOK_APP_ID" in result.output


def test_status_shows_the_connection_without_the_token(runner, session, tiktok_emulator):
    store = make_store()
    token = tiktok_emulator.seed_token()["access_token"]
    catalog_id = _catalog(runner, store, tiktok_emulator, token)
    result = runner.invoke(args=["tiktok", "status", store.public_key, "--json", "--check"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["state"] == "connected" and info["catalog"]["id"] == catalog_id
    assert info["token"] == "stored, encrypted" and info["check"]["ok"] is True
    assert token not in result.output
    text = runner.invoke(args=["tiktok", "status", store.public_key])
    assert "TikTok: Connected" in text.output and "Emulator Store Ads" in text.output


def _catalog(runner, store, emulator, token):
    """Attach ``store`` with ``token`` to a new emulator catalog; returns the catalog id."""
    import requests

    from server.tiktok import NullPacer, TikTokClient
    from server.tiktok.catalogs import create_catalog

    with requests.Session() as http:
        client = TikTokClient(http, base_url=emulator.url, access_token=token, pacer=NullPacer())
        catalog_id = create_catalog(client, emulator.bc_id, "Existing", region_code="BR", currency="BRL")
    result = runner.invoke(args=["tiktok", "attach", store.public_key, "--access-token", "-",
                                 "--advertiser-id", emulator.advertiser_ids[0], "--bc-id", emulator.bc_id,
                                 "--catalog-id", catalog_id, "--pixel-code", emulator.pixel_code],
                           input=token + "\n")
    assert result.exit_code == 0, result.output
    assert token not in result.output
    return catalog_id


def test_attach_stores_a_token_the_operator_holds(app, runner, session, tiktok_emulator):
    store = make_store(pixel_code="")
    token = tiktok_emulator.seed_token()["access_token"]
    catalog_id = _catalog(runner, store, tiktok_emulator, token)
    connection = connection_of(store)
    assert connection.access_token != token and decrypt_secret(connection.access_token) == token
    assert connection.catalog_name == "Existing" and connection.advertiser_name == "Emulator Store Ads"
    config = pixel_config(app.test_client(), store)
    assert config["enabled"] is True and config["pixel_code"] == tiktok_emulator.pixel_code
    bound = next(c for c in tiktok_emulator.catalogs() if c["catalog_id"] == catalog_id)
    assert bound["event_sources"] == [tiktok_emulator.pixel_code]
    assert entries_for_store(session, store)[0].action == "tiktok.attached"


def test_attach_refuses_ids_the_token_does_not_reach_and_stores_nothing(runner, session, tiktok_emulator):
    store = make_store()
    token = tiktok_emulator.seed_token(advertiser_ids=tiktok_emulator.advertiser_ids[:1])["access_token"]
    result = runner.invoke(args=["tiktok", "attach", store.public_key, "--access-token", token,
                                 "--advertiser-id", tiktok_emulator.advertiser_ids[1], "--bc-id", "1",
                                 "--catalog-id", "2", "--pixel-code", tiktok_emulator.pixel_code])
    assert result.exit_code == 1 and "does not reach advertiser" in result.output
    assert token not in result.output
    assert connection_of(store) is None


def test_rotate_tokens_reencrypts_under_the_newest_key(app, runner, session, tiktok_emulator):
    store = make_store()
    token = tiktok_emulator.seed_token()["access_token"]
    _catalog(runner, store, tiktok_emulator, token)
    old_key = app.config["TTC_TOKEN_KEY"]
    before = connection_of(store).access_token
    new_key = Fernet.generate_key().decode()
    app.config["TTC_TOKEN_KEY"] = f"{new_key},{old_key}"
    result = runner.invoke(args=["tiktok", "rotate-tokens"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted 1 TikTok token(s)" in result.output
    after = connection_of(store).access_token
    assert after != before and decrypt_secret(after, new_key) == token
    app.config["TTC_TOKEN_KEY"] = new_key  # the old key can go now: the store still works
    assert runner.invoke(args=["tiktok", "status", store.public_key, "--check"]).exit_code == 0


def test_rotate_tokens_changes_nothing_when_a_token_opens_with_no_key(app, runner, session, tiktok_emulator):
    store = make_store()
    _catalog(runner, store, tiktok_emulator, tiktok_emulator.seed_token()["access_token"])
    before = connection_of(store).access_token
    app.config["TTC_TOKEN_KEY"] = Fernet.generate_key().decode()  # the old key was dropped too early
    result = runner.invoke(args=["tiktok", "rotate-tokens"])
    assert result.exit_code == 1 and "opens with none of the keys" in result.output
    assert connection_of(store).access_token == before
