"""Connecting an advertiser: the consent page, the auth-code exchange, listing and revoking."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from server.tiktok import TikTokAppAuthError, TikTokAuthError
from server.tiktok.oauth import authorization_url, authorized_advertisers, exchange_auth_code, revoke_token

from .conftest import make_client

INPUT = re.compile(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*>')


def consent(emulator, http, state: str) -> dict:
    """What a merchant's browser does: open the URL, submit the form, follow the redirect."""
    callback = emulator.url + "/_emulator/echo?store=42"
    url = authorization_url(emulator.auth_url, app_id=emulator.app_id, state=state, redirect_uri=callback)
    page = http.get(url, timeout=5)
    assert page.status_code == 200 and "Confirm" in page.text
    landed = http.post(emulator.auth_url, data=INPUT.findall(page.text), timeout=5)
    assert landed.history and landed.history[0].status_code == 302
    assert landed.url.startswith(callback.split("?")[0])
    return landed.json()


def test_authorization_url_carries_app_state_and_redirect():
    url = authorization_url("https://business-api.tiktok.com/portal/auth", app_id="123", state="s t",
                            redirect_uri="https://shop.example/cb?x=1")
    query = parse_qs(urlsplit(url).query)
    assert url.startswith("https://business-api.tiktok.com/portal/auth?")
    assert query == {"app_id": ["123"], "state": ["s t"], "redirect_uri": ["https://shop.example/cb?x=1"]}


def test_round_trip_gives_a_working_token(tiktok_emulator, http):
    callback = consent(tiktok_emulator, http, state="csrf-123")
    assert callback["state"] == "csrf-123" and callback["store"] == "42"
    app = make_client(tiktok_emulator, http)
    grant = exchange_auth_code(app, callback["auth_code"])
    assert grant.advertiser_ids == tiktok_emulator.advertiser_ids
    assert grant.access_token not in repr(grant)
    advertisers = authorized_advertisers(app.with_token(grant.access_token))
    assert [a["advertiser_id"] for a in advertisers] == tiktok_emulator.advertiser_ids
    assert advertisers[0]["advertiser_name"] == "Emulator Store Ads"


def test_an_auth_code_works_once(tiktok_emulator, http):
    code = consent(tiktok_emulator, http, state="s")["auth_code"]
    app = make_client(tiktok_emulator, http)
    exchange_auth_code(app, code)
    with pytest.raises(TikTokAuthError) as caught:
        exchange_auth_code(app, code)
    assert caught.value.code == 40110


def test_an_auth_code_expires_after_an_hour(tiktok_emulator, http):
    code = consent(tiktok_emulator, http, state="s")["auth_code"]
    tiktok_emulator.advance_clock(3601)
    with pytest.raises(TikTokAuthError) as caught:
        exchange_auth_code(make_client(tiktok_emulator, http), code)
    assert caught.value.code == 40110


def test_an_auth_code_still_works_just_before_the_hour(tiktok_emulator, http):
    code = tiktok_emulator.issue_auth_code()
    tiktok_emulator.advance_clock(3500)
    assert exchange_auth_code(make_client(tiktok_emulator, http), code).access_token


def test_a_wrong_app_secret_is_an_app_error(tiktok_emulator, http):
    code = tiktok_emulator.issue_auth_code()
    app = make_client(tiktok_emulator, http)
    app.app_secret = "not-the-secret"
    with pytest.raises(TikTokAppAuthError) as caught:
        exchange_auth_code(app, code)
    assert caught.value.code == 40101


def test_missing_app_settings_fail_before_any_call(tiktok_emulator, http):
    app = make_client(tiktok_emulator, http)
    app.app_id = None
    with pytest.raises(TikTokAppAuthError):
        exchange_auth_code(app, "whatever")
    assert tiktok_emulator.requests() == []


def test_revoke_then_every_call_is_an_auth_error(tiktok_emulator, http):
    app = make_client(tiktok_emulator, http)
    grant = exchange_auth_code(app, tiktok_emulator.issue_auth_code())
    store = app.with_token(grant.access_token)
    assert revoke_token(store) == tiktok_emulator.advertiser_ids
    with pytest.raises(TikTokAuthError):
        authorized_advertisers(store)
    with pytest.raises(TikTokAuthError):
        store.get("bc/get/")


def test_unknown_app_gets_no_consent_page(tiktok_emulator, http):
    url = authorization_url(tiktok_emulator.auth_url, app_id="999", state="s", redirect_uri="https://x.example/cb")
    assert http.get(url, timeout=5).status_code == 400
