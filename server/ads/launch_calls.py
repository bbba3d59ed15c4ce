"""The calls a catalog campaign is made of, in order, with the bodies TikTok documents (values from
``tiktok_rules``), and the clean-up after a failure half-way."""
import datetime as dt
import secrets

from server.ads import tiktok_rules as rules
from server.clock import utcnow
from server.tiktok import TikTokError
from server.tiktok import ad_creation as api


class StepFailed(Exception):
    """A creation step TikTok refused or did not answer: ``step`` and the TikTokError."""

    def __init__(self, step, error):
        super().__init__(f"{step}: {error}")
        self.step, self.error = step, error


def _request_id():
    # An int64 as a string: TikTok's idempotency key for creates [BUBUBA model/campaign/create.go].
    return str(secrets.randbits(62))


def _start_time(start):
    """The schedule start: now for today (TikTok accepts up to 12 h in the past), else 00:00 UTC."""
    now = utcnow()
    moment = now if start <= now.date() else dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
    return moment.strftime(rules.SCHEDULE_FORMAT)


def _products(plan):
    if plan.product_set_id:
        return {"product_specific_type": "PRODUCT_SET", "product_set_id": plan.product_set_id}
    return {"product_specific_type": "ALL"}


def campaign_body(plan):
    """``campaign/create/`` (or the Smart+ one): paused, with the daily budget at campaign level."""
    if plan.mode == "smart_plus":
        return {"advertiser_id": plan.advertiser_id, "request_id": _request_id(), "campaign_name": plan.name,
                "objective_type": rules.SMART_PLUS_OBJECTIVE, "sales_destination": rules.SALES_DESTINATION,
                "catalog_enabled": True, "catalog_type": "ECOMMERCE", "budget_optimize_on": True,
                "budget_mode": rules.SMART_PLUS_BUDGET_MODE, "budget": float(plan.budget),
                "operation_status": rules.CREATE_DISABLED}
    return {"advertiser_id": plan.advertiser_id, "request_id": _request_id(), "campaign_name": plan.name,
            "objective_type": rules.CAMPAIGN_OBJECTIVE, "campaign_product_source": rules.CAMPAIGN_PRODUCT_SOURCE,
            "virtual_objective_type": rules.VIRTUAL_OBJECTIVE, "sales_destination": rules.SALES_DESTINATION,
            "budget_optimize_on": False, "budget_mode": "BUDGET_MODE_DAY", "budget": float(plan.budget),
            "operation_status": rules.CREATE_DISABLED}


def adgroup_body(plan, campaign_id):
    """``adgroup/create/``: catalog products, the pixel's purchase event, the countries, from the start day."""
    common = {"advertiser_id": plan.advertiser_id, "campaign_id": campaign_id, "request_id": _request_id(),
              "adgroup_name": f"{'/'.join(plan.countries)[:60]} - {plan.product_set_name or 'all products'}",
              "catalog_id": plan.catalog_id, "catalog_authorized_bc_id": plan.bc_id, "promotion_type": "WEBSITE",
              "pixel_id": plan.pixel_id, "optimization_goal": rules.OPTIMIZATION_GOAL,
              "optimization_event": rules.OPTIMIZATION_EVENT, "bid_type": rules.BID_TYPE,
              "billing_event": rules.BILLING_EVENT, "schedule_type": "SCHEDULE_FROM_NOW",
              "schedule_start_time": _start_time(plan.start)}
    if plan.mode == "smart_plus":
        return {**common, "targeting_spec": {"location_ids": list(plan.locations)}}
    return {**common, "shopping_ads_type": "VIDEO", "product_source": "CATALOG",
            "placement_type": "PLACEMENT_TYPE_AUTOMATIC", "location_ids": list(plan.locations),
            "shopping_ads_retargeting_type": "OFF", "budget_mode": "BUDGET_MODE_DAY", "budget": float(plan.budget),
            "pacing": rules.PACING}


