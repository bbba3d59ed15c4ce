"""Daily campaign statistics from the synchronous report (``report/integrated/get/``)."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .pagination import iter_pages
from .transport import TikTokClient

# TikTok refuses a daily breakdown over more than 30 days in one request.
MAX_DAYS_PER_REQUEST = 30
BASE_METRICS = ("spend", "impressions", "clicks", "conversion", "cost_per_conversion")
# Web purchase ROAS; the metric's name differs between report versions, so it is a parameter.
DEFAULT_ROAS_METRIC = "complete_payment_roas"


@dataclass(frozen=True)
class DailyStat:
    """One campaign's figures for one day, in the advertiser's currency and time zone."""

    campaign_id: str
    date: dt.date
    spend: Decimal
    impressions: int
    clicks: int
    conversions: int
    cost_per_conversion: Decimal
    roas: Decimal | None


def _decimal(value) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "", "-") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def _int(value) -> int:
    return int(_decimal(value))


def _windows(start: dt.date, end: dt.date):
    while start <= end:
        stop = min(end, start + dt.timedelta(days=MAX_DAYS_PER_REQUEST - 1))
        yield start, stop
        start = stop + dt.timedelta(days=1)


def _stat(row: dict, roas_metric: str | None) -> DailyStat:
    dims, metrics = row.get("dimensions") or {}, row.get("metrics") or {}
    day = str(dims.get("stat_time_day", ""))[:10]
    return DailyStat(
        campaign_id=str(dims.get("campaign_id")), date=dt.date.fromisoformat(day),
        spend=_decimal(metrics.get("spend")), impressions=_int(metrics.get("impressions")),
        clicks=_int(metrics.get("clicks")), conversions=_int(metrics.get("conversion")),
        cost_per_conversion=_decimal(metrics.get("cost_per_conversion")),
        roas=_decimal(metrics.get(roas_metric)) if roas_metric and roas_metric in metrics else None)


def daily_campaign_stats(client: TikTokClient, advertiser_id: str, start: dt.date, end: dt.date, *,
                         campaign_ids: Sequence[str] | None = None,
                         roas_metric: str | None = DEFAULT_ROAS_METRIC,
                         page_size: int = 1000) -> list[DailyStat]:
    """Spend, impressions, clicks, conversions, cost per conversion and ROAS per campaign per day.

    Any date range works: it is split into 30-day requests.
    """
    metrics = list(BASE_METRICS) + ([roas_metric] if roas_metric else [])
    filtering = None
    if campaign_ids:
        filtering = [{"field_name": "campaign_ids", "filter_type": "IN",
                      "filter_value": json.dumps([str(c) for c in campaign_ids])}]
    stats = []
    for first, last in _windows(start, end):
        def fetch(page, size, first=first, last=last):
            data = client.get("report/integrated/get/", {
                "advertiser_id": advertiser_id, "report_type": "BASIC", "data_level": "AUCTION_CAMPAIGN",
                "dimensions": ["campaign_id", "stat_time_day"], "metrics": metrics,
                "start_date": first.isoformat(), "end_date": last.isoformat(), "filtering": filtering,
                "page": page, "page_size": size})
            # Some client libraries read the rows under "report"; accept either.
            if "list" not in data and "report" in data:
                data = dict(data, list=data["report"])
            return data
        stats += [_stat(row, roas_metric) for row in iter_pages(fetch, page_size=min(page_size, 1000))]
    return sorted(stats, key=lambda s: (s.date, s.campaign_id))
