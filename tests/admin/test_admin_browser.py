"""The admin in a real browser: the main flow by mouse and by keyboard alone, with screenshots.

Runs on SQLite only: the database layer is covered twice elsewhere; here the page is under test.
"""
import json
import urllib.request

import pytest
from playwright.sync_api import expect

import snippets
from tests.accounts import PASSWORD, cheap_hashing, make_user  # noqa: F401
from tests.browser import artifacts_dir

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


def _shot(page, name):
    page.screenshot(path=str(artifacts_dir() / f"admin-{name}.png"), full_page=True)


def _pixel_config(live_server, key):
    with urllib.request.urlopen(live_server(f"/pixel/{key}/config.json"), timeout=10) as response:
        return json.load(response)


def _store_key(page):
    return page.url.split("/stores/")[1].split("/")[0]


def _focused(page):
    return page.evaluate("""() => {
        const e = document.activeElement;
        return {tag: e.tagName, text: (e.innerText || e.value || '').trim(), name: e.name || '', id: e.id || '',
                outline: getComputedStyle(e).outlineStyle};
    }""")


def _tab_to(page, matches, limit=60):
    """Press Tab until the focused element satisfies ``matches`` (keyboard only; reading is not acting)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if matches(focused):
            return focused
    raise AssertionError("never reached the element by Tab")


def test_sign_up_create_a_store_copy_the_snippet_change_settings_sign_out(live_server, page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server("/signup"))
    page.get_by_label("Email").fill("ana@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    page.get_by_label("Store name").fill("Loja Exemplo")
    page.get_by_label("Shop domains").fill("loja.example.com")
    page.get_by_label("vtex-legacy").check()
    page.get_by_label("Country").select_option("BR")
    # Only the currencies TikTok accepts for Brazil remain to choose from.
    assert page.locator("#f-currency option").all_inner_texts() == ["BRL"]
    assert page.locator("#currency-allowed").inner_text() == "TikTok accepts BRL for stores in Brazil."
    page.get_by_label("TikTok pixel code").fill("C9Q2MJ3C77U4P674RPG0")
    _shot(page, "new-store")
    page.get_by_role("button", name="Create store").click()

    expect(page.get_by_role("heading", name="Pixel status: live")).to_be_visible()
    key = _store_key(page)
    copy = page.locator('button[data-copy="snippet-head"]')
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == snippets.render_head(key, live_server.url)
    _shot(page, "pixel")

    expect(page.locator("#c-order_event-Purchase")).to_be_checked()  # the default for a new store
    page.locator("#c-order_event-PlaceAnOrder").check()
    page.get_by_label("Hold until granted").check()
    page.get_by_role("button", name="Save pixel settings").click()
    expect(page.get_by_text("Pixel settings saved.")).to_be_visible()
    config = _pixel_config(live_server, key)
    assert (config["order_event"], config["consent_mode"]) == ("PlaceAnOrder", "hold")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto(live_server(f"/stores/{key}/pixel"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.console_errors == []


def test_the_main_flow_works_with_the_keyboard_alone(live_server, page):
    with live_server.app.app_context():
        make_user()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server("/signin"))
    assert _focused(page)["name"] == "email"  # the form is ready to type in
    page.keyboard.type("ana@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/stores")

    skip = _tab_to(page, lambda f: True)
    assert skip["text"] == "Skip to main content" and skip["outline"] != "none"
    page.keyboard.press("Enter")
    _tab_to(page, lambda f: f["text"] == "Add your first store")
    page.keyboard.press("Enter")
    page.wait_for_url("**/stores/new")

    _tab_to(page, lambda f: f["name"] == "name")
    page.keyboard.type("Loja do Teclado")
    page.keyboard.press("Tab")
    page.keyboard.type("teclado.example.com")
    _tab_to(page, lambda f: f["name"] == "country")
    page.keyboard.type("Brazil")
    _tab_to(page, lambda f: f["text"] == "Create store")
    _shot(page, "keyboard-new-store")
    page.keyboard.press("Enter")
    page.wait_for_url("**/pixel")
    key = _store_key(page)

    copy = _tab_to(page, lambda f: f["text"] == "Copy")
    assert copy["outline"] != "none"
    page.keyboard.press("Enter")
    expect(page.locator('button[data-copy="snippet-head"]')).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == snippets.render_head(key, live_server.url)

    _tab_to(page, lambda f: f["name"] == "order_event")
    page.keyboard.press("ArrowDown")  # from Purchase (the default) to PlaceAnOrder, the one below
    _tab_to(page, lambda f: f["text"] == "Save pixel settings")
    _shot(page, "keyboard-pixel-settings")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Pixel settings saved.")).to_be_visible()
    assert _pixel_config(live_server, key)["order_event"] == "PlaceAnOrder"

    _tab_to(page, lambda f: f["text"] == "Sign out")
    page.keyboard.press("Enter")
    page.wait_for_url("**/signin")
    assert page.console_errors == []
