"""How the emulated TikTok checks uploaded products and reviews them.

Rules ``field_errors`` enforces, and where each comes from (BUBUBA = bububa/tiktok-business
model/catalog/product/ecom_product.go, which translates TikTok's catalog doc; see TIKTOK_API.md):
- required fields, length limits, availability and condition enums: BUBUBA EcomProduct, TIKTOK_API 5.5.
- ``product_detail.gender`` MALE | FEMALE | UNISEX and ``age_group`` NEW_BORN | INFANT | TODDLER |
  KIDS | ADULT: BUBUBA EcomProductDetail.
- at most 10 ``additional_image_urls``: BUBUBA EcomProduct.AdditionalImageURLs.
- ``sku_id`` and ``title`` without emoji or control characters: BUBUBA EcomProduct.SkuID, .Title.
- ``price_info.sale_price_effective_date`` as ``YYYY-MM-DDTHH:MM+00:00/YYYY-MM-DDTHH:MM+00:00``,
  the start before the end: BUBUBA PriceInfo.SalePriceEffectiveDate.
- images JPG or PNG (a URL naming another image type is refused): BUBUBA EcomProduct.ImageURL.
- price currency equal to the catalog's: BUBUBA PriceInfo.Currency.
"""
from __future__ import annotations

import datetime as dt
import re

AVAILABILITY = {"IN_STOCK", "AVAILABLE_FOR_ORDER", "PREORDER", "OUT_OF_STOCK", "DISCONTINUED"}
CONDITIONS = {"NEW", "REFURBISHED", "USED"}
REQUIRED = ("sku_id", "title", "description", "availability", "brand", "image_url",
            "product_detail.condition", "price_info.price", "landing_page.landing_page_url")
LIMITS = {"sku_id": 100, "title": 500, "description": 10000, "brand": 150}
GENDERS = {"MALE", "FEMALE", "UNISEX"}
AGE_GROUPS = {"NEW_BORN", "INFANT", "TODDLER", "KIDS", "ADULT"}
MAX_ADDITIONAL_IMAGES = 10
# Emoji and pictographs, variation selectors and joiners; and control characters (C0, DEL, C1).
EMOJI = re.compile("[\U0001F000-\U0001FAFF\U00002600-\U000027BF\U0001F1E6-\U0001F1FF\uFE0F\u200D]")
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
SALE_MOMENT = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}[+-]\d{2}:\d{2}"
SALE_PERIOD = re.compile(f"({SALE_MOMENT})/({SALE_MOMENT})")
OTHER_IMAGE_TYPES = re.compile(r"\.(webp|gif|bmp|tiff?|svg|heic|avif)$", re.IGNORECASE)

PROHIBITED_REASON = ("The product/service promoted in this ad belongs to a prohibited industry in your "
                     "ad targeting location(s), which is not allowed per TikTok Advertising Policies.")
PROHIBITED_SUGGESTION = ("Please change the promoted product/service, or remove it from the catalog, "
                         "and make sure it complies with TikTok Advertising Policies.")
IMAGE_REASON = "Image size is too small. The main image must be at least 500x500 pixels."
IMAGE_SUGGESTION = "Please upload a JPG or PNG image of at least 500x500 pixels."
PLACEMENTS = ["PLACEMENT_TIKTOK", "PLACEMENT_PANGLE"]


def _get(product: dict, dotted: str):
    value = product
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def field_errors(product: dict, catalog: dict) -> list[tuple[str, str, str]]:
    """(field, issue, suggestion) for each reason TikTok refuses to add this product."""
    problems = []
    for name in REQUIRED:
        if _get(product, name) in (None, "", []):
            problems.append((name, "Missing required field", f"Add a value for {name}."))
    for name, limit in LIMITS.items():
        value = product.get(name)
        if isinstance(value, str) and len(value) > limit:
            problems.append((name, f"Value exceeds {limit} characters", f"Shorten {name}."))
    if product.get("availability") and product["availability"] not in AVAILABILITY:
        problems.append(("availability", "Invalid value", "Use one of: " + ", ".join(sorted(AVAILABILITY))))
    condition = _get(product, "product_detail.condition")
    if condition and condition not in CONDITIONS:
        problems.append(("product_detail.condition", "Invalid value", "Use NEW, REFURBISHED or USED."))
    price = _get(product, "price_info.price")
    if price not in (None, "") and not _positive_number(price):
        problems.append(("price_info.price", "Invalid price", "Use a number greater than 0."))
    currency = _get(product, "price_info.currency")
    if currency and currency != catalog["catalog_conf"]["currency"]:
        problems.append(("price_info.currency", "Currency does not match the catalog",
                         f"Use {catalog['catalog_conf']['currency']}."))
    return problems + _detail_errors(product)


