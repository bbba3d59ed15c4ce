"""Launching a catalog campaign against the emulator: exactly one campaign, ad group and ad with the
documented fields, paused until launched; a failure half-way leaves nothing enabled and says where;
the minimum budget per currency is checked before anything is created."""
import json
from decimal import Decimal

import pytest

from server.ads.errors import InvalidChange
from server.ads.launch import check_launch_budget
from server.extensions import db
from server.models.ads import AdLaunch
from server.models.audit import AuditEntry
from tests.ads.launch_helpers import ads_world

CREATES = ("campaign/create/", "adgroup/create/", "ad/create/", "identity/create/", "smart_plus/campaign/create/")
US, GB = "6252001", "2635167"


def _run(runner, *args):
    result = runner.invoke(args=list(args))
    return result.exit_code, result.output


def _new(world, kind, seeded=()):
    return {k: v for k, v in world[kind].items() if k not in seeded}


def _creates(emulator):
    return [r for r in emulator.requests() if r["path"] in CREATES]


@pytest.fixture
def seeded(tiktok_emulator):
    return set(ads_world(tiktok_emulator)["campaigns"])


def test_a_launch_creates_one_campaign_ad_group_and_ad_paused(runner, shop, tiktok_emulator, seeded):
    code, output = _run(runner, "ads", "launch", "--store", shop.public_key, "--all", "--countries", "us,GB",
                        "--daily-budget", "50")

    assert code == 0, output
    campaign_id = output.strip().splitlines()[-1]
    world = ads_world(tiktok_emulator)
    campaigns, adgroups, ads = _new(world, "campaigns", seeded), world["adgroups"], world["ads"]
    assert list(campaigns) == [campaign_id] and len(adgroups) == 1 and len(ads) == 1
    campaign = campaigns[campaign_id]
    assert {k: campaign[k] for k in ("objective_type", "campaign_product_source", "virtual_objective_type",
                                     "sales_destination", "budget_mode", "budget", "budget_optimize_on",
                                     "operation_status")} == {
        "objective_type": "PRODUCT_SALES", "campaign_product_source": "CATALOG", "virtual_objective_type": "SALES",
        "sales_destination": "WEBSITE", "budget_mode": "BUDGET_MODE_DAY", "budget": 50.0,
        "budget_optimize_on": False, "operation_status": "DISABLE"}
    adgroup = next(iter(adgroups.values()))
    pixel = tiktok_emulator.world()["pixels"][0]
    assert {k: adgroup[k] for k in ("campaign_id", "shopping_ads_type", "product_source", "catalog_id",
                                    "catalog_authorized_bc_id", "promotion_type", "pixel_id", "optimization_goal",
                                    "optimization_event", "billing_event", "bid_type", "pacing", "placement_type",
                                    "location_ids", "shopping_ads_retargeting_type", "budget_mode", "budget",
                                    "schedule_type")} == {
        "campaign_id": campaign_id, "shopping_ads_type": "VIDEO", "product_source": "CATALOG",
        "catalog_id": shop.catalog_id, "catalog_authorized_bc_id": tiktok_emulator.bc_id, "promotion_type": "WEBSITE",
        "pixel_id": pixel["pixel_id"], "optimization_goal": "CONVERT", "optimization_event": "SHOPPING",
        "billing_event": "OCPM", "bid_type": "BID_TYPE_NO_BID", "pacing": "PACING_MODE_SMOOTH",
        "placement_type": "PLACEMENT_TYPE_AUTOMATIC", "location_ids": [US, GB], "shopping_ads_retargeting_type": "OFF",
        "budget_mode": "BUDGET_MODE_DAY", "budget": 50.0, "schedule_type": "SCHEDULE_FROM_NOW"}
    assert "identity_id" not in adgroup
    ad = next(iter(ads.values()))
    identity = next(iter(world["identities"].values()))
    assert identity["display_name"] == "Acme Outfitters" and identity["identity_type"] == "CUSTOMIZED_USER"
    assert {k: ad[k] for k in ("adgroup_id", "identity_type", "identity_id", "catalog_id", "product_specific_type",
                               "ad_format", "vertical_video_strategy", "dynamic_format", "call_to_action",
                               "landing_page_url", "ad_text")} == {
        "adgroup_id": adgroup["adgroup_id"], "identity_type": "CUSTOMIZED_USER", "identity_id": identity["identity_id"],
        "catalog_id": shop.catalog_id, "product_specific_type": "ALL", "ad_format": "SINGLE_VIDEO",
        "vertical_video_strategy": "CATALOG_VIDEOS", "dynamic_format": "UNSET", "call_to_action": "SHOP_NOW",
        "landing_page_url": "https://shop.example.com/", "ad_text": "Shop Acme Outfitters"}
    row = db.session.query(AdLaunch).one()
    assert (row.state, row.campaign_id, row.adgroup_id, row.ad_id) == (
        "paused", campaign_id, adgroup["adgroup_id"], ad["ad_id"])
    assert db.session.query(AuditEntry).filter_by(action="ads.campaign_created").one().details["campaign_id"] == \
        campaign_id


