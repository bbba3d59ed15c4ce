"""Campaigns (list, status, budget), the daily report with deterministic metrics, and the
Events API."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

from flask import Blueprint, g

from .envelope import ApiError, ok, paginate, params, require, state
from .routes_account import check_advertiser

bp = Blueprint("tiktok_ads", __name__, url_prefix="/open_api/v1.3")

METRICS = {"spend", "impressions", "clicks", "conversion", "cost_per_conversion", "ctr", "cpc", "cpm",
           "complete_payment_roas", "purchase_roas", "total_complete_payment_rate", "complete_payment"}
SHA256 = re.compile(r"^[0-9a-f]{64}$")
EVENT_SOURCES = {"web", "app", "offline", "crm"}
# Personal user keys that must arrive SHA-256-hashed (Events API 2.0 reference, TIKTOK_API.md 2.1;
# name and address keys as TikTok's WooCommerce plugin sends them hashed, Tt4b_Pixel_Class::get_user).
HASHED_USER_KEYS = ("email", "phone", "external_id", "first_name", "last_name", "zip_code", "city", "state",
                    "country")
CONTENT_TYPES = {"product", "product_group"}  # SDK PixelProperties.md / TIKTOK_API.md 1.4
# SDK python_sdk/docs/PixelProperties.md, "List of currencies currently supported".
CURRENCIES = frozenset(
    "AED ARS AUD BDT BHD BIF BOB BRL CAD CHF CLP CNY COP CRC CZK DKK DZD EGP EUR GBP GTQ HKD HNL HUF IDR ILS "
    "INR ISK JPY KES KHR KRW KWD KZT MAD MOP MXN MYR NGN NIO NOK NZD OMR PEN PHP PKR PLN PYG QAR RON RUB SAR "
    "SEK SGD THB TRY TWD UAH USD VES VND ZAR".split())


def _campaigns_of(advertiser_id: str) -> list[dict]:
    st = state()
    return [c for c in st.campaigns.values() if c["advertiser_id"] == advertiser_id
            and c["operation_status"] != "DELETE"]


@bp.get("/campaign/get/")
def campaign_get():
    """The advertiser's campaigns, optionally filtered by campaign_ids (page_size 1-1000)."""
    values = params()
    advertiser_id = check_advertiser(values.get("advertiser_id"))
    wanted = set(map(str, (values.get("filtering") or {}).get("campaign_ids") or []))
    st = state()
    with st.lock:
        items = [dict(c) for c in _campaigns_of(advertiser_id) if not wanted or c["campaign_id"] in wanted]
    chunk, info = paginate(items, values, max_page_size=1000)
    return ok({"list": chunk, "page_info": info})


@bp.post("/campaign/status/update/")
def campaign_status_update():
    """Pause (DISABLE), resume (ENABLE) or delete up to 20 campaigns."""
    values = params()
    advertiser_id = check_advertiser(values.get("advertiser_id"))
    require(values, "campaign_ids", "operation_status")
    ids = [str(c) for c in values["campaign_ids"]]
    status = values["operation_status"]
    if status not in ("ENABLE", "DISABLE", "DELETE"):
        raise ApiError(40002, "operation_status: Invalid enum value.")
    if len(ids) > 20:
        raise ApiError(40002, "campaign_ids: Length must be between 1 and 20.")
    st = state()
    with st.lock:
        mine = {c["campaign_id"]: c for c in _campaigns_of(advertiser_id)}
        missing = [c for c in ids if c not in mine]
        if missing:
            raise ApiError(40002, f"campaign_ids: campaigns {missing} do not exist.")
        for campaign_id in ids:
            mine[campaign_id]["operation_status"] = status
            mine[campaign_id]["secondary_status"] = f"CAMPAIGN_STATUS_{status}"
    return ok({"campaign_ids": ids, "status": status,
               "campaign_list": [{"campaign_id": c, "status": status} for c in ids]})


