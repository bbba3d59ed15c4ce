"""Creating manual catalog ads: campaign/create, adgroup/create|get|status/update, ad/create|get|
status/update, with the required fields, enums and budget minimums TikTok documents; plus a read-only
``/_emulator/ads`` view of every ad group and ad for tests."""
from __future__ import annotations

import copy

from flask import Blueprint, jsonify

from . import ad_rules as R
from .envelope import ApiError, ok, paginate, params, require, state
from .routes_account import check_advertiser

bp = Blueprint("tiktok_ad_creation", __name__, url_prefix="/open_api/v1.3")
control = Blueprint("tiktok_ad_creation_control", __name__, url_prefix="/_emulator")

CATALOG_SOURCES = {"CATALOG", "STORE"}
DESTINATIONS = {"WEBSITE", "APP", "WEB_AND_APP", "TIKTOK_SHOP"}
SHOPPING_ADS_TYPES = {"VIDEO", "LIVE", "PRODUCT_SHOPPING_ADS", "CATALOG_LISTING_ADS", "UNSET"}
PRODUCT_SOURCES = {"CATALOG", "STORE", "SHOWCASE", "UNSET"}
PROMOTION_TYPES = {"WEBSITE", "APP_ANDROID", "APP_IOS", "VIDEO_SHOPPING"}
PLACEMENT_TYPES = {"PLACEMENT_TYPE_AUTOMATIC", "PLACEMENT_TYPE_NORMAL"}
PLACEMENTS = {"PLACEMENT_TIKTOK", "PLACEMENT_PANGLE", "PLACEMENT_GLOBAL_APP_BUNDLE"}
RETARGETING = {"OFF", "LAB1", "LAB2", "LAB3"}
PACING = {"PACING_MODE_SMOOTH", "PACING_MODE_FAST"}
SCHEDULE_TYPES = {"SCHEDULE_START_END", "SCHEDULE_FROM_NOW"}
PRODUCT_SPECIFIC = {"ALL", "PRODUCT_SET", "CUSTOMIZED_PRODUCTS"}
DYNAMIC_FORMATS = {"DYNAMIC_CREATIVE", "UNSET"}
AD_FORMATS = {"SINGLE_VIDEO", "CATALOG_CAROUSEL", "SINGLE_IMAGE"}
VIDEO_STRATEGIES = {"UNSET", "SINGLE_VIDEO", "CATALOG_VIDEOS", "CATALOG_UPLOADED_VIDEOS"}
FALLBACKS = {"DEFAULT", "CUSTOM", "SHOPPING_ADS"}
NOT_AT_ADGROUP = ("identity_type", "identity_id", "identity_authorized_bc_id", "store_id")


def currency_of(advertiser_id: str) -> str:
    """The advertiser account's currency."""
    return state().advertisers[advertiser_id]["currency"]


def remembered(path: str, values: dict, key: str | None):
    """The id an earlier create with the same request_id made (TikTok's idempotency), else None."""
    return state().create_requests.get((path, values.get("advertiser_id"), key)) if key else None


def live(obj: dict) -> bool:
    """Whether an ad group or ad still exists (not deleted, nor its campaign)."""
    st = state()
    campaign = st.campaigns.get(obj["campaign_id"])
    return obj["operation_status"] != "DELETE" and campaign is not None and campaign["operation_status"] != "DELETE"


