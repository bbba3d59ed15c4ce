"""Upgraded Smart+ catalog campaigns: ``smart_plus/{campaign,adgroup,ad}/{create,get,status/update}/``.
Setting ``smart_plus_allowed`` False makes the account one without the feature (40118)."""
from __future__ import annotations

import copy

from flask import Blueprint

from . import ad_rules as R
from .envelope import ApiError, ok, paginate, params, require, state
from .routes_account import check_advertiser
from .routes_ad_creation import (
    check_ad_text,
    check_conversion,
    check_identity,
    check_product_choice,
    currency_of,
    live,
    remembered,
)
from .routes_catalog import audit

bp = Blueprint("tiktok_smart_plus", __name__, url_prefix="/open_api/v1.3/smart_plus")

OBJECTIVES = {"APP_PROMOTION", "WEB_CONVERSIONS", "LEAD_GENERATION"}
CATALOG_MEDIA = {"VIDEO", "IMAGE", "TEMPLATE_VIDEO"}


def _allowed() -> None:
    if not state().settings["smart_plus_allowed"]:
        raise ApiError(40118, "This advertiser is not in the allowlist for Upgraded Smart+.")


@bp.post("/campaign/create/")
def campaign_create():
    """A Smart+ campaign: request_id required; CBO on by default."""
    values = params()
    advertiser_id = check_advertiser(values.get("advertiser_id"))
    _allowed()
    require(values, "campaign_name", "objective_type")
    key = R.request_id(values, required=True)
    objective = R.enum(values, "objective_type", OBJECTIVES, required=True)
    st = state()
    with st.lock:
        earlier = remembered("smart_plus/campaign/create/", values, key)
        if earlier:
            return ok(copy.deepcopy(st.campaigns[earlier]))
    if objective == "WEB_CONVERSIONS":
        R.enum(values, "sales_destination", {"WEBSITE", "APP", "WEB_AND_APP"}, required=True)
    cbo = values.get("budget_optimize_on", True)
    allowed = {"BUDGET_MODE_DYNAMIC_DAILY_BUDGET", "BUDGET_MODE_TOTAL"} if cbo else {
        "BUDGET_MODE_INFINITE", "BUDGET_MODE_DAY", "BUDGET_MODE_TOTAL"}
    mode = R.enum(values, "budget_mode", allowed,
                  default="BUDGET_MODE_DYNAMIC_DAILY_BUDGET" if cbo else "BUDGET_MODE_INFINITE")
    budget = 0.0 if mode == "BUDGET_MODE_INFINITE" else R.check_budget(values, currency_of(advertiser_id), 50,
                                                                       "campaign")
    status = R.enum(values, "operation_status", R.STATUSES, default="ENABLE")
    with st.lock:
        campaign_id = st.new_id("17")
        now = R.timestamp(st.now())
        campaign = {"campaign_id": campaign_id, "advertiser_id": advertiser_id,
                    "campaign_name": str(values["campaign_name"])[:512], "objective_type": objective,
                    "sales_destination": values.get("sales_destination"),
                    "catalog_enabled": bool(values.get("catalog_enabled")), "catalog_type": values.get("catalog_type"),
                    "budget_optimize_on": bool(cbo), "budget_mode": mode, "budget": budget,
                    "operation_status": status, "secondary_status": f"CAMPAIGN_STATUS_{status}",
                    "smart_plus_adgroup_mode": "SINGLE", "is_smart_performance_campaign": False,
                    "campaign_automation_type": "UPGRADED_SMART_PLUS", "create_time": now, "modify_time": now}
        st.campaigns[campaign_id] = campaign
        st.create_requests[("smart_plus/campaign/create/", advertiser_id, key)] = campaign_id
        return ok(copy.deepcopy(campaign))