def _detail_errors(product: dict) -> list[tuple[str, str, str]]:
    problems = []
    for name, allowed in (("gender", GENDERS), ("age_group", AGE_GROUPS)):
        value = _get(product, f"product_detail.{name}")
        if value not in (None, "") and value not in allowed:
            problems.append((f"product_detail.{name}", "Invalid value", "Use one of: " + ", ".join(sorted(allowed))))
    extra = product.get("additional_image_urls") or []
    if not isinstance(extra, list) or len(extra) > MAX_ADDITIONAL_IMAGES:
        problems.append(("additional_image_urls", f"At most {MAX_ADDITIONAL_IMAGES} additional images",
                         "Remove some additional images."))
    for name in ("sku_id", "title"):
        value = product.get(name)
        if isinstance(value, str) and (EMOJI.search(value) or CONTROL.search(value)):
            problems.append((name, "Contains emoji or control characters", f"Use plain text in {name}."))
    period = _get(product, "price_info.sale_price_effective_date")
    if period not in (None, "") and not _valid_period(period):
        problems.append(("price_info.sale_price_effective_date", "Invalid format",
                         "Use YYYY-MM-DDTHH:MM+00:00/YYYY-MM-DDTHH:MM+00:00, the start before the end."))
    for url in [product.get("image_url"), *(extra if isinstance(extra, list) else [])]:
        if isinstance(url, str) and OTHER_IMAGE_TYPES.search(url.split("?", 1)[0]):
            problems.append(("image_url", "Image format not supported", "Use JPG or PNG images."))
            break
    return problems


def _valid_period(value) -> bool:
    match = SALE_PERIOD.fullmatch(str(value))
    if match is None:
        return False
    try:
        start, end = (dt.datetime.strptime(part, "%Y-%m-%dT%H:%M%z") for part in match.groups())
    except ValueError:
        return False
    return start < end


def _positive_number(value) -> bool:
    try:
        return float(value) > 0
    except (TypeError, ValueError):
        return False


def verdict(product: dict, catalog: dict, st) -> tuple[dict, list[tuple[str, str, str]]]:
    """The review outcome for an accepted product, and upload warnings to report."""
    settings = st.settings
    warnings = []
    width, height = st.image_size(product.get("image_url") or "")
    minimum = int(settings["min_image_px"])
    region = catalog["catalog_conf"]["region_code"]
    if width < minimum or height < minimum:
        warnings.append(("image_url", "Image size is too small", IMAGE_SUGGESTION))
        if settings["small_image_outcome"] == "rejected":
            return _rejected(IMAGE_REASON, IMAGE_SUGGESTION, region), warnings
        # TikTok filters the image out and never approves the product.
        return {"audit_status": "processing", "rejected_info": []}, warnings
    title = (product.get("title") or "").lower()
    if any(word.lower() in title for word in settings["prohibited_words"]):
        return _rejected(PROHIBITED_REASON, PROHIBITED_SUGGESTION, region), warnings
    return {"audit_status": "approved", "rejected_info": []}, warnings


def _rejected(reason: str, suggestion: str, region: str) -> dict:
    return {"audit_status": "rejected",
            "rejected_info": [{"reason": reason, "suggestion": suggestion,
                               "affected_placement": list(PLACEMENTS), "affected_country": [region]}]}


def group_issues(found: list[tuple[int, dict, tuple[str, str, str]]]) -> list[dict]:
    """TikTok's ``error_affected_products`` shape: one entry per (field, issue), up to 5 examples."""
    grouped: dict[tuple[str, str], dict] = {}
    for index, product, (field, issue, suggestion) in found:
        entry = grouped.setdefault((field, issue), {
            "field": field, "issue": issue, "suggestion": suggestion,
            "affected_product_count": 0, "affected_product_item_list": []})
        entry["affected_product_count"] += 1
        if len(entry["affected_product_item_list"]) < 5:
            entry["affected_product_item_list"].append({
                "index": index, "sku_id": product.get("sku_id"), "title": product.get("title"),
                "value": _get(product, field) if isinstance(_get(product, field), (str, int, float)) else None,
                "product_url": _get(product, "landing_page.landing_page_url")})
    return list(grouped.values())