@bp.post("/campaign/create/")
def campaign_create():
    """A campaign; catalog ads need PRODUCT_SALES with campaign_product_source."""
    values = params()
    advertiser_id = check_advertiser(values.get("advertiser_id"))
    require(values, "campaign_name", "objective_type")
    if values["objective_type"] == "CATALOG_SALES":
        raise ApiError(40002, "objective_type: CATALOG_SALES is no longer supported; use PRODUCT_SALES.")
    objective = R.enum(values, "objective_type", R.OBJECTIVES, required=True)
    key = R.request_id(values)
    st = state()
    with st.lock:
        earlier = remembered("campaign/create/", values, key)
        if earlier:
            return ok(copy.deepcopy(st.campaigns[earlier]))
    name = str(values["campaign_name"])
    if len(name) > 512:
        raise ApiError(40002, "campaign_name: Length must be at most 512.")
    source = values.get("campaign_product_source")
    if objective == "PRODUCT_SALES":
        source = R.enum(values, "campaign_product_source", CATALOG_SOURCES, required=True)
    if values.get("virtual_objective_type") not in (None, "SALES"):
        raise ApiError(40002, "virtual_objective_type: Invalid enum value.")
    if values.get("virtual_objective_type") == "SALES":
        R.enum(values, "sales_destination", DESTINATIONS, required=True)
    cbo = bool(values.get("budget_optimize_on", False))
    if cbo and source == "CATALOG":
        raise ApiError(40118, "Campaign budget optimization for catalog ads is not available for this advertiser.")
    mode = R.enum(values, "budget_mode", R.BUDGET_MODES, required=True)
    if mode == "BUDGET_MODE_DYNAMIC_DAILY_BUDGET" and not cbo:
        raise ApiError(40002, "budget_mode: BUDGET_MODE_DYNAMIC_DAILY_BUDGET requires budget_optimize_on.")
    budget = 0.0 if mode == "BUDGET_MODE_INFINITE" else R.check_budget(values, currency_of(advertiser_id), 50,
                                                                       "campaign")
    status = R.enum(values, "operation_status", R.STATUSES, default="ENABLE")
    if not st.settings["create_disabled_honoured"]:
        status = "ENABLE"
    with st.lock:
        campaign_id = st.new_id("17")
        now = R.timestamp(st.now())
        campaign = {"campaign_id": campaign_id, "advertiser_id": advertiser_id, "campaign_name": name,
                    "objective_type": objective, "campaign_product_source": source,
                    "virtual_objective_type": values.get("virtual_objective_type"),
                    "sales_destination": values.get("sales_destination"), "budget_optimize_on": cbo,
                    "budget_mode": mode, "budget": budget, "operation_status": status,
                    "secondary_status": f"CAMPAIGN_STATUS_{status}", "campaign_type": "REGULAR_CAMPAIGN",
                    "objective": "LANDING_PAGE", "is_new_structure": True, "is_smart_performance_campaign": False,
                    "campaign_automation_type": "MANUAL", "roas_bid": 0, "create_time": now, "modify_time": now}
        st.campaigns[campaign_id] = campaign
        if key:
            st.create_requests[("campaign/create/", advertiser_id, key)] = campaign_id
        return ok(copy.deepcopy(campaign))


def _catalog_for(values: dict) -> dict:
    require(values, "catalog_id", "catalog_authorized_bc_id")
    catalog = state().catalogs.get(str(values["catalog_id"]))
    if catalog is None or catalog["bc_id"] != str(values["catalog_authorized_bc_id"]):
        raise ApiError(40001, f"You don't have permission to operate this catalog:{values['catalog_id']}")
    return catalog


def _check_catalog_adgroup(values: dict) -> None:
    R.enum(values, "shopping_ads_type", SHOPPING_ADS_TYPES, required=True)
    if R.enum(values, "product_source", PRODUCT_SOURCES, required=True) != "CATALOG":
        raise ApiError(40002, "product_source: must be CATALOG for a campaign with campaign_product_source CATALOG.")
    _catalog_for(values)
    for name in NOT_AT_ADGROUP:
        if values.get(name):
            raise ApiError(40002, f"{name}: cannot be set at ad group level for catalog ads.")
    if R.enum(values, "shopping_ads_retargeting_type", RETARGETING, default="OFF") in ("LAB1", "LAB2") \
            and values.get("shopping_ads_retargeting_actions_days") not in (1, 2, 3, 7, 14, 30, 60, 90, 180):
        raise ApiError(40002, "shopping_ads_retargeting_actions_days: required for LAB1/LAB2.")


def check_conversion(values: dict, advertiser_id: str, goal: str, promotion: str) -> None:
    """Website CONVERT/VALUE ad groups need a pixel of the advertiser and a standard event."""
    st = state()
    if promotion == "WEBSITE" and goal in ("CONVERT", "VALUE"):
        require(values, "pixel_id", "optimization_event")
        if not any(p["pixel_id"] == str(values["pixel_id"]) and p["advertiser_id"] == advertiser_id
                   for p in st.pixels.values()):
            raise ApiError(40002, f"pixel_id: pixel {values['pixel_id']} does not exist.")
        event = R.enum(values, "optimization_event", R.OPTIMIZATION_EVENTS, required=True)
        if goal == "VALUE" and event != "SHOPPING":
            raise ApiError(40002, "optimization_event: must be SHOPPING when optimization_goal is VALUE.")
    elif values.get("pixel_id"):
        raise ApiError(40002, f"pixel_id: cannot be set with optimization_goal {goal}.")
    billing = "CPC" if goal == "CLICK" else "OCPM"
    if values.get("billing_event") != billing:
        raise ApiError(40002, f"billing_event: must be {billing} when optimization_goal is {goal}.")


