"""Campaigns: listing, pause/resume, budgets and daily statistics."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from server.tiktok import TikTokRequestError
from server.tiktok.campaigns import iter_campaigns, pause_campaigns, resume_campaigns, update_campaign_budget
from server.tiktok.reports import daily_campaign_stats


@pytest.fixture
def advertiser(tiktok_emulator):
    return tiktok_emulator.advertiser_ids[0]


def statuses(client, advertiser):
    return {c["campaign_name"]: c["operation_status"] for c in iter_campaigns(client, advertiser)}


def test_list_pause_and_resume(client, advertiser):
    campaigns = list(iter_campaigns(client, advertiser))
    assert len(campaigns) == 3 and all(c["operation_status"] == "ENABLE" for c in campaigns)
    spring = next(c["campaign_id"] for c in campaigns if c["campaign_name"] == "Spring Sale")
    assert pause_campaigns(client, advertiser, [spring]) == [spring]
    assert statuses(client, advertiser)["Spring Sale"] == "DISABLE"
    assert statuses(client, advertiser)["Retargeting"] == "ENABLE"
    resume_campaigns(client, advertiser, [spring])
    assert statuses(client, advertiser)["Spring Sale"] == "ENABLE"
    assert [c["campaign_id"] for c in iter_campaigns(client, advertiser, campaign_ids=[spring])] == [spring]


def test_budget_change_and_minimum(client, advertiser):
    campaign = next(iter_campaigns(client, advertiser))
    update_campaign_budget(client, advertiser, campaign["campaign_id"], Decimal("150.50"))
    assert next(iter_campaigns(client, advertiser, campaign_ids=[campaign["campaign_id"]]))["budget"] == 150.5
    with pytest.raises(TikTokRequestError, match="at least"):
        update_campaign_budget(client, advertiser, campaign["campaign_id"], 10)


def test_unknown_campaign_is_a_request_error(client, advertiser):
    with pytest.raises(TikTokRequestError):
        pause_campaigns(client, advertiser, ["1799999999999999999"])


def test_daily_stats_are_complete_and_repeatable(client, advertiser):
    end = dt.date.today() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=44)  # longer than one 30-day request
    stats = daily_campaign_stats(client, advertiser, start, end)
    assert len(stats) == 45 * 3
    assert {s.date for s in stats} == {start + dt.timedelta(days=d) for d in range(45)}
    sample = stats[0]
    assert sample.spend > 0 and sample.impressions > sample.clicks >= sample.conversions
    assert sample.roas is not None
    if sample.conversions:
        assert abs(sample.cost_per_conversion - sample.spend / sample.conversions) < Decimal("0.01")
    assert daily_campaign_stats(client, advertiser, start, end) == stats


def test_daily_stats_for_chosen_campaigns(client, advertiser):
    chosen = next(iter_campaigns(client, advertiser))["campaign_id"]
    day = dt.date.today() - dt.timedelta(days=2)
    stats = daily_campaign_stats(client, advertiser, day, day, campaign_ids=[chosen], roas_metric=None)
    assert [(s.campaign_id, s.date, s.roas) for s in stats] == [(chosen, day, None)]