@bp.post("/campaign/update/")
def campaign_update():
    """Change a campaign's budget (or name)."""
    values = params()
    advertiser_id = check_advertiser(values.get("advertiser_id"))
    require(values, "campaign_id")
    st = state()
    with st.lock:
        campaign = {c["campaign_id"]: c for c in _campaigns_of(advertiser_id)}.get(str(values["campaign_id"]))
        if campaign is None:
            raise ApiError(40002, "campaign_id: campaign does not exist.")
        if "budget" in values:
            try:
                budget = float(values["budget"])
            except (TypeError, ValueError):
                raise ApiError(40002, "budget: Not a valid number.") from None
            if campaign["budget_mode"] == "BUDGET_MODE_INFINITE":
                raise ApiError(40002, "budget: cannot be set when budget_mode is BUDGET_MODE_INFINITE.")
            if budget < float(st.settings["min_campaign_budget"]):
                least = st.settings["min_campaign_budget"]
                raise ApiError(40002, f"budget: The daily budget must be at least {least}.")
            campaign["budget"] = budget
        if values.get("campaign_name"):
            campaign["campaign_name"] = str(values["campaign_name"])[:512]
        return ok({"campaign_id": campaign["campaign_id"], "budget": campaign["budget"],
                   "campaign_name": campaign["campaign_name"]})


def daily_metrics(campaign_id: str, day: dt.date) -> dict:
    """Deterministic figures for one campaign and day, as TikTok's report strings."""
    seed = int(hashlib.sha256(f"{campaign_id}:{day.isoformat()}".encode()).hexdigest()[:12], 16)
    impressions = 1000 + seed % 19000
    clicks = impressions * (5 + (seed >> 8) % 25) // 1000
    conversions = clicks * (1 + (seed >> 16) % 8) // 100
    spend = round(impressions * (4 + (seed >> 24) % 8) / 1000, 2)
    revenue = conversions * (30 + (seed >> 32) % 90)
    roas = round(revenue / spend, 2) if spend else 0.0
    figures = {"spend": f"{spend:.2f}", "impressions": str(impressions), "clicks": str(clicks),
               "conversion": str(conversions),
               "cost_per_conversion": f"{(spend / conversions if conversions else 0):.2f}",
               "ctr": f"{(100 * clicks / impressions):.2f}", "cpc": f"{(spend / clicks if clicks else 0):.2f}",
               "cpm": f"{(1000 * spend / impressions):.2f}", "complete_payment": str(conversions),
               "complete_payment_roas": f"{roas:.2f}", "purchase_roas": f"{roas:.2f}",
               "total_complete_payment_rate": f"{revenue:.2f}"}
    return figures


@bp.get("/report/integrated/get/")
def report():
    """The synchronous BASIC report at campaign level, by campaign_id and stat_time_day."""
    values = params()
    advertiser_id = check_advertiser(values.get("advertiser_id"))
    require(values, "report_type", "data_level", "dimensions", "start_date", "end_date")
    if values["report_type"] != "BASIC" or values["data_level"] != "AUCTION_CAMPAIGN":
        raise ApiError(40002, "Only report_type BASIC at data_level AUCTION_CAMPAIGN is emulated.")
    if set(values["dimensions"]) != {"campaign_id", "stat_time_day"}:
        raise ApiError(40002, "dimensions: only [campaign_id, stat_time_day] is emulated.")
    metrics = values.get("metrics") or ["spend", "impressions"]
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise ApiError(40002, f"metrics: unknown metrics {unknown}.")
    try:
        start, end = dt.date.fromisoformat(values["start_date"]), dt.date.fromisoformat(values["end_date"])
    except ValueError:
        raise ApiError(40002, "start_date/end_date: use YYYY-MM-DD.") from None
    if end < start or (end - start).days + 1 > 30:
        raise ApiError(40002, "The time range must not exceed 30 days when stat_time_day is a dimension.")
    wanted = set()
    for rule in values.get("filtering") or []:
        if rule.get("field_name") == "campaign_ids":
            wanted |= set(map(str, json.loads(rule.get("filter_value") or "[]")))
    st = state()
    with st.lock:
        campaigns = [c["campaign_id"] for c in _campaigns_of(advertiser_id) if not wanted or c["campaign_id"] in wanted]
        today = dt.date.fromtimestamp(st.now())
    rows = []
    day = start
    while day <= min(end, today):
        for campaign_id in campaigns:
            figures = daily_metrics(campaign_id, day)
            rows.append({"dimensions": {"campaign_id": campaign_id, "stat_time_day": f"{day} 00:00:00"},
                         "metrics": {m: figures[m] for m in metrics}})
        day += dt.timedelta(days=1)
    chunk, info = paginate(rows, values, max_page_size=1000)
    return ok({"list": chunk, "page_info": info})


