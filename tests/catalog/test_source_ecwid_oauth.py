"""Connecting an Ecwid store with the app's OAuth (ECWID_API.md 6.2) over real HTTP against the Ecwid
emulator: the round trip from the Catalog page, then every way it can go wrong (state missing,
forged, replayed, expired, another merchant's or another flow's; the merchant declining; a code
Ecwid refuses), each saying so on the Catalog page with nothing saved."""
import json
import time
import uuid
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from sqlalchemy import select, update

from server.catalog.sources import service
from server.clock import utcnow
from server.connect.oauth_state import issue_state
from server.events.ecwid_orders import signature as ecwid_signature
from server.extensions import db
from server.logs import redact
from server.models.catalog_source import CatalogSource
from server.models.tiktok import TikTokOAuthState
from tests.accounts import add_to_store, csrf_token, make_user, sign_in
from tests.catalog.sources_helpers import FAST, pull, source_row
from tests.factories import make_store

CALLBACK = "/connect/ecwid/callback"


@pytest.fixture
def app_config(app_config, ecwid_emulator):
    """The emulator is Ecwid's API and OAuth host; the app's client id is set."""
    return {**app_config, **FAST, "TTC_ECWID_API_BASE": ecwid_emulator.url, "TTC_ECWID_OAUTH_BASE": ecwid_emulator.url,
            "TTC_ECWID_CLIENT_ID": ecwid_emulator.client_id}


@pytest.fixture
def owner(client, session):
    """A store owned by a merchant signed in on ``client``."""
    store = make_store()
    add_to_store(store, make_user("ana@example.com"), "owner")
    sign_in(client, "ana@example.com")
    return store