def test_launch_with_a_set_and_at_once(runner, shop, tiktok_emulator, seeded):
    set_id = _run(runner, "ads", "sets", "create", "Acme", "--where", "brand", "I_CONTAIN", "Acme",
                  "--store", shop.public_key)[1].strip().splitlines()[-1]

    code, output = _run(runner, "ads", "launch", "--store", shop.public_key, "--set", set_id, "--countries", "US",
                        "--daily-budget", "75.50", "--launch", "--json")

    assert code == 0, output
    answer = json.loads(output)
    assert list(answer)[-1] == "campaign_id" and answer["state"] == "launched"
    world = ads_world(tiktok_emulator)
    assert world["campaigns"][answer["campaign_id"]]["operation_status"] == "ENABLE"
    assert world["campaigns"][answer["campaign_id"]]["budget"] == 75.5
    ad = next(iter(world["ads"].values()))
    assert (ad["product_specific_type"], ad["product_set_id"]) == ("PRODUCT_SET", set_id)
    assert db.session.query(AuditEntry).filter_by(action="ads.campaign_launched").count() == 1


def test_a_failure_at_the_ad_step_leaves_no_enabled_campaign(runner, shop, tiktok_emulator, seeded):
    tiktok_emulator.add_fault("code", path="ad/create/", code=40002, message="creatives[0].ad_text: Invalid.")

    code, output = _run(runner, "ads", "launch", "--store", shop.public_key, "--all", "--countries", "US",
                        "--daily-budget", "60", "--launch")

    assert code != 0
    assert "Creating the ad failed: TikTok said “creatives[0].ad_text: Invalid.”" in output
    assert "was deleted at TikTok" in output
    made = _new(ads_world(tiktok_emulator), "campaigns", seeded)
    assert len(made) == 1 and all(c["operation_status"] == "DELETE" for c in made.values())
    row = db.session.query(AdLaunch).one()
    assert (row.state, row.failed_step, row.error) == ("failed", "ad", "creatives[0].ad_text: Invalid.")
    failed = db.session.query(AuditEntry).filter_by(action="ads.launch_failed").one()
    assert failed.details["failed_step"] == "ad"


def test_when_tiktok_will_not_delete_the_half_made_campaign_it_is_left_paused(runner, shop, tiktok_emulator, seeded):
    tiktok_emulator.add_fault("code", path="adgroup/create/", code=40002, message="location_ids: invalid.")
    tiktok_emulator.add_fault("code", path="campaign/status/update/", code=40002, count=1,
                              message="The campaign cannot be deleted now.")

    code, output = _run(runner, "ads", "launch", "--store", shop.public_key, "--all", "--countries", "US",
                        "--daily-budget", "60")

    assert code != 0 and "Creating the ad group failed" in output and "it is left paused" in output
    made = _new(ads_world(tiktok_emulator), "campaigns", seeded)
    assert [c["operation_status"] for c in made.values()] == ["DISABLE"]


def test_an_allowlisted_account_keeps_new_campaigns_paused_without_another_call(runner, shop, tiktok_emulator,
                                                                                  seeded):
    tiktok_emulator.configure(create_disabled_honoured=True)
    code, output = _run(runner, "ads", "launch", "--store", shop.public_key, "--all", "--countries", "US",
                        "--daily-budget", "50")
    assert code == 0, output
    assert ads_world(tiktok_emulator)["campaigns"][output.strip().splitlines()[-1]]["operation_status"] == "DISABLE"
    assert tiktok_emulator.requests("campaign/status/update/") == []


