"""TikTok's documented rules for creating catalog campaigns and product sets, in one place.

Sources are TikTok's API for Business docs (``DOC nnn`` = business-api.tiktok.com/portal/docs?id=nnn),
TikTok's own SDK (tiktok/tiktok-business-api-sdk ``yml_files``) and bububa/tiktok-business (``BUBUBA``).
Everything marked UNCONFIRMED is a choice made where the sources disagree or are silent; the code
elsewhere reads these names and never repeats the values.
"""
from decimal import Decimal

# Budgets [DOC 1739381246298114 "Budget", DOC 1737585839634433 "Budget verification ratio"]: the daily
# minimum is a base amount times a per-currency ratio; the maximum is 10,000,000 x ratio (exclusive).
CAMPAIGN_DAILY_BASE = Decimal(50)
ADGROUP_DAILY_BASE = Decimal(20)
DAILY_MAX_BASE = Decimal(10_000_000)
CURRENCY_RATIOS = {
    **dict.fromkeys("USD EUR GBP MYR AED SAR HUF ARS AUD BRL CAD NZD SGD CHF ILS PEN QAR RON".split(), 1),
    "PLN": 4,
    **dict.fromkeys("HKD ZAR DKK SEK NOK TRY MXN THB CNY BOB CZK EGP GTQ HNL MOP TWD NIO UAH UYU".split(), 10),
    "PHP": 50,
    **dict.fromkeys("JPY RUB DZD BDT ISK INR KES NGN PKR".split(), 100),
    **dict.fromkeys("KRW CLP COP CRC".split(), 1000),
    **dict.fromkeys("IDR PYG VND".split(), 10_000),
    "VEF": 100_000,
}
# Budgets in these currencies are whole numbers [DOC 1739381246298114].
INTEGER_CURRENCIES = frozenset("JPY KRW HUF CLP ISK IDR TWD PYG VND".split())

# Manual catalog campaign [DOC 1750361698613249 "Create Catalog Ads"; DOC 1834189985160193 "Sales" objective].
# PRODUCT_SALES + source CATALOG replaces the deprecated CATALOG_SALES [BUBUBA enum/objective_type.go].
CAMPAIGN_OBJECTIVE = "PRODUCT_SALES"
CAMPAIGN_PRODUCT_SOURCE = "CATALOG"
VIRTUAL_OBJECTIVE = "SALES"
SALES_DESTINATION = "WEBSITE"
# Purchase-optimised website ad group: goal CONVERT on the pixel's "Complete Payment" event, which the
# API calls SHOPPING [DOC 1739361474981889 "Conversion events"].
OPTIMIZATION_GOAL = "CONVERT"
OPTIMIZATION_EVENT = "SHOPPING"
BILLING_EVENT = "OCPM"
BID_TYPE = "BID_TYPE_NO_BID"
PACING = "PACING_MODE_SMOOTH"
# The catalog-video format needs no video of the merchant's own [DOC 1750361698613249].
AD_FORMAT = {"dynamic_format": "UNSET", "ad_format": "SINGLE_VIDEO", "vertical_video_strategy": "CATALOG_VIDEOS",
             "dynamic_destination": "UNSET", "shopping_ads_fallback_type": "CUSTOM"}
CALL_TO_ACTION = "SHOP_NOW"
IDENTITY_TYPE = "CUSTOMIZED_USER"  # the only identity catalog video ads accept [DOC 1750361698613249]
AD_TEXT_MAX = 100  # 1-100 characters, no emoji [DOC 1750361698613249; SDK-old]
NAME_MAX = 512  # campaign, ad group and ad names [DOC 1739320422086657]
IDENTITY_NAME_MAX = 100  # display_name [DOC 1740654203526146]
# "YYYY-MM-DD HH:MM:SS" in UTC; the start may lie up to 12 h in the past [BUBUBA model/adgroup; SDK-old].
SCHEDULE_FORMAT = "%Y-%m-%d %H:%M:%S"
PLACEMENTS = ["PLACEMENT_TIKTOK"]  # the placement /tool/region/ is asked about [SDK ToolApi.md tool_region]

# UNCONFIRMED (TIKTOK_ADS_API.md 9.1): whether ``operation_status: DISABLE`` on /campaign/create/ is
# honoured. TikTok's SDK (python_sdk/docs/CampaignCreateBody.md) says it is allowlist-only and "ignored
# and no error message will appear" otherwise. We send it, read the status back, and pause explicitly
# with /campaign/status/update/ when TikTok enabled the campaign anyway.
CREATE_DISABLED = "DISABLE"