def start(client, store):
    """Click "Connect with Ecwid": the authorize URL our server redirected to."""
    page = f"/stores/{store.public_key}/catalog"
    response = client.post(f"/stores/{store.public_key}/catalog/source/ecwid/connect",
                           data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response.location


def come_back(client, location):
    """The browser follows Ecwid's redirect to our callback, then to the Catalog page."""
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://connector.test" + CALLBACK
    response = client.get(CALLBACK, query_string=dict(parse_qsl(parts.query)))
    return response, client.get(response.location).get_data(as_text=True) if response.status_code == 302 else None


def params(url):
    return dict(parse_qsl(urlsplit(url).query))


def no_source(store):
    db.session.expire_all()
    return db.session.execute(select(CatalogSource).where(CatalogSource.store_id == store.id)).first() is None


@pytest.mark.parametrize("token_type", ["bearer", "Bearer"])
def test_connect_with_ecwid_saves_a_working_source(client, runner, owner, ecwid_emulator, token_type):
    ecwid_emulator.reset(token_type=token_type)
    catalog = client.get(f"/stores/{owner.public_key}/catalog")
    assert "Connect with Ecwid" in catalog.get_data(as_text=True)
    assert f"form-action 'self' {ecwid_emulator.url}" in catalog.headers["Content-Security-Policy"]

    url = start(client, owner)
    asked = params(url)
    assert url.startswith(ecwid_emulator.url + "/api/oauth/authorize?")
    assert asked["client_id"] == ecwid_emulator.client_id and asked["response_type"] == "code"
    assert asked["scope"] == "read_store_profile read_catalog read_orders"
    assert asked["redirect_uri"] == "https://connector.test" + CALLBACK
    response, page = come_back(client, ecwid_emulator.decide(url))

    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Connected with Ecwid: Loja Emulada, BR, BRL, 12 products." in page
    assert "connected with the Ecwid app" in page
    source = source_row(owner)
    assert source.kind == "ecwid" and source.settings["store_id"] == str(ecwid_emulator.store_id)
    assert service.credentials_of(source)["token"] in ecwid_emulator.oauth_tokens()
    assert ecwid_emulator.token not in json.dumps(source.settings)
    shown = runner.invoke(args=["catalog", "source", "show", "--store", owner.public_key])
    assert '"connected_with": "app OAuth"' in shown.output and "secret_" not in shown.output
    assert "16 read: 16 ready for TikTok" in pull(runner, owner)


def test_uninstalling_the_app_disconnects_an_oauth_source(client, owner, ecwid_emulator):
    come_back(client, ecwid_emulator.decide(start(client, owner)))
    event = {"eventId": str(uuid.uuid4()), "eventCreated": int(time.time()), "storeId": ecwid_emulator.store_id,
             "entityId": str(ecwid_emulator.store_id), "eventType": "application.uninstalled"}
    sent = client.post(f"/hooks/{owner.public_key}/ecwid", data=json.dumps(event), content_type="application/json",
                       headers={"X-Ecwid-Webhook-Signature": ecwid_signature(
                           ecwid_emulator.client_secret, event["eventCreated"], event["eventId"])})
    assert sent.status_code == 200, sent.get_data(as_text=True)
    source = source_row(owner)
    assert source.state == "disconnected" and source.credentials is None and source.next_pull_at is None


def test_the_merchant_declining_saves_nothing(client, owner, ecwid_emulator):
    response, page = come_back(client, ecwid_emulator.decide(start(client, owner), "decline"))
    assert "The Ecwid store was not connected: Ecwid did not authorize the app (the merchant declined)" in page
    assert no_source(owner)


def test_a_replayed_state_is_refused_and_saves_nothing(client, owner, ecwid_emulator):
    url = start(client, owner)
    declined = ecwid_emulator.decide(url, "decline")
    come_back(client, declined)
    fresh = ecwid_emulator.decide(url)  # a real code, sent back with the spent state
    _, page = come_back(client, fresh)
    assert "this authorization was already used once" in page and "Connect with Ecwid again" in page
    assert no_source(owner)


def test_an_expired_state_is_refused(client, owner, ecwid_emulator):
    url = start(client, owner)
    db.session.execute(update(TikTokOAuthState).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    _, page = come_back(client, ecwid_emulator.decide(url))
    assert "this authorization took too long and expired" in page
    assert no_source(owner)


@pytest.mark.parametrize("state", [None, "forged", "tiktok"])
def test_a_missing_forged_or_foreign_state_gets_a_page_of_its_own(client, owner, ecwid_emulator, state):
    url = start(client, owner)
    back = params(ecwid_emulator.decide(url))
    if state is None:
        back.pop("state")
    elif state == "forged":
        back["state"] = back["state"][:-4] + "AAAA"
    else:  # a state the TikTok connect flow issued for this very store and merchant
        back["state"] = issue_state(db.session, owner, make_user("bo@example.com"))
    response = client.get(CALLBACK, query_string=back)
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "This Ecwid authorization cannot be used" in text
    assert ("Ecwid sent no state" if state is None else "was not issued by this connector") in text
    assert no_source(owner)


def test_another_merchant_cannot_finish_the_round_trip(client, app, owner, ecwid_emulator):
    url = start(client, owner)
    other = make_store(name="Outra Loja")
    add_to_store(other, make_user("bo@example.com"), "owner")
    browser = app.test_client()  # the link opened in another merchant's signed-in browser
    sign_in(browser, "bo@example.com")
    response = browser.get(CALLBACK, query_string=params(ecwid_emulator.decide(url)))
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)  # the owner's page, not shown to bo
    assert no_source(owner) and "Connected with Ecwid" not in page
    _, page = come_back(client, ecwid_emulator.decide(start(client, owner)))
    assert "Connected with Ecwid" in page  # the owner can still connect


def test_a_code_ecwid_refuses_saves_nothing_and_a_reused_code_revokes_its_token(client, owner, ecwid_emulator):
    first = ecwid_emulator.decide(start(client, owner))
    ecwid_emulator.expire_codes()
    _, page = come_back(client, first)
    assert "Ecwid refused the authorization code (unknown or expired code)" in page
    assert no_source(owner)

    ecwid_emulator.reset()
    used = ecwid_emulator.decide(start(client, owner))
    come_back(client, used)
    assert len(ecwid_emulator.oauth_tokens()) == 1
    again = params(ecwid_emulator.decide(start(client, owner)))
    again["code"] = params(used)["code"]  # a fresh state with a code already traded
    _, page = come_back(client, f"https://connector.test{CALLBACK}?{urlencode(again)}")
    assert "Ecwid refused the authorization code (the code was already used)" in page
    assert ecwid_emulator.oauth_tokens() == []  # as Ecwid may do: the code's token is revoked


def test_without_a_client_id_the_card_offers_only_the_token(client, owner, app):
    app.config["TTC_ECWID_CLIENT_ID"] = ""
    page = client.get(f"/stores/{owner.public_key}/catalog")
    assert "Connect with Ecwid" not in page.get_data(as_text=True)
    assert "form-action 'self';" in page.headers["Content-Security-Policy"]
    response = client.post(f"/stores/{owner.public_key}/catalog/source/ecwid/connect",
                           data={"csrf_token": csrf_token(client, f"/stores/{owner.public_key}/catalog")})
    assert "needs TTC_ECWID_CLIENT_ID" in client.get(response.location).get_data(as_text=True)


def test_the_code_never_reaches_a_log_line():
    line = redact('127.0.0.1 - - "GET /connect/ecwid/callback?store_id=1003&code=Zx81kQ&state=abc HTTP/1.1" 302 -')
    assert "Zx81kQ" not in line and "code=[redacted]&state=abc" in line


def test_an_app_market_install_skips_the_consent_page(client, owner, ecwid_emulator):
    ecwid_emulator.reset(auto_approve=True)
    answer = ecwid_emulator.http.get(start(client, owner), allow_redirects=False, timeout=10)
    assert answer.status_code == 302 and "code=" in answer.headers["Location"]
    _, page = come_back(client, answer.headers["Location"])
    assert "Connected with Ecwid: Loja Emulada" in page


def test_the_emulator_is_as_strict_as_ecwid(client, owner, ecwid_emulator):
    asked = params(start(client, owner))
    for name, wrong in (("client_id", "other-app"), ("redirect_uri", "https://evil.example/cb"),
                        ("response_type", "token"), ("scope", "read_everything")):
        answer = ecwid_emulator.http.get(f"{ecwid_emulator.url}/api/oauth/authorize",
                                         params={**asked, name: wrong}, allow_redirects=False, timeout=10)
        assert answer.status_code == 400, name