def _check_locations(ids) -> list[str]:
    if not isinstance(ids, list) or not ids:
        raise ApiError(40002, "location_ids: Missing data for required field.")
    unknown = [i for i in map(str, ids) if i not in R.LOCATION_IDS]
    if unknown:
        raise ApiError(40002, f"location_ids: invalid location ids {unknown}.")
    return [str(i) for i in ids]


@bp.post("/adgroup/create/")
def adgroup_create():
    """An ad group under a manual campaign."""
    values = params()
    advertiser_id = check_advertiser(values.get("advertiser_id"))
    require(values, "campaign_id", "adgroup_name", "billing_event", "optimization_goal", "schedule_type",
            "schedule_start_time")
    st = state()
    with st.lock:
        campaign = st.campaigns.get(str(values["campaign_id"]))
        if campaign is None or campaign["advertiser_id"] != advertiser_id or campaign["operation_status"] == "DELETE":
            raise ApiError(40007, f"The campaign {values['campaign_id']} does not exist.")
        campaign = copy.deepcopy(campaign)
    if campaign.get("campaign_automation_type", "MANUAL") != "MANUAL":
        raise ApiError(40002, "campaign_id: use /smart_plus/adgroup/create/ for Smart+ campaigns.")
    key = R.request_id(values)
    with st.lock:
        earlier = remembered("adgroup/create/", values, key)
        if earlier:
            return ok(copy.deepcopy(st.adgroups[earlier]))
    if campaign.get("campaign_product_source") == "CATALOG":
        _check_catalog_adgroup(values)
    promotion = R.enum(values, "promotion_type", PROMOTION_TYPES, required=True)
    goal = R.enum(values, "optimization_goal", R.GOALS, required=True)
    check_conversion(values, advertiser_id, goal, promotion)
    bid_type = R.enum(values, "bid_type", R.BID_TYPES, default="BID_TYPE_NO_BID")
    if not campaign.get("budget_optimize_on"):
        require(values, "budget_mode", "pacing")
        if R.enum(values, "pacing", PACING) == "PACING_MODE_FAST" and bid_type != "BID_TYPE_CUSTOM":
            raise ApiError(40002, "pacing: PACING_MODE_FAST requires BID_TYPE_CUSTOM.")
        mode = R.enum(values, "budget_mode", {"BUDGET_MODE_DAY", "BUDGET_MODE_TOTAL",
                                              "BUDGET_MODE_DYNAMIC_DAILY_BUDGET"}, required=True)
        if campaign["budget_mode"] == "BUDGET_MODE_DAY" and mode == "BUDGET_MODE_TOTAL":
            raise ApiError(40002, "budget_mode: a daily campaign cannot have a lifetime ad group budget.")
        R.check_budget(values, currency_of(advertiser_id), 20, "ad group")
    if R.enum(values, "placement_type", PLACEMENT_TYPES, required=True) == "PLACEMENT_TYPE_NORMAL":
        if not values.get("placements") or not set(values["placements"]) <= PLACEMENTS:
            raise ApiError(40002, "placements: Invalid enum value.")
    locations = _check_locations(values.get("location_ids"))
    schedule = R.enum(values, "schedule_type", SCHEDULE_TYPES, required=True)
    if schedule == "SCHEDULE_START_END":
        require(values, "schedule_end_time")
    start = R.check_start(values, st.now())
    status = R.enum(values, "operation_status", R.STATUSES, default="ENABLE")
    with st.lock:
        adgroup_id = st.new_id("18")
        adgroup = {k: copy.deepcopy(v) for k, v in values.items() if k != "request_id"}
        adgroup.update(adgroup_id=adgroup_id, advertiser_id=advertiser_id, campaign_id=campaign["campaign_id"],
                       location_ids=locations, schedule_start_time=start, bid_type=bid_type,
                       operation_status=status if st.settings["create_disabled_honoured"] else "ENABLE",
                       secondary_status="ADGROUP_STATUS_CREATE", creative_material_mode="CATALOG_SALES",
                       click_attribution_window="SEVEN_DAYS", view_attribution_window="ONE_DAY",
                       attribution_event_count="EVERY", create_time=R.timestamp(st.now()))
        st.adgroups[adgroup_id] = adgroup
        if key:
            st.create_requests[("adgroup/create/", advertiser_id, key)] = adgroup_id
        return ok(copy.deepcopy(adgroup))


