"""``flask ads ...``: the same figures and changes as the page, as the operator."""
import datetime as dt
import json
from decimal import Decimal

from server.extensions import db
from server.models.audit import AuditEntry
from tests.ads.helpers import campaigns_of, changes_received, expected_figures, utc_today


def _run(runner, *args):
    result = runner.invoke(args=list(args))
    return result.exit_code, result.output


def test_campaigns_json_has_the_periods_figures(runner, store, tiktok_emulator):
    campaigns = campaigns_of(tiktok_emulator)
    today = utc_today()
    per_campaign, total = expected_figures(campaigns, today - dt.timedelta(days=29), today)

    code, output = _run(runner, "ads", "campaigns", "--store", store.public_key, "--days", "30", "--json")

    assert code == 0, output
    report = json.loads(output)
    assert report["currency"] == "USD" and report["period"]["days"] == 30
    assert {c["campaign_id"]: Decimal(str(c["spend"])) for c in report["campaigns"]} == \
        {cid: f["spend"] for cid, f in per_campaign.items()}
    assert {c["campaign_id"]: c["conversions"] for c in report["campaigns"]} == \
        {cid: f["conversions"] for cid, f in per_campaign.items()}
    totals = report["totals"]
    assert (Decimal(str(totals["spend"])), totals["impressions"], totals["clicks"], totals["conversions"]) == \
        (total["spend"], total["impressions"], total["clicks"], total["conversions"])
    assert len(report["daily"]) == 30
    manager = "https://ads.tiktok.com/i18n/perf/campaign?aadvid=" + tiktok_emulator.advertiser_ids[0]
    assert report["ads_manager_url"] == manager


def test_campaigns_as_a_table(runner, store, tiktok_emulator):
    code, output = _run(runner, "ads", "campaigns", "--store", store.public_key)
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].startswith(f"Advertiser {tiktok_emulator.advertiser_ids[0]}, Last 7 days")
    for campaign in campaigns_of(tiktok_emulator).values():
        assert any(campaign["campaign_name"] in line and "Active" in line for line in lines)
    assert any(line.startswith("Total") for line in lines)


def test_pause_resume_and_budget_from_the_command_line(runner, store, tiktok_emulator):
    campaign_id = sorted(campaigns_of(tiktok_emulator))[1]

    assert _run(runner, "ads", "pause", campaign_id, "--store", store.public_key)[0] == 0
    assert campaigns_of(tiktok_emulator)[campaign_id]["operation_status"] == "DISABLE"
    code, output = _run(runner, "ads", "resume", campaign_id, "--store", store.public_key)
    assert code == 0 and "running again" in output
    assert campaigns_of(tiktok_emulator)[campaign_id]["operation_status"] == "ENABLE"
    code, output = _run(runner, "ads", "budget", campaign_id, "120", "--store", store.public_key)
    assert code == 0 and "$120.00" in output
    assert campaigns_of(tiktok_emulator)[campaign_id]["budget"] == 120.0

    actors = db.session.execute(db.select(AuditEntry.actor, AuditEntry.action).where(
        AuditEntry.action.like("ads.%")).order_by(AuditEntry.id)).all()
    assert [tuple(a) for a in actors] == [("operator (CLI)", "ads.campaign_paused"),
                                          ("operator (CLI)", "ads.campaign_resumed"),
                                          ("operator (CLI)", "ads.budget_changed")]


def test_refusals_exit_non_zero_and_change_nothing(runner, store, tiktok_emulator):
    campaign_id = sorted(campaigns_of(tiktok_emulator))[0]
    code, output = _run(runner, "ads", "budget", campaign_id, "10", "--store", store.public_key)
    assert code != 0 and "minimum daily budget" in output
    code, output = _run(runner, "ads", "resume", campaign_id, "--store", store.public_key)
    assert code != 0 and "nothing to resume" in output
    code, output = _run(runner, "ads", "pause", campaign_id, "--store", "nosuchstore0000")
    assert code != 0 and "no store" in output.lower()
    assert changes_received(tiktok_emulator) == []


def test_hints_and_shopping_from_the_command_line(runner, store):
    code, output = _run(runner, "ads", "hints", "--store", store.public_key, "--json")
    assert code == 0
    assert json.loads(output)["products"]["eligible"] == 0
    code, output = _run(runner, "ads", "shopping", "--store", store.public_key)
    assert code == 0 and "not available for this store" in output
    code, output = _run(runner, "ads", "shopping", "--store", store.public_key, "--state", "applied",
                        "--applied-on", "2026-01-01")
    assert code != 0 and "offered only to stores in" in output