@bp.post("/event/track/")
def event_track():
    """Events API 2.0: all-or-nothing validation of up to 1,000 events.

    Rules and sources (Events API 2.0 reference, doc 1771101303285761, as in TIKTOK_API.md 2.1-2.2):
    event_source web | app | offline | crm; at most 1,000 events (40061); event and integer
    event_time required; page.url required for web; personal user keys SHA-256-hashed (40062);
    a web event_source_id must be a pixel of an advertiser the token acts for (40001);
    properties.content_type product | product_group and properties.currency from TikTok's list
    (SDK PixelProperties.md).
    """
    values = params()
    require(values, "event_source", "event_source_id")
    if values["event_source"] not in EVENT_SOURCES:
        raise ApiError(40002, "event_source: Invalid enum value.")
    events = values.get("data")
    if not isinstance(events, list) or not events:
        raise ApiError(40002, "data: Missing data for required field.")
    if len(events) > 1000:
        raise ApiError(40061, "The number of events in one request exceeds 1000.")
    st = state()
    with st.lock:
        pixel = st.pixels.get(values["event_source_id"])
        if values["event_source"] == "web" and pixel is None:
            raise ApiError(40002, f"event_source_id: pixel {values['event_source_id']} does not exist.")
        if pixel is not None and pixel["advertiser_id"] not in g.token["advertiser_ids"]:
            raise ApiError(40001, f"You don't have permission to operate this pixel:{values['event_source_id']}")
    for index, event in enumerate(events):
        _check_event(index, event, values["event_source"])
    with st.lock:
        for event in events:
            st.events.append({"pixel_code": values["event_source_id"], "event": event["event"],
                              "event_id": event.get("event_id"), "event_time": event["event_time"],
                              "test_event_code": values.get("test_event_code"),
                              "properties": event.get("properties") or {}, "page": event.get("page") or {},
                              "user_keys": sorted((event.get("user") or {}).keys())})
        st.stats["events_received"] += len(events)
    return ok({})


def _check_event(index: int, event, source: str) -> None:
    if not isinstance(event, dict) or not event.get("event"):
        raise ApiError(40002, f"data[{index}].event: Missing data for required field.")
    if not isinstance(event.get("event_time"), int) or isinstance(event.get("event_time"), bool):
        raise ApiError(40002, f"data[{index}].event_time: Must be an integer unix timestamp.")
    if source == "web" and not (event.get("page") or {}).get("url"):
        raise ApiError(40002, f"data[{index}].page.url: Missing data for required field.")
    user = event.get("user") or {}
    for key in HASHED_USER_KEYS:
        values = user.get(key)
        for value in values if isinstance(values, list) else [values]:
            if value not in (None, "") and not (isinstance(value, str) and SHA256.match(value)):
                raise ApiError(40062, f"data[{index}].user.{key}: personal data must be SHA-256 hashed.")
    properties = event.get("properties") or {}
    if "content_type" in properties and properties["content_type"] not in CONTENT_TYPES:
        raise ApiError(40002, f"data[{index}].properties.content_type: Invalid enum value.")
    if "currency" in properties and properties["currency"] not in CURRENCIES:
        raise ApiError(40002, f"data[{index}].properties.currency: {properties['currency']} is not supported.")
