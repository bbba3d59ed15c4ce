"""Pausing, resuming and changing a campaign's daily budget from the Ads page: a confirmation first,
then the change at TikTok, the audit log, fresh figures; members can change nothing."""
import pytest
from bs4 import BeautifulSoup

from server.extensions import db
from server.models.audit import AuditEntry
from tests.accounts import another_app, sign_in
from tests.ads.helpers import campaigns_of, changes_received, post_change


@pytest.fixture
def campaign_id(tiktok_emulator):
    """The id of the advertiser's first seeded campaign (active, 100 a day)."""
    return sorted(campaigns_of(tiktok_emulator))[0]


def _audit(store, action):
    db.session.expire_all()
    return db.session.execute(db.select(AuditEntry).where(AuditEntry.store_id == store.id,
                                                          AuditEntry.action == action)).scalars().all()


def test_pausing_asks_for_confirmation_then_pauses_at_tiktok(client, store, tiktok_emulator, campaign_id):
    sign_in(client, "ana@example.com")
    name = campaigns_of(tiktok_emulator)[campaign_id]["campaign_name"]

    asked = post_change(client, store, "pause", {"campaign_id": campaign_id, "period": "30"})
    assert asked.status_code == 200
    page = BeautifulSoup(asked.get_data(as_text=True), "html.parser")
    assert page.find(id="confirm-title").get_text() == "Pause this campaign?"
    assert name in page.find(id="change-sentence").get_text()
    assert changes_received(tiktok_emulator) == []
    assert campaigns_of(tiktok_emulator)[campaign_id]["operation_status"] == "ENABLE"

    done = post_change(client, store, "pause", {"campaign_id": campaign_id, "period": "30", "confirm": "yes"})
    assert done.status_code == 303
    assert done.location == f"/stores/{store.public_key}/ads?period=30"
    assert campaigns_of(tiktok_emulator)[campaign_id]["operation_status"] == "DISABLE"
    [entry] = _audit(store, "ads.campaign_paused")
    assert entry.actor == "ana@example.com" and entry.details["campaign_id"] == campaign_id
    page = client.get(done.location).get_data(as_text=True)
    assert f"“{name}” is paused at TikTok." in page
    row = BeautifulSoup(page, "html.parser").find("tr", attrs={"data-campaign": campaign_id})
    assert "Paused" in row.get_text() and row.find("button", string="Resume") is not None


def test_resuming_a_paused_campaign(client, store, tiktok_emulator, campaign_id):
    sign_in(client, "ana@example.com")
    post_change(client, store, "pause", {"campaign_id": campaign_id, "confirm": "yes"})
    again = post_change(client, store, "pause", {"campaign_id": campaign_id})
    assert again.status_code == 422 and "nothing to pause" in again.get_data(as_text=True)

    done = post_change(client, store, "resume", {"campaign_id": campaign_id, "confirm": "yes"})
    assert done.status_code == 303
    assert campaigns_of(tiktok_emulator)[campaign_id]["operation_status"] == "ENABLE"
    assert len(_audit(store, "ads.campaign_resumed")) == 1


def test_a_change_shows_fresh_figures_at_once(client, store, tiktok_emulator, campaign_id):
    sign_in(client, "ana@example.com")
    client.get(f"/stores/{store.public_key}/ads")
    client.get(f"/stores/{store.public_key}/ads")
    assert len(tiktok_emulator.requests("campaign/get/")) == 1  # the second load came from the cache
    post_change(client, store, "pause", {"campaign_id": campaign_id, "confirm": "yes"})
    tiktok_emulator.clear_requests()
    client.get(f"/stores/{store.public_key}/ads")
    assert len(tiktok_emulator.requests("campaign/get/")) == 1


def test_a_change_made_from_the_command_line_shows_on_the_page_at_once(app_config, client, store, tiktok_emulator,
                                                                       campaign_id):
    sign_in(client, "ana@example.com")
    client.get(f"/stores/{store.public_key}/ads")  # the figures are cached in this worker now
    # The operator's `flask ads pause`: another application (its own report cache) on the same host.
    with another_app(app_config) as operator, operator.app_context():
        result = operator.test_cli_runner().invoke(args=["ads", "pause", campaign_id, "--store", store.public_key])
        assert result.exit_code == 0, result.output
    tiktok_emulator.clear_requests()

    page = client.get(f"/stores/{store.public_key}/ads").get_data(as_text=True)

    assert len(tiktok_emulator.requests("campaign/get/")) == 1  # asked TikTok again
    row = BeautifulSoup(page, "html.parser").find("tr", attrs={"data-campaign": campaign_id})
    assert "Paused" in row.get_text()


