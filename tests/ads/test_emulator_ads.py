"""The emulator refuses wrong ad requests as TikTok documents (code 40002 and friends), so the tests
above can fail for the reasons TikTok would."""
import datetime as dt

import pytest
import requests

from server.tiktok.transport import encode_query
from tests.ads.launch_helpers import api

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _call(emulator, token, method, path, body):
    kwargs = {"json": body} if method == "POST" else {"params": encode_query(body)}
    answer = requests.request(method, emulator.api_base + path, headers={"Access-Token": token}, timeout=10,
                              **kwargs).json()
    return answer["code"], answer["message"]


def _campaign(emulator, shop, **changes):
    body = {"advertiser_id": emulator.advertiser_ids[0], "campaign_name": "Test", "objective_type": "PRODUCT_SALES",
            "campaign_product_source": "CATALOG", "budget_mode": "BUDGET_MODE_DAY", "budget": 50}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.parametrize("changes, code, words", [
    ({"objective_type": "CATALOG_SALES"}, 40002, "no longer supported"),
    ({"campaign_product_source": None}, 40002, "campaign_product_source: Missing"),
    ({"budget": 49.5}, 40002, "at least 50"),
    ({"budget_mode": "BUDGET_MODE_DYNAMIC_DAILY_BUDGET"}, 40002, "requires budget_optimize_on"),
    ({"budget_optimize_on": True}, 40118, "not available"),
    ({"request_id": "abc"}, 40002, "64-bit integer"),
    ({"virtual_objective_type": "SALES"}, 40002, "sales_destination: Missing"),
])
def test_wrong_campaigns_are_refused(shop, tiktok_emulator, changes, code, words):
    found = _call(tiktok_emulator, shop.test_token, "POST", "campaign/create/",
                  _campaign(tiktok_emulator, shop, **changes))
    assert found[0] == code and words in found[1]


def test_a_repeated_request_id_creates_once(shop, tiktok_emulator):
    body = _campaign(tiktok_emulator, shop, request_id="123456789")
    first = api(tiktok_emulator, shop.test_token, "POST", "campaign/create/", body)
    again = api(tiktok_emulator, shop.test_token, "POST", "campaign/create/", body)
    assert first["campaign_id"] == again["campaign_id"]


def _adgroup(emulator, shop, campaign_id, **changes):
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    body = {"advertiser_id": emulator.advertiser_ids[0], "campaign_id": campaign_id, "adgroup_name": "G",
            "shopping_ads_type": "VIDEO", "product_source": "CATALOG", "catalog_id": shop.catalog_id,
            "catalog_authorized_bc_id": emulator.bc_id, "promotion_type": "WEBSITE",
            "pixel_id": emulator.world()["pixels"][0]["pixel_id"], "optimization_event": "SHOPPING",
            "placement_type": "PLACEMENT_TYPE_AUTOMATIC", "location_ids": ["6252001"], "budget_mode": "BUDGET_MODE_DAY",
            "budget": 20, "schedule_type": "SCHEDULE_FROM_NOW", "schedule_start_time": start,
            "optimization_goal": "CONVERT", "bid_type": "BID_TYPE_NO_BID", "billing_event": "OCPM",
            "pacing": "PACING_MODE_SMOOTH"}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.parametrize("changes, words", [
    ({"optimization_event": "COMPLETE_PAYMENT"}, "optimization_event: Invalid enum value"),
    ({"pixel_id": None}, "pixel_id: Missing"),
    ({"budget": 19}, "at least 20"),
    ({"billing_event": "CPC"}, "must be OCPM"),
    ({"identity_id": "1", "identity_type": "CUSTOMIZED_USER"}, "cannot be set at ad group level"),
    ({"location_ids": ["1"]}, "invalid location ids"),
    ({"schedule_start_time": "2020-01-01 00:00:00"}, "cannot be earlier"),
    ({"budget_mode": "BUDGET_MODE_TOTAL"}, "lifetime ad group budget"),
    ({"pacing": "PACING_MODE_FAST"}, "requires BID_TYPE_CUSTOM"),
    ({"catalog_authorized_bc_id": "1"}, "permission to operate this catalog"),
])
def test_wrong_ad_groups_are_refused(shop, tiktok_emulator, changes, words):
    campaign_id = api(tiktok_emulator, shop.test_token, "POST", "campaign/create/",
                      _campaign(tiktok_emulator, shop))["campaign_id"]
    code, message = _call(tiktok_emulator, shop.test_token, "POST", "adgroup/create/",
                          _adgroup(tiktok_emulator, shop, campaign_id, **changes))
    assert code in (40001, 40002) and words in message


