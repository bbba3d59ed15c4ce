"""What TikTok checks on ad objects, as the emulator applies it: enums, budget ranges per currency,
schedule times. Written from TIKTOK_ADS_API.md independently of the connector's own tables."""
from __future__ import annotations

import datetime as dt

from .envelope import ApiError

RATIO = {1: "USD EUR GBP MYR AED SAR HUF ARS AUD BRL CAD NZD SGD CHF ILS PEN QAR RON", 4: "PLN",
         10: "HKD ZAR DKK SEK NOK TRY MXN THB CNY BOB CZK EGP GTQ HNL MOP TWD NIO UAH UYU", 50: "PHP",
         100: "JPY RUB DZD BDT ISK INR KES NGN PKR", 1000: "KRW CLP COP CRC", 10000: "IDR PYG VND", 100000: "VEF"}
RATIOS = {code: ratio for ratio, codes in RATIO.items() for code in codes.split()}
WHOLE = set("JPY KRW HUF CLP ISK IDR TWD PYG VND".split())
BUDGET_MODES = {"BUDGET_MODE_DAY", "BUDGET_MODE_TOTAL", "BUDGET_MODE_INFINITE", "BUDGET_MODE_DYNAMIC_DAILY_BUDGET"}
OBJECTIVES = {"PRODUCT_SALES", "WEB_CONVERSIONS", "TRAFFIC", "REACH", "VIDEO_VIEWS", "APP_PROMOTION",
              "LEAD_GENERATION", "ENGAGEMENT", "RF_REACH"}
OPTIMIZATION_EVENTS = {"SHOPPING", "INITIATE_ORDER", "ON_WEB_CART", "ON_WEB_DETAIL", "ADD_BILLING",
                       "ON_WEB_ADD_TO_WISHLIST", "ON_WEB_REGISTER", "ON_WEB_SEARCH", "ON_WEB_SUBSCRIBE", "FORM",
                       "CONSULT", "DOWNLOAD_START", "LANDING_PAGE_VIEW"}
GOALS = {"CLICK", "CONVERT", "VALUE", "TRAFFIC_LANDING_PAGE_VIEW"}
BID_TYPES = {"BID_TYPE_NO_BID", "BID_TYPE_CUSTOM"}
CTAS = {"SHOP_NOW", "LEARN_MORE", "ORDER_NOW", "VIEW_NOW", "VISIT_STORE", "PREORDER_NOW", "BUY_NOW", "SIGN_UP"}
STATUSES = {"ENABLE", "DISABLE"}
SCHEDULE = "%Y-%m-%d %H:%M:%S"
# GeoNames ids TikTok uses for countries (US, CA, VN from the official examples; the rest GeoNames).
COUNTRIES = {"US": ("6252001", "United States"), "CA": ("6251999", "Canada"), "GB": ("2635167", "United Kingdom"),
             "BR": ("3469034", "Brazil"), "DE": ("2921044", "Germany"), "FR": ("3017382", "France"),
             "ES": ("2510769", "Spain"), "IT": ("3175395", "Italy"), "MX": ("3996063", "Mexico"),
             "AU": ("2077456", "Australia"), "JP": ("1861060", "Japan"), "VN": ("1562822", "Vietnam")}
LOCATION_IDS = {location_id for location_id, _ in COUNTRIES.values()}


def enum(values: dict, name: str, allowed, *, required: bool = False, default=None):
    """The value of an enum field, 40002 when it is not one of ``allowed``."""
    value = values.get(name, default)
    if value in (None, ""):
        if required:
            raise ApiError(40002, f"{name}: Missing data for required field.")
        return default
    if value not in allowed:
        raise ApiError(40002, f"{name}: Invalid enum value {value!r}.")
    return value


def check_budget(values: dict, currency: str, base: int, what: str) -> float:
    """A daily budget within [base x ratio, 10,000,000 x ratio) of the advertiser's currency."""
    try:
        budget = float(values.get("budget"))
    except (TypeError, ValueError):
        raise ApiError(40002, "budget: Not a valid number.") from None
    ratio = RATIOS.get(currency, 1)
    if budget < base * ratio:
        raise ApiError(40002, f"The {what} budget should be at least {base * ratio} {currency}.")
    if budget >= 10_000_000 * ratio:
        raise ApiError(40002, f"The {what} budget should be less than {10_000_000 * ratio} {currency}.")
    if currency in WHOLE and budget != int(budget):
        raise ApiError(40002, f"budget: {currency} budgets must be integers.")
    return budget


def check_start(values: dict, now: float) -> str:
    """``schedule_start_time`` in "YYYY-MM-DD HH:MM:SS" (UTC), at most 12 hours in the past."""
    text = values.get("schedule_start_time")
    if not text:
        raise ApiError(40002, "schedule_start_time: Missing data for required field.")
    try:
        moment = dt.datetime.strptime(str(text), SCHEDULE).replace(tzinfo=dt.UTC)
    except ValueError:
        raise ApiError(40002, "schedule_start_time: Not a valid datetime, use YYYY-MM-DD HH:MM:SS.") from None
    if moment.timestamp() < now - 12 * 3600:
        raise ApiError(40002, "schedule_start_time: The start time cannot be earlier than the current time.")
    return str(text)


def request_id(values: dict, *, required: bool = False):
    """The idempotency key: an int64 written as a string."""
    value = values.get("request_id")
    if value in (None, ""):
        if required:
            raise ApiError(40002, "request_id: Missing data for required field.")
        return None
    if not isinstance(value, str) or not value.isdigit() or int(value) >= 2**63:
        raise ApiError(40002, "request_id: must be a 64-bit integer written as a string.")
    return value


def timestamp(now: float) -> str:
    """TikTok's create/modify time format."""
    return dt.datetime.fromtimestamp(now, dt.UTC).strftime(SCHEDULE)