def ad_body(plan, adgroup_id, identity_id):
    """``ad/create/``: one catalog-video ad (no video of the merchant's own needed)."""
    name = f"{plan.product_set_name or 'All products'} - catalog video"
    if plan.mode == "smart_plus":
        return {"advertiser_id": plan.advertiser_id, "adgroup_id": adgroup_id, "ad_name": name,
                "ad_configuration": {"identity_type": rules.IDENTITY_TYPE, "identity_id": identity_id,
                                     **_products(plan), "catalog_creative_toggle": True,
                                     "catalog_media_settings": list(rules.SMART_PLUS_CATALOG_MEDIA)},
                "landing_page_url_list": [{"landing_page_url": plan.landing_page_url}],
                "ad_text_list": [{"ad_text": plan.ad_text}],
                "call_to_action_list": [{"call_to_action": rules.CALL_TO_ACTION}]}
    creative = {"ad_name": name, "identity_type": rules.IDENTITY_TYPE, "identity_id": identity_id,
                "catalog_id": plan.catalog_id, **_products(plan), **rules.AD_FORMAT, "ad_text": plan.ad_text,
                "call_to_action": rules.CALL_TO_ACTION, "landing_page_url": plan.landing_page_url}
    return {"advertiser_id": plan.advertiser_id, "adgroup_id": adgroup_id, "creatives": [creative]}


def _level(plan, level):
    return f"smart_plus_{level}" if plan.mode == "smart_plus" else level


def create_objects(client, plan):
    """Yield ``(step, id)`` as identity, campaign, ad group and ad are made; StepFailed at the first
    refusal. The campaign ends paused: read back, and paused explicitly if TikTok enabled it."""
    identity_id = plan.identity_id
    step = "identity"
    try:
        if identity_id is None:
            identity_id = api.create_identity(client, plan.advertiser_id, plan.identity_name)
            yield step, identity_id
        step = "campaign"
        campaign_id, _ = api.create(client, _level(plan, "campaign"), campaign_body(plan))
        yield step, campaign_id
        step = "adgroup"
        adgroup_id, _ = api.create(client, _level(plan, "adgroup"), adgroup_body(plan, campaign_id))
        yield step, adgroup_id
        step = "ad"
        ad_id, _ = api.create(client, _level(plan, "ad"), ad_body(plan, adgroup_id, identity_id))
        yield step, ad_id
        step = "pause"
        made = api.read(client, _level(plan, "campaign"), plan.advertiser_id, [campaign_id])
        if not made or made[0].get("operation_status") != "DISABLE":
            api.set_status(client, _level(plan, "campaign"), plan.advertiser_id, [campaign_id], "DISABLE")
    except TikTokError as error:
        raise StepFailed(step, error) from None


def set_campaign_status(client, mode, advertiser_id, campaign_id, status):
    """ENABLE or DISABLE a campaign made here, through the family it was made with."""
    level = "smart_plus_campaign" if mode == "smart_plus" else "campaign"
    api.set_status(client, level, advertiser_id, [campaign_id], status)


def remove_objects(client, plan, row):
    """Delete the campaign a failed creation left (its ad group and ad go with it); if TikTok refuses,
    pause it. Returns what happened, in words."""
    if not row.campaign_id:
        return "Nothing was created at TikTok."
    level = _level(plan, "campaign")
    try:
        api.set_status(client, level, plan.advertiser_id, [row.campaign_id], "DELETE")
        return f"What was made before (campaign {row.campaign_id}) was deleted at TikTok."
    except TikTokError as error:
        refused = error.message
    try:
        api.set_status(client, level, plan.advertiser_id, [row.campaign_id], "DISABLE")
        return (f"TikTok did not let us delete campaign {row.campaign_id} ({refused}); it is left paused: "
                f"delete it in TikTok Ads Manager.")
    except TikTokError as error:
        return (f"Campaign {row.campaign_id} could neither be deleted nor paused ({error.message}): delete it "
                f"in TikTok Ads Manager.")