def test_an_account_that_enables_new_campaigns_anyway_gets_them_paused(runner, shop, tiktok_emulator, seeded):
    code, output = _run(runner, "ads", "launch", "--store", shop.public_key, "--all", "--countries", "US",
                        "--daily-budget", "50")
    assert code == 0, output
    campaign_id = output.strip().splitlines()[-1]
    assert ads_world(tiktok_emulator)["campaigns"][campaign_id]["operation_status"] == "DISABLE"
    assert [r["params"].get("operation_status") for r in tiktok_emulator.requests("campaign/status/update/")] == \
        ["DISABLE"]


def test_a_budget_below_the_minimum_is_refused_before_anything_is_created(runner, shop, tiktok_emulator):
    code, output = _run(runner, "ads", "launch", "--store", shop.public_key, "--all", "--countries", "US",
                        "--daily-budget", "49.99")
    assert code != 0 and "TikTok's minimum daily budget for a campaign is $50.00" in output
    assert _creates(tiktok_emulator) == [] and db.session.query(AdLaunch).count() == 0


@pytest.mark.parametrize("currency, amount, problem", [
    ("JPY", "4999", "minimum daily budget for a campaign is"), ("JPY", "5000.5", "at most 0 decimals"),
    ("PLN", "199", "minimum"), ("IDR", "499999", "minimum"), ("USD", "10000000", "larger than TikTok accepts"),
])
def test_the_minimum_and_maximum_follow_tiktoks_currency_ratios(app, currency, amount, problem):
    with app.app_context():
        with pytest.raises(InvalidChange) as caught:
            check_launch_budget(amount, currency)
        assert problem in caught.value.message
        assert check_launch_budget({"JPY": "5000", "PLN": "200", "IDR": "500000", "USD": "9999999"}[currency],
                                   currency) > 0
        assert check_launch_budget("50", "BRL") == Decimal("50")


def test_unknown_countries_and_a_missing_choice_are_refused(runner, shop, tiktok_emulator):
    code, output = _run(runner, "ads", "launch", "--store", shop.public_key, "--all", "--countries", "US,XX",
                        "--daily-budget", "50")
    assert code != 0 and "TikTok cannot show catalog ads in XX" in output
    code, output = _run(runner, "ads", "launch", "--store", shop.public_key,
                        "--countries", "US", "--daily-budget", "50")
    assert code != 0 and "--set SET_ID or --all" in output
    assert _creates(tiktok_emulator) == []


def test_smart_plus_creates_an_upgraded_smart_plus_campaign(runner, shop, tiktok_emulator, seeded):
    code, output = _run(runner, "ads", "launch", "--store", shop.public_key, "--all", "--countries", "US",
                        "--daily-budget", "100", "--smart-plus")
    assert code == 0, output
    world = ads_world(tiktok_emulator)
    campaign = world["campaigns"][output.strip().splitlines()[-1]]
    assert (campaign["objective_type"], campaign["campaign_automation_type"], campaign["catalog_enabled"],
            campaign["budget_mode"], campaign["operation_status"]) == (
        "WEB_CONVERSIONS", "UPGRADED_SMART_PLUS", True, "BUDGET_MODE_DYNAMIC_DAILY_BUDGET", "DISABLE")
    adgroup = next(iter(world["adgroups"].values()))
    assert adgroup["targeting_spec"] == {"location_ids": [US]} and "budget" not in adgroup
    ad = next(iter(world["ads"].values()))
    assert ad["ad_configuration"]["identity_type"] == "CUSTOMIZED_USER"
    assert ad["landing_page_url_list"] == [{"landing_page_url": "https://shop.example.com/"}]


def test_an_account_without_smart_plus_is_told_and_nothing_is_made(runner, shop, tiktok_emulator, seeded):
    tiktok_emulator.configure(smart_plus_allowed=False)
    code, output = _run(runner, "ads", "launch", "--store", shop.public_key, "--all", "--countries", "US",
                        "--daily-budget", "100", "--smart-plus")
    assert code != 0 and "Creating the campaign failed" in output and "allowlist" in output
    assert "Nothing was created at TikTok" in output
    assert _new(ads_world(tiktok_emulator), "campaigns", seeded) == {}
