"""Connecting in a real browser: sign in, Connect, TikTok's consent page (the emulator), choose the
account, connected; then disconnect with the confirmation. Screenshots in build/test-artifacts/.

Runs on SQLite only: the database layer is covered twice elsewhere; here the pages are under test.
"""
import json
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.accounts import PASSWORD, add_to_store, make_user
from tests.browser import artifacts_dir
from tests.factories import make_store

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


def _shot(page, name):
    page.screenshot(path=str(artifacts_dir() / f"connect-{name}.png"), full_page=True)


def _pixel_config(live_server, key):
    with urllib.request.urlopen(live_server(f"/pixel/{key}/config.json"), timeout=10) as response:
        return json.load(response)


def test_connect_through_the_consent_page_then_disconnect(live_server, page, tiktok_emulator):
    with live_server.app.app_context():
        store = make_store(pixel_code="")
        add_to_store(store, make_user(), "owner")
        key = store.public_key
    page.goto(live_server("/signin"))
    page.get_by_label("Email").fill("ana@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/stores")

    page.goto(live_server(f"/stores/{key}/tiktok"))
    _shot(page, "not-connected")
    page.get_by_role("button", name="Connect TikTok").click()

    # TikTok's consent page (the emulator, another origin, whose own console is not ours to judge).
    page.wait_for_url(tiktok_emulator.auth_url + "?**")
    assert page.console_errors == []
    expect(page.get_by_role("heading", name=f"Authorize app {tiktok_emulator.app_id}")).to_be_visible()
    _shot(page, "consent")
    page.get_by_role("button", name="Confirm").click()

    # Back here: two advertiser accounts were granted, so the merchant picks one.
    page.wait_for_url(f"**/stores/{key}/tiktok/setup")
    page.console_errors.clear()
    page.get_by_role("button", name="Finish setup").click()  # nothing chosen yet: say so, not reload silently
    expect(page.get_by_text("Choose an advertiser account")).to_be_visible()
    _shot(page, "choose-missing")
    page.get_by_label("Emulator Store Ads").check()
    _shot(page, "choose")
    page.get_by_role("button", name="Finish setup").click()

    page.wait_for_url(f"**/stores/{key}/tiktok")
    expect(page.get_by_role("heading", name="TikTok status: connected")).to_be_visible()
    expect(page.get_by_text("TikTok is connected: the pixel is live")).to_be_visible()
    accounts = page.locator("#connected-accounts")
    expect(accounts).to_contain_text("Emulator Store Ads")
    expect(accounts).to_contain_text("Emulator Business Center")
    _shot(page, "connected")
    config = _pixel_config(live_server, key)
    assert config["enabled"] is True and config["pixel_code"]

    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Disconnect TikTok").click()
    expect(page.get_by_role("heading", name="TikTok is disconnected")).to_be_visible()
    assert dialogs == []  # the ticked box is the one confirmation; no browser dialog on top of it
    expect(page.get_by_text("Catalog Manager").first).to_be_visible()
    _shot(page, "disconnected")
    assert _pixel_config(live_server, key)["enabled"] is False
    assert page.console_errors == []


def test_an_automatic_disconnect_shows_why_and_offers_to_reconnect(live_server, page, tiktok_emulator):
    from server.connect.state import mark_disconnected

    with live_server.app.app_context():
        from server.extensions import db

        store = make_store()
        add_to_store(store, make_user(), "owner")
        store.tiktok_state = "connected"
        db.session.commit()
        mark_disconnected(db.session, store, "TikTok refused the access token during the catalog sync: "
                                             "Access token is incorrect or has been revoked. (code 40105)")
        key = store.public_key
    page.goto(live_server("/signin"))
    page.get_by_label("Email").fill("ana@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/stores")
    page.goto(live_server(f"/stores/{key}"))
    expect(page.get_by_text("disconnected automatically")).to_be_visible()
    page.get_by_role("link", name="Open the TikTok page").click()
    banner = page.locator("#disconnected-banner")
    expect(banner.get_by_role("heading", name="TikTok was disconnected automatically")).to_be_visible()
    expect(banner).to_contain_text("code 40105")
    _shot(page, "auto-disconnected")
    page.get_by_role("button", name="Reconnect TikTok").click()
    page.wait_for_url(tiktok_emulator.auth_url + "?**")
    assert page.console_errors == []