# Upgraded Smart+ [DOC 1843312852800706, DOC 1847302895272962]: WEB_CONVERSIONS with the catalog enabled,
# CBO on, and a catalog with at least two approved products (offered only then). An account without the
# feature gets 40118 ("not allowlisted") or 40002 at create: which one is UNCONFIRMED (TIKTOK_ADS_API.md 8).
SMART_PLUS_OBJECTIVE = "WEB_CONVERSIONS"
# UNCONFIRMED: the SDK schema lists ``creative_list`` (the merchant's own videos) as required on
# /smart_plus/ad/create/, while the guide (DOC 1847302895272962) lets catalog_creative_toggle make the
# creatives from the catalog (TEMPLATE_VIDEO). We send catalog media only; TikTok's refusal is shown as is.
SMART_PLUS_CATALOG_MEDIA = ("TEMPLATE_VIDEO",)
SMART_PLUS_BUDGET_MODE = "BUDGET_MODE_DYNAMIC_DAILY_BUDGET"
SMART_PLUS_MIN_APPROVED = 2

# Product sets [DOC 1740572891104257 create, DOC 1740673108747265 filter fields and operators].
# UNCONFIRMED (TIKTOK_ADS_API.md 9.3): the name limit reads "less than 28" in one doc and "28" in another:
# 27 satisfies both.
SET_NAME_MAX = 27
SET_VALUES_MAX = 1024  # values across all conditions, or requests may time out
SET_DELETE_MAX = 10
LIST_OPERATIONS = ("CONTAIN", "I_CONTAIN", "EXCLUDE", "I_EXCLUDE", "WILDCARD", "I_WILDCARD", "NOT_WILDCARD",
                   "I_NOT_WILDCARD", "PREFIX", "I_PREFIX")
TEXT_OPERATIONS = ("EQUAL", "NOT_EQUAL", "WILDCARD", "I_WILDCARD", "NOT_WILDCARD", "I_NOT_WILDCARD", "PREFIX",
                   "I_PREFIX")
NUMBER_OPERATIONS = ("GT", "GTE", "LT", "LTE", "EQUAL")
ENUM_OPERATIONS = ("EQUAL", "NOT_EQUAL")
SET_FIELDS = {
    **dict.fromkeys(("title", "description", "color", "material", "pattern", "size"), TEXT_OPERATIONS),
    **dict.fromkeys(("brand", "item_group_id", "google_product_category", "product_type",
                     *(f"custom_label_{n}" for n in range(5))), LIST_OPERATIONS),
    **dict.fromkeys(("availability", "condition", "age_group", "gender"), ENUM_OPERATIONS),
    **dict.fromkeys(("price", "sale_price"), NUMBER_OPERATIONS),
}
SET_ENUMS = {"availability": ("IN_STOCK", "AVAILABLE_FOR_ORDER", "PREORDER", "OUT_OF_STOCK", "DISCONTINUED"),
             "condition": ("NEW", "REFURBISHED", "USED"),
             "age_group": ("NEW_BORN", "INFANT", "TODDLER", "KIDS", "ADULT"),
             "gender": ("MALE", "FEMALE", "UNISEX")}
# UNCONFIRMED (TIKTOK_ADS_API.md 9.4): /catalog/set/get/ lists sets under ``list`` (DOC 1740570556295169)
# or ``product_set`` (BUBUBA model/catalog/set/get.go): server.tiktok.product_sets.LIST_KEYS reads both.

# Catalog diagnostics [DOC 1771117232728066]: page_size 1-20; the data lags one day.
DIAGNOSTIC_PAGE_SIZE = 20
# Pixel statistics [SDK pixel_event_stats.yml]: at most 30 days. UNCONFIRMED: the event-type names in
# the answer; the order event is read under each of its names.
PIXEL_STATS_ALIASES = {"Purchase": ("Purchase", "CompletePayment"), "PlaceAnOrder": ("PlaceAnOrder",)}


def currency_ratio(currency):
    """TikTok's budget ratio for ``currency``; None for a currency the docs do not list (UNCONFIRMED)."""
    return CURRENCY_RATIOS.get((currency or "").upper())