@pytest.mark.parametrize("changes, words", [
    ({"identity_type": "TT_USER"}, "must use CUSTOMIZED_USER"),
    ({"identity_id": "999"}, "identity 999 does not exist"),
    ({"ad_text": "x" * 101}, "between 1 and 100"),
    ({"product_specific_type": "PRODUCT_SET", "product_set_id": "42"}, "product set 42 does not exist"),
    ({"video_id": "v1"}, "not allowed with vertical_video_strategy CATALOG_VIDEOS"),
    ({"landing_page_url": "shop"}, "a valid URL is required"),
    ({"call_to_action": "CLICK_HERE"}, "call_to_action: Invalid enum value"),
])
def test_wrong_ads_are_refused(shop, tiktok_emulator, changes, words):
    token, advertiser = shop.test_token, tiktok_emulator.advertiser_ids[0]
    campaign_id = api(tiktok_emulator, token, "POST", "campaign/create/",
                      _campaign(tiktok_emulator, shop))["campaign_id"]
    adgroup_id = api(tiktok_emulator, token, "POST", "adgroup/create/",
                     _adgroup(tiktok_emulator, shop, campaign_id))["adgroup_id"]
    identity = api(tiktok_emulator, token, "POST", "identity/create/",
                   {"advertiser_id": advertiser, "display_name": "A"})
    creative = {"identity_type": "CUSTOMIZED_USER", "identity_id": identity["identity_id"],
                "catalog_id": shop.catalog_id,
                "product_specific_type": "ALL", "ad_format": "SINGLE_VIDEO",
                "vertical_video_strategy": "CATALOG_VIDEOS",
                "ad_text": "Hi", "call_to_action": "SHOP_NOW", "shopping_ads_fallback_type": "CUSTOM",
                "landing_page_url": "https://shop.example.com/"}
    code, message = _call(tiktok_emulator, token, "POST", "ad/create/", {
        "advertiser_id": advertiser, "adgroup_id": adgroup_id, "creatives": [{**creative, **changes}]})
    assert code == 40002 and words in message


@pytest.mark.parametrize("conditions, words", [
    ({"and": [{"field": "brand", "operator": "I_CONTAIN", "value": ["A"]}]}, "field, operation and value"),
    ({"and": [], "or": []}, "exactly one of"),
    ({"and": [{"field": "sku_id", "operation": "I_CONTAIN", "value": ["A"]}]}, "cannot be used"),
    ({"and": [{"field": "price", "operation": "I_CONTAIN", "value": [1]}]}, "not allowed for price"),
    ({"and": [{"field": "brand", "operation": "CONTAIN", "value": "A"}]}, "must be a list"),
])
def test_wrong_product_sets_are_refused(shop, tiktok_emulator, conditions, words):
    code, message = _call(tiktok_emulator, shop.test_token, "POST", "catalog/set/create/", {
        "bc_id": tiktok_emulator.bc_id, "catalog_id": shop.catalog_id, "product_set_name": "S",
        "conditions": conditions})
    assert code == 40002 and words in message


def test_set_names_are_at_most_28_characters(shop, tiktok_emulator):
    body = {"bc_id": tiktok_emulator.bc_id, "catalog_id": shop.catalog_id, "product_set_name": "x" * 29,
            "conditions": {"and": [{"field": "brand", "operation": "I_CONTAIN", "value": ["Acme"]}]}}
    assert _call(tiktok_emulator, shop.test_token, "POST", "catalog/set/create/", body)[0] == 40002
