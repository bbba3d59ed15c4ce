"""The Ads page in a real browser: figures, the chart, pausing a campaign through the confirmation.
Screenshots in build/test-artifacts/. Runs on SQLite only: here the page is under test."""
import pytest
from playwright.sync_api import expect

from tests.accounts import PASSWORD, add_to_store, make_user
from tests.ads.helpers import campaigns_of, connect_store
from tests.browser import artifacts_dir
from tests.factories import make_store

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


def _shot(page, name):
    page.screenshot(path=str(artifacts_dir() / f"ads-{name}.png"), full_page=True)


def _sign_in(page, live_server, email="ana@example.com"):
    page.goto(live_server("/signin"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/stores")


def test_view_the_ads_page_and_pause_a_campaign(live_server, page, tiktok_emulator):
    with live_server.app.app_context():
        store = connect_store(make_store(country="US", currency="USD", phone="+1 415 555 0100"), tiktok_emulator)
        add_to_store(store, make_user(), "owner")
        key = store.public_key
    campaign_id, campaign = sorted(campaigns_of(tiktok_emulator).items())[0]
    _sign_in(page, live_server)

    page.goto(live_server(f"/stores/{key}"))
    page.get_by_role("link", name="Ads").click()
    page.wait_for_url(f"**/stores/{key}/ads")
    expect(page.get_by_role("heading", name="TikTok ads")).to_be_visible()
    expect(page.get_by_role("img", name="Daily spend and conversions")).to_be_visible()
    expect(page.locator("#campaigns-total")).to_contain_text("Total (3 campaigns)")
    # The dates only show for a custom period.
    expect(page.get_by_label("From")).to_be_hidden()
    page.get_by_label("Period").select_option("custom")
    expect(page.get_by_label("From")).to_be_visible()
    page.get_by_label("Period").select_option("30")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/ads?period=30")
    expect(page.locator("#ads-account")).to_contain_text("Last 30 days (")
    _shot(page, "page")

    page.get_by_role("button", name=f"Pause {campaign['campaign_name']}").click()
    expect(page.get_by_role("heading", name="Pause this campaign?")).to_be_visible()
    expect(page.locator("#change-sentence")).to_contain_text(campaign["campaign_name"])
    _shot(page, "confirm-pause")
    assert campaigns_of(tiktok_emulator)[campaign_id]["operation_status"] == "ENABLE"
    page.get_by_role("button", name="Pause campaign").click()

    page.wait_for_url("**/ads?period=30")
    expect(page.get_by_text(f"“{campaign['campaign_name']}” is paused at TikTok.")).to_be_visible()
    row = page.locator(f"tr[data-campaign='{campaign_id}']")
    expect(row).to_contain_text("Paused")
    expect(row.get_by_role("button", name=f"Resume {campaign['campaign_name']}")).to_be_visible()
    expect(page.locator("#ads-history")).to_contain_text("paused a TikTok campaign")
    _shot(page, "paused")
    assert campaigns_of(tiktok_emulator)[campaign_id]["operation_status"] == "DISABLE"
    assert page.console_errors == []


def test_change_a_budget_in_the_browser(live_server, page, tiktok_emulator):
    with live_server.app.app_context():
        store = connect_store(make_store(), tiktok_emulator)
        add_to_store(store, make_user(), "owner")
        key = store.public_key
    campaign_id, campaign = sorted(campaigns_of(tiktok_emulator).items())[1]
    _sign_in(page, live_server)
    page.goto(live_server(f"/stores/{key}/ads"))

    page.get_by_role("button", name=f"Change the daily budget of {campaign['campaign_name']}").click()
    page.get_by_label("New daily budget (USD)").fill("20")
    page.get_by_role("button", name="Review the change").click()
    expect(page.get_by_role("alert")).to_contain_text("minimum daily budget")
    page.console_errors.clear()  # Chromium logs the form's 422 answer as a failed load
    _shot(page, "budget-refused")
    page.get_by_label("New daily budget (USD)").fill("150")
    page.get_by_role("button", name="Review the change").click()
    expect(page.locator("#change-sentence")).to_contain_text("from $100.00 to $150.00")
    _shot(page, "confirm-budget")
    page.get_by_role("button", name="Change budget").click()
    page.wait_for_url(f"**/stores/{key}/ads?period=7")
    expect(page.locator(f"tr[data-campaign='{campaign_id}']")).to_contain_text("$150.00")
    assert campaigns_of(tiktok_emulator)[campaign_id]["budget"] == 150.0
    assert page.console_errors == []