@bp.post("/adgroup/create/")
def adgroup_create():
    """A Smart+ ad group: targeting inside targeting_spec; no budget under CBO; a catalog of >= 2 approved."""
    values = params()
    advertiser_id = check_advertiser(values.get("advertiser_id"))
    _allowed()
    require(values, "campaign_id", "adgroup_name", "promotion_type", "optimization_goal", "billing_event",
            "schedule_type", "schedule_start_time", "targeting_spec")
    R.request_id(values, required=True)
    st = state()
    with st.lock:
        campaign = st.campaigns.get(str(values["campaign_id"]))
        if campaign is None or campaign["advertiser_id"] != advertiser_id \
                or campaign.get("campaign_automation_type") != "UPGRADED_SMART_PLUS":
            raise ApiError(40007, f"The Smart+ campaign {values['campaign_id']} does not exist.")
        campaign = copy.deepcopy(campaign)
        if campaign["catalog_enabled"]:
            require(values, "catalog_id", "catalog_authorized_bc_id")
            catalog = st.catalogs.get(str(values["catalog_id"]))
            if catalog is None or catalog["bc_id"] != str(values["catalog_authorized_bc_id"]):
                raise ApiError(40001, f"You don't have permission to operate this catalog:{values['catalog_id']}")
            approved = sum(audit(e, catalog, st)["audit_status"] == "approved" for e in catalog["products"].values())
            if approved < 2:
                raise ApiError(40002, "catalog_id: Smart+ catalog ads need at least 2 approved products.")
    if campaign["budget_optimize_on"] and ("budget" in values or "budget_mode" in values):
        raise ApiError(40002, "budget: cannot be set on an ad group when the campaign budget is optimised.")
    goal = R.enum(values, "optimization_goal", R.GOALS, required=True)
    check_conversion(values, advertiser_id, goal, R.enum(values, "promotion_type", {"WEBSITE"}, required=True))
    spec = values["targeting_spec"]
    locations = spec.get("location_ids") if isinstance(spec, dict) else None
    if not locations or not set(map(str, locations)) <= R.LOCATION_IDS:
        raise ApiError(40002, "targeting_spec.location_ids: Missing or invalid location ids.")
    if values.get("location_ids"):
        raise ApiError(40002, "location_ids: set locations inside targeting_spec for Smart+.")
    start = R.check_start(values, st.now())
    with st.lock:
        adgroup_id = st.new_id("18")
        adgroup = {k: copy.deepcopy(v) for k, v in values.items() if k != "request_id"}
        adgroup.update(adgroup_id=adgroup_id, advertiser_id=advertiser_id, campaign_id=campaign["campaign_id"],
                       schedule_start_time=start, product_source="CATALOG", operation_status="ENABLE",
                       secondary_status="ADGROUP_STATUS_CREATE")
        st.adgroups[adgroup_id] = adgroup
        return ok(copy.deepcopy(adgroup))