def check_product_choice(creative: dict, catalog_id: str, where: str) -> None:
    """PRODUCT_SET needs a set of the same catalog; CUSTOMIZED_PRODUCTS at most 20 sku_ids."""
    kind = R.enum(creative, "product_specific_type", PRODUCT_SPECIFIC, required=True)
    if kind == "PRODUCT_SET":
        product_set = state().product_sets.get(str(creative.get("product_set_id") or ""))
        if product_set is None or product_set["catalog_id"] != catalog_id:
            raise ApiError(40002, f"{where}product_set_id: product set {creative.get('product_set_id')} does not "
                                  f"exist in catalog {catalog_id}.")
    if kind == "CUSTOMIZED_PRODUCTS" and not 1 <= len(creative.get("sku_ids") or []) <= 20:
        raise ApiError(40002, f"{where}sku_ids: Length must be between 1 and 20.")


def check_identity(creative: dict, advertiser_id: str, where: str) -> None:
    """Catalog videos run under a CUSTOMIZED_USER identity of the advertiser."""
    if creative.get("identity_type") != "CUSTOMIZED_USER":
        raise ApiError(40002, f"{where}identity_type: catalog ads must use CUSTOMIZED_USER.")
    identity = state().identities.get(str(creative.get("identity_id") or ""))
    if identity is None or identity["advertiser_id"] != advertiser_id:
        raise ApiError(40002, f"{where}identity_id: identity {creative.get('identity_id')} does not exist.")


def check_ad_text(text, where: str) -> None:
    """1-100 characters, no emoji."""
    if not isinstance(text, str) or not 1 <= len(text) <= 100:
        raise ApiError(40002, f"{where}ad_text: Length must be between 1 and 100.")
    if any(ord(ch) >= 0x1F000 for ch in text):
        raise ApiError(40002, f"{where}ad_text: emoji are not allowed.")


