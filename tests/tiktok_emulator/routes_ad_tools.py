"""Identities, country locations, catalog diagnostics (product issues and the pixel-to-catalog match)
and pixel event counts."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint

from . import ad_rules as R
from .envelope import ApiError, int_param, ok, paginate, params, require, state
from .routes_account import check_advertiser
from .routes_catalog import _catalog, audit

bp = Blueprint("tiktok_ad_tools", __name__, url_prefix="/open_api/v1.3")

IDENTITY_TYPES = {"CUSTOMIZED_USER", "AUTH_CODE", "TT_USER", "BC_AUTH_TT"}
LEVEL_RANGES = {"ALL", "TO_COUNTRY", "TO_PROVINCE", "TO_CITY", "TO_DISTRICT"}
EVENT_TYPES = {"VIEW_CONTENT": ("ViewContent",), "ADD_TO_CART": ("AddToCart",),
               "PURCHASE": ("CompletePayment", "Purchase", "PlaceAnOrder")}
TIME_RANGES = {"YESTERDAY": 1, "LAST_7_DAYS": 7, "LAST_30_DAYS": 30}
# (id, title, level, category, test on the uploaded product)
PRODUCT_ISSUES = (
    (4008, "Google product category is empty", "WARNING", "PRODUCT_ATTRIBUTES",
     lambda data, verdict: not data.get("google_product_category")),
    (4007, "Product type is empty", "WARNING", "PRODUCT_ATTRIBUTES",
     lambda data, verdict: not (data.get("product_detail") or {}).get("product_category")),
    (4005, "item_group_id is empty", "WARNING", "PRODUCT_ATTRIBUTES",
     lambda data, verdict: not data.get("item_group_id")),
    (3001, "Product disapproved: prohibited content", "CRITICAL", "PRODUCT_REVIEW",
     lambda data, verdict: verdict["audit_status"] == "rejected"),
)


@bp.get("/identity/get/")
def identity_get():
    """The advertiser's identities (page_size 1-100)."""
    values = params()
    advertiser_id = check_advertiser(values.get("advertiser_id"))
    kind = R.enum(values, "identity_type", IDENTITY_TYPES)
    int_param(values, "page_size", 20, 1, 100)
    st = state()
    with st.lock:
        items = [dict(i) for i in st.identities.values() if i["advertiser_id"] == advertiser_id
                 and (kind is None or i["identity_type"] == kind)]
    chunk, info = paginate([{k: v for k, v in i.items() if k != "advertiser_id"} for i in items], values,
                           max_page_size=100, default_size=20)
    return ok({"identity_list": chunk, "page_info": info})


@bp.post("/identity/create/")
def identity_create():
    """A CUSTOMIZED_USER identity: a display name (1-100 characters) and the default avatar."""
    values = params()
    advertiser_id = check_advertiser(values.get("advertiser_id"))
    require(values, "display_name")
    name = values["display_name"]
    if not isinstance(name, str) or not 1 <= len(name) <= 100:
        raise ApiError(40002, "display_name: Length must be between 1 and 100.")
    st = state()
    with st.lock:
        identity_id = st.new_id("78")
        st.identities[identity_id] = {"identity_id": identity_id, "identity_type": "CUSTOMIZED_USER",
                                      "display_name": name, "advertiser_id": advertiser_id,
                                      "profile_image": "", "identity_authorized_bc_id": ""}
    return ok({"identity_id": identity_id})


@bp.get("/tool/region/")
def tool_region():
    """Locations an objective can target (countries only here)."""
    values = params()
    check_advertiser(values.get("advertiser_id"))
    require(values, "placements", "objective_type")
    if not isinstance(values["placements"], list):
        raise ApiError(40002, "placements: must be a JSON array.")
    R.enum(values, "objective_type", R.OBJECTIVES, required=True)
    R.enum(values, "level_range", LEVEL_RANGES)
    info = [{"location_id": location_id, "name": name, "parent_id": "0", "region_code": code,
             "next_level_ids": [], "area_type": "ADMIN", "level": "COUNTRY", "support_below_18": code != "US"}
            for code, (location_id, name) in sorted(R.COUNTRIES.items())]
    return ok({"region_list": sorted(R.COUNTRIES), "region_info": info})


def _example(entry: dict) -> dict:
    data = entry["data"]
    return {"product_id": entry["product_id"], "sku_id": data.get("sku_id"), "title": data.get("title")}