def test_a_new_daily_budget_is_entered_reviewed_then_sent(client, store, tiktok_emulator, campaign_id):
    sign_in(client, "ana@example.com")
    form = post_change(client, store, "budget", {"campaign_id": campaign_id})
    page = BeautifulSoup(form.get_data(as_text=True), "html.parser")
    assert page.find("label", attrs={"for": "f-budget"}).get_text() == "New daily budget (USD)"
    assert "At least $50.00" in page.find(id="f-budget-hint").get_text()

    review = post_change(client, store, "budget", {"campaign_id": campaign_id, "budget": "75.50"})
    sentence = BeautifulSoup(review.get_data(as_text=True), "html.parser").find(id="change-sentence").get_text()
    assert "from $100.00 to $75.50" in sentence
    assert changes_received(tiktok_emulator) == []

    done = post_change(client, store, "budget", {"campaign_id": campaign_id, "budget": "75.50", "confirm": "yes"})
    assert done.status_code == 303
    assert campaigns_of(tiktok_emulator)[campaign_id]["budget"] == 75.5
    [entry] = _audit(store, "ads.budget_changed")
    assert (entry.details["from"], entry.details["to"], entry.details["currency"]) == ("100.00", "75.50", "USD")
    history = client.get(done.location).get_data(as_text=True)
    assert "$100.00 → $75.50" in BeautifulSoup(history, "html.parser").find(id="ads-history").get_text()


@pytest.mark.parametrize("amount, problem", [
    ("0", "more than zero"), ("-5", "more than zero"), ("49.99", "minimum daily budget"), ("abc", "as a number"),
    ("75.555", "at most 2 decimals"), ("100", "already $100.00"), ("1e40", "larger than TikTok accepts"),
])
def test_budgets_tiktok_would_refuse_are_refused_here(client, store, tiktok_emulator, campaign_id, amount, problem):
    sign_in(client, "ana@example.com")
    response = post_change(client, store, "budget", {"campaign_id": campaign_id, "budget": amount, "confirm": "yes"})
    assert response.status_code == 422
    assert problem in response.get_data(as_text=True)
    assert changes_received(tiktok_emulator) == []
    review = post_change(client, store, "budget", {"campaign_id": campaign_id, "budget": amount})
    page = BeautifulSoup(review.get_data(as_text=True), "html.parser")
    assert review.status_code == 422 and page.find(id="f-budget")["aria-invalid"] == "true"


def test_the_minimum_daily_budget_is_a_setting(app, client, store, tiktok_emulator, campaign_id):
    app.config.update(TTC_ADS_MIN_DAILY_BUDGET=80, TTC_ADS_MIN_DAILY_BUDGETS="BRL=250, USD=90")
    sign_in(client, "ana@example.com")
    refused = post_change(client, store, "budget", {"campaign_id": campaign_id, "budget": "85"})
    assert refused.status_code == 422 and "$90.00" in refused.get_data(as_text=True)
    accepted = post_change(client, store, "budget", {"campaign_id": campaign_id, "budget": "95", "confirm": "yes"})
    assert accepted.status_code == 303
    assert campaigns_of(tiktok_emulator)[campaign_id]["budget"] == 95.0


def test_tiktoks_own_refusal_is_shown(client, store, tiktok_emulator, campaign_id):
    tiktok_emulator.configure(min_campaign_budget=500.0)
    sign_in(client, "ana@example.com")
    response = post_change(client, store, "budget", {"campaign_id": campaign_id, "budget": "200", "confirm": "yes"})
    assert response.status_code == 422
    assert "TikTok refused the change" in response.get_data(as_text=True)
    assert len(_audit(store, "ads.budget_changed")) == 0


def test_a_campaign_of_another_account_cannot_be_changed(client, store, tiktok_emulator):
    other = next(iter(campaigns_of(tiktok_emulator, advertiser_index=1)))
    sign_in(client, "ana@example.com")
    response = post_change(client, store, "pause", {"campaign_id": other, "confirm": "yes"})
    assert response.status_code == 404
    assert changes_received(tiktok_emulator) == []
    assert post_change(client, store, "pause", {"campaign_id": "1; DROP"}).status_code == 404


@pytest.mark.parametrize("action, data", [
    ("pause", {"confirm": "yes"}), ("pause", {}), ("resume", {"confirm": "yes"}),
    ("budget", {"budget": "75", "confirm": "yes"}), ("budget", {}),
    ("shopping", {"state": "applied", "applied_on": "2026-01-02"}),
])
def test_a_member_can_change_nothing(client, store, tiktok_emulator, campaign_id, action, data):
    sign_in(client, "bea@example.com")
    response = post_change(client, store, action, {"campaign_id": campaign_id, **data})
    assert response.status_code == 403
    assert tiktok_emulator.requests() == []
    assert campaigns_of(tiktok_emulator)[campaign_id]["operation_status"] == "ENABLE"
    assert db.session.execute(db.select(AuditEntry).where(AuditEntry.action.like("ads.%"))).first() is None