@bp.post("/ad/create/")
def ad_create():
    """A Smart+ ad: identity and products in ad_configuration; lists of texts, CTAs and one landing page."""
    values = params()
    advertiser_id = check_advertiser(values.get("advertiser_id"))
    _allowed()
    require(values, "adgroup_id", "ad_name", "ad_configuration")
    st = state()
    with st.lock:
        adgroup = st.adgroups.get(str(values["adgroup_id"]))
        if adgroup is None or adgroup["advertiser_id"] != advertiser_id or not live(adgroup):
            raise ApiError(40007, f"The ad group {values['adgroup_id']} does not exist.")
        adgroup = copy.deepcopy(adgroup)
    config = values["ad_configuration"]
    check_identity(config, advertiser_id, "ad_configuration.")
    if adgroup.get("catalog_id"):
        check_product_choice(config, str(adgroup["catalog_id"]), "ad_configuration.")
        pages = values.get("landing_page_url_list")
        if not isinstance(pages, list) or len(pages) != 1 or not str(pages[0].get("landing_page_url", "")).startswith(
                ("http://", "https://")):
            raise ApiError(40002, "landing_page_url_list: exactly one landing page is required for catalog ads.")
    texts = values.get("ad_text_list")
    if not isinstance(texts, list) or not 1 <= len(texts) <= 5:
        raise ApiError(40002, "ad_text_list: Length must be between 1 and 5.")
    for index, text in enumerate(texts):
        check_ad_text(text.get("ad_text") if isinstance(text, dict) else None, f"ad_text_list[{index}].")
    ctas = values.get("call_to_action_list") or []
    if not config.get("call_to_action_id") and not 1 <= len(ctas) <= 3:
        raise ApiError(40002, "call_to_action_list: Length must be between 1 and 3.")
    for cta in ctas:
        R.enum(cta, "call_to_action", R.CTAS, required=True)
    creatives = values.get("creative_list")
    media = config.get("catalog_media_settings") or []
    if not creatives and not (config.get("catalog_creative_toggle") and media and set(media) <= CATALOG_MEDIA):
        raise ApiError(40002, "creative_list: Missing data for required field.")
    with st.lock:
        ad_id = st.new_id("19")
        ad = dict(copy.deepcopy(values), smart_plus_ad_id=ad_id, ad_id=ad_id, advertiser_id=advertiser_id,
                  campaign_id=adgroup["campaign_id"], operation_status="ENABLE", secondary_status="AD_STATUS_AUDIT")
        st.ads[ad_id] = ad
    return ok({"smart_plus_ad_id": ad_id, "secondary_status": "AD_STATUS_AUDIT", "creative_list": creatives or []})


def _objects(kind: str, values: dict, advertiser_id: str) -> list[dict]:
    st = state()
    if kind == "campaign":
        return [c for c in st.campaigns.values() if c["advertiser_id"] == advertiser_id
                and c.get("campaign_automation_type") == "UPGRADED_SMART_PLUS" and c["operation_status"] != "DELETE"]
    store = st.adgroups if kind == "adgroup" else st.ads
    smart = {c["campaign_id"] for c in _objects("campaign", values, advertiser_id)}
    return [o for o in store.values() if o["advertiser_id"] == advertiser_id and o["campaign_id"] in smart and live(o)]


IDS = {"campaign": ("campaign_ids", "campaign_id"), "adgroup": ("adgroup_ids", "adgroup_id"),
       "ad": ("smart_plus_ad_ids", "smart_plus_ad_id")}


def _get(kind: str):
    values = params()
    advertiser_id = check_advertiser(values.get("advertiser_id"))
    _allowed()
    ids_key, id_key = IDS[kind]
    wanted = set(map(str, (values.get("filtering") or {}).get(ids_key) or []))
    st = state()
    with st.lock:
        items = [copy.deepcopy(o) for o in _objects(kind, values, advertiser_id) if not wanted or o[id_key] in wanted]
    chunk, info = paginate(items, values, max_page_size=100)
    return ok({"list": chunk, "page_info": info})


def _status(kind: str):
    """Per-item failures come back with code 0 and an error_list, as TikTok does."""
    values = params()
    advertiser_id = check_advertiser(values.get("advertiser_id"))
    ids_key, id_key = IDS[kind]
    require(values, ids_key, "operation_status")
    status = R.enum(values, "operation_status", {"ENABLE", "DISABLE", "DELETE"}, required=True)
    st = state()
    done, errors = [], []
    with st.lock:
        mine = {o[id_key]: o for o in _objects(kind, values, advertiser_id)}
        for object_id in map(str, values[ids_key]):
            if object_id not in mine:
                errors.append({id_key: object_id, "error_message": f"{object_id} does not exist."})
                continue
            mine[object_id]["operation_status"] = status
            done.append({id_key: object_id, "status": status})
    return ok({f"{kind}_list": done, "error_list": errors})


for _kind in IDS:
    bp.add_url_rule(f"/{_kind}/get/", f"{_kind}_get", lambda kind=_kind: _get(kind))
    bp.add_url_rule(f"/{_kind}/status/update/", f"{_kind}_status", lambda kind=_kind: _status(kind),
                    methods=["POST"])