@bp.get("/diagnostic/catalog/")
def catalog_diagnostics():
    """Issues of the catalog's products, with counts, share and up to 10 examples (page_size 1-20)."""
    values = params()
    int_param(values, "page_size", 10, 1, 20)
    st = state()
    with st.lock:
        catalog = _catalog(values)
        entries = [(e, audit(e, catalog, st)) for e in catalog["products"].values()]
    issues = []
    for issue_id, title, level, category, test in PRODUCT_ISSUES:
        hit = [e for e, verdict in entries if test(e["data"], verdict)]
        if hit:
            issues.append({"issue_id": str(issue_id), "issue_title": title, "issue_level": level,
                           "issue_category": category, "reason_and_suggestion": f"{title}: fix it in the feed.",
                           "issue_product_field": "", "affected_product_count": len(hit),
                           "affected_product_percentage": round(100 * len(hit) / len(entries), 2),
                           "example_affected_products": [_example(e) for e in hit[:10]]})
    chunk, info = paginate(issues, values, max_page_size=20)
    yesterday = dt.datetime.fromtimestamp(st.now() - 86400, dt.UTC).date().isoformat()
    return ok({"diagnostic_date": yesterday, "issues": chunk, "page_info": info})


def _events_of(code: str, names, since: float, until: float | None = None) -> list[dict]:
    st = state()
    return [e for e in st.events if e["pixel_code"] == code and e["event"] in names and e["event_time"] >= since
            and (until is None or e["event_time"] < until) and not e.get("test_event_code")]


@bp.get("/diagnostic/catalog/eventsource/issue/")
def event_source_issue():
    """How well the bound pixel's events match the catalog (last 1/7/30 days)."""
    values = params()
    require(values, "event_source_type")
    if values["event_source_type"] != "PIXEL":
        raise ApiError(40002, "event_source_type: only PIXEL is emulated.")
    require(values, "pixel_code")
    kind = R.enum(values, "event_type", EVENT_TYPES, default="VIEW_CONTENT")
    days = TIME_RANGES[R.enum(values, "time_range", TIME_RANGES, default="LAST_7_DAYS")]
    st = state()
    with st.lock:
        catalog = _catalog(values)
        if values["pixel_code"] not in catalog["event_sources"]:
            raise ApiError(40002, f"The event source {values['pixel_code']} is not bound to catalog "
                                  f"{catalog['catalog_id']}.")
        found = _events_of(values["pixel_code"], EVENT_TYPES[kind], st.now() - days * 86400)
        skus = set(catalog["products"])
    with_ids = [e for e in found if e["properties"].get("content_ids") or e["properties"].get("contents")]
    matching = [e for e in with_ids if set(map(str, e["properties"].get("content_ids") or [
        c.get("content_id") for c in e["properties"].get("contents") or []])) & skus]
    results = []
    if len(found) < 100_000:
        results.append(("Total events are fewer than 100K.", "ERROR"))
    if found and len(with_ids) < 0.9 * len(found):
        results.append(("Fewer than 90% of events have content IDs.", "ERROR"))
    if with_ids and len(matching) < 0.8 * len(with_ids):
        results.append(("Fewer than 80% of events have content IDs matching SKU or item group IDs.", "WARNING"))
    items = [{"diagnostic_result": text, "level": level, "diagnostic_solution": "Send more events with content IDs "
              "that are catalog SKUs."} for text, level in results] or [
        {"diagnostic_result": "No Issues Found", "level": "INFO", "diagnostic_solution": ""}]
    return ok({"list": items})


@bp.get("/pixel/event/stats/")
def pixel_event_stats():
    """Counts per event type for up to 10 pixels over at most 30 days (UTC)."""
    values = params()
    advertiser_id = check_advertiser(values.get("advertiser_id"))
    require(values, "pixel_ids", "date_range")
    ids, window = values["pixel_ids"], values["date_range"]
    if not isinstance(ids, list) or not 1 <= len(ids) <= 10:
        raise ApiError(40002, "pixel_ids: Length must be between 1 and 10.")
    try:
        start = dt.date.fromisoformat(window["start_date"])
        end = dt.date.fromisoformat(window["end_date"])
    except (KeyError, TypeError, ValueError):
        raise ApiError(40002, "date_range: start_date and end_date as YYYY-MM-DD.") from None
    if end < start or (end - start).days >= 30:
        raise ApiError(40002, "date_range: at most 30 days.")
    since = dt.datetime.combine(start, dt.time(), dt.UTC).timestamp()
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC).timestamp()
    st = state()
    result = []
    with st.lock:
        pixels = {p["pixel_id"]: p for p in st.pixels.values() if p["advertiser_id"] == advertiser_id}
        for pixel_id in map(str, ids):
            if pixel_id not in pixels:
                raise ApiError(40002, f"pixel_ids: pixel {pixel_id} does not exist.")
            counts = {}
            for event in _events_of(pixels[pixel_id]["pixel_code"], {e["event"] for e in st.events}, since, until):
                counts[event["event"]] = counts.get(event["event"], 0) + 1
            result.append({"pixel_id": pixel_id, "statistics": [
                {"pixel_event_type": name, "total_count": n, "browser_event_total_count": 0,
                 "server_event_total_count": n, "attributed_count": 0, "preview_count": 0}
                for name, n in sorted(counts.items())]})
    return ok({"list": result})