def _check_creative(creative, index: int, adgroup: dict) -> dict:
    where = f"creatives[{index}]."
    if not isinstance(creative, dict):
        raise ApiError(40002, f"{where[:-1]}: must be an object.")
    check_identity(creative, adgroup["advertiser_id"], where)
    if str(creative.get("catalog_id")) != str(adgroup.get("catalog_id")):
        raise ApiError(40002, f"{where}catalog_id: must be the ad group's catalog.")
    check_product_choice(creative, str(adgroup.get("catalog_id")), where)
    check_ad_text(creative.get("ad_text"), where)
    R.enum(creative, "call_to_action", R.CTAS, required=not creative.get("call_to_action_id"))
    R.enum(creative, "dynamic_format", DYNAMIC_FORMATS, default="UNSET")
    R.enum(creative, "ad_format", AD_FORMATS, required=True)
    strategy = R.enum(creative, "vertical_video_strategy", VIDEO_STRATEGIES, default="UNSET")
    if strategy == "CATALOG_VIDEOS" and (creative.get("video_id") or creative.get("image_ids")):
        raise ApiError(40002, f"{where}video_id: not allowed with vertical_video_strategy CATALOG_VIDEOS.")
    if R.enum(creative, "dynamic_destination", {"DLP", "UNSET"}, default="UNSET") == "DLP" and not (
            adgroup.get("promotion_type") == "WEBSITE" and adgroup.get("optimization_goal") in ("CONVERT", "VALUE")):
        raise ApiError(40002, f"{where}dynamic_destination: DLP needs a WEBSITE ad group optimising CONVERT/VALUE.")
    if R.enum(creative, "shopping_ads_fallback_type", FALLBACKS, default="DEFAULT") == "CUSTOM":
        url = creative.get("landing_page_url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ApiError(40002, f"{where}landing_page_url: a valid URL is required with fallback CUSTOM.")
    return creative


@bp.post("/ad/create/")
def ad_create():
    """Ads in an ad group, one per creative."""
    values = params()
    advertiser_id = check_advertiser(values.get("advertiser_id"))
    require(values, "adgroup_id", "creatives")
    st = state()
    with st.lock:
        adgroup = st.adgroups.get(str(values["adgroup_id"]))
        if adgroup is None or adgroup["advertiser_id"] != advertiser_id or not live(adgroup):
            raise ApiError(40007, f"The ad group {values['adgroup_id']} does not exist.")
        adgroup = copy.deepcopy(adgroup)
    creatives = values["creatives"]
    if not isinstance(creatives, list) or not 1 <= len(creatives) <= 20:
        raise ApiError(40002, "creatives: Length must be between 1 and 20.")
    checked = [_check_creative(c, i, adgroup) for i, c in enumerate(creatives)]
    made = []
    with st.lock:
        for creative in checked:
            ad_id = st.new_id("19")
            ad = dict(copy.deepcopy(creative), ad_id=ad_id, advertiser_id=advertiser_id,
                      adgroup_id=adgroup["adgroup_id"], campaign_id=adgroup["campaign_id"],
                      operation_status="ENABLE", secondary_status="AD_STATUS_IN_AUDIT",
                      create_time=R.timestamp(st.now()))
            st.ads[ad_id] = ad
            made.append(copy.deepcopy(ad))
    return ok({"ad_ids": [a["ad_id"] for a in made], "need_audit": False, "creatives": made})


def _get(store: str, ids_key: str):
    values = params()
    advertiser_id = check_advertiser(values.get("advertiser_id"))
    filtering = values.get("filtering") or {}
    st = state()
    with st.lock:
        items = [copy.deepcopy(o) for o in getattr(st, store).values()
                 if o["advertiser_id"] == advertiser_id and live(o)]
    for key in (ids_key, "campaign_ids", "adgroup_ids"):
        wanted = filtering.get(key)
        if wanted:
            if len(wanted) > 100:
                raise ApiError(40002, f"filtering.{key}: at most 100 ids.")
            id_field = key[:-1]
            items = [o for o in items if o.get(id_field) in set(map(str, wanted))]
    chunk, info = paginate(items, values, max_page_size=1000)
    return ok({"list": chunk, "page_info": info})


@bp.get("/adgroup/get/")
def adgroup_get():
    """Ad groups, filtered by adgroup_ids / campaign_ids."""
    return _get("adgroups", "adgroup_ids")


@bp.get("/ad/get/")
def ad_get():
    """Ads, filtered by ad_ids / adgroup_ids / campaign_ids."""
    return _get("ads", "ad_ids")


def _status(store: str, ids_key: str):
    values = params()
    advertiser_id = check_advertiser(values.get("advertiser_id"))
    require(values, ids_key, "operation_status")
    status = R.enum(values, "operation_status", {"ENABLE", "DISABLE", "DELETE"}, required=True)
    ids = [str(i) for i in values[ids_key]]
    if not 1 <= len(ids) <= 20:
        raise ApiError(40002, f"{ids_key}: Length must be between 1 and 20.")
    st = state()
    with st.lock:
        objects = getattr(st, store)
        missing = [i for i in ids if i not in objects or objects[i]["advertiser_id"] != advertiser_id
                   or not live(objects[i])]
        if missing:
            raise ApiError(40007, f"{ids_key}: {missing} do not exist.")
        for object_id in ids:
            objects[object_id]["operation_status"] = status
    return ok({ids_key: ids, "status": status})


@bp.post("/adgroup/status/update/")
def adgroup_status():
    """ENABLE, DISABLE or DELETE up to 20 ad groups."""
    return _status("adgroups", "adgroup_ids")


@bp.post("/ad/status/update/")
def ad_status():
    """ENABLE, DISABLE or DELETE up to 20 ads."""
    return _status("ads", "ad_ids")


@control.get("/ads")
def ads_world():
    """Every campaign, ad group, ad, identity and product set, as stored (deleted ones too)."""
    st = state()
    with st.lock:
        return jsonify({"campaigns": copy.deepcopy(st.campaigns), "adgroups": copy.deepcopy(st.adgroups),
                        "ads": copy.deepcopy(st.ads), "identities": copy.deepcopy(st.identities),
                        "product_sets": copy.deepcopy(st.product_sets)})
