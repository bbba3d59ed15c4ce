"""Products as merchants send them (Google Merchant Center names, JSON or feed text) made uniform.

``normalize`` turns one raw item into a ``Product`` or raises ``MalformedItem`` when the item cannot
be understood at all (no id, wrong types, a price that is not an amount). Breaking TikTok's rules
is not malformed: those products are kept and shown as invalid (see ``rules``).
"""
import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from server.catalog.text import plain_text, single_line

MAX_ID = 255
DESCRIPTION_LIMIT = 10_000
MAX_ADDITIONAL_IMAGES = 10

# Our name <- the names accepted for it (Google Merchant Center first, then common synonyms).
ALIASES = {
    "id": ("id", "sku", "sku_id"),
    "title": ("title", "name"),
    "description": ("description", "body_html"),
    "link": ("link", "url", "landing_page_url"),
    "image_link": ("image_link", "image_url", "image"),
    "additional_image_links": ("additional_image_link", "additional_image_links", "additional_image_urls"),
    "availability": ("availability",),
    "condition": ("condition",),
    "price": ("price",),
    "sale_price": ("sale_price",),
    "sale_price_effective_date": ("sale_price_effective_date",),
    "currency": ("currency",),
    "brand": ("brand",),
    "item_group_id": ("item_group_id", "parent_id", "parent_sku"),
    "gtin": ("gtin", "global_trade_item_number"),
    "mpn": ("mpn", "manufacturer_part_number"),
    "google_product_category": ("google_product_category",),
    "product_type": ("product_type",),
    "color": ("color",), "size": ("size",), "gender": ("gender",), "age_group": ("age_group",),
    "material": ("material",), "pattern": ("pattern",), "shipping_weight": ("shipping_weight",),
    "video_link": ("video_link", "video_url"),
    **{f"custom_label_{n}": (f"custom_label_{n}",) for n in range(5)},
}
LOOKUP = {alias: name for name, aliases in ALIASES.items() for alias in aliases}

AVAILABILITY = {"in stock": "IN_STOCK", "instock": "IN_STOCK", "out of stock": "OUT_OF_STOCK",
                "outofstock": "OUT_OF_STOCK", "preorder": "PREORDER", "pre order": "PREORDER",
                "backorder": "AVAILABLE_FOR_ORDER", "available for order": "AVAILABLE_FOR_ORDER",
                "discontinued": "DISCONTINUED"}
CONDITIONS = {"new": "NEW", "refurbished": "REFURBISHED", "used": "USED"}
GENDERS = {"male": "MALE", "female": "FEMALE", "unisex": "UNISEX"}
AGE_GROUPS = {"newborn": "NEW_BORN", "new born": "NEW_BORN", "infant": "INFANT", "toddler": "TODDLER",
              "kids": "KIDS", "adult": "ADULT"}
ENUMS = {"availability": AVAILABILITY, "condition": CONDITIONS, "gender": GENDERS, "age_group": AGE_GROUPS}
STATUSES = {"active": "active", "published": "active", "visible": "active", "hidden": "hidden",
            "private": "hidden", "draft": "draft"}

AMOUNT = re.compile(r"^\s*(?:([A-Za-z]{3})\s+)?([0-9][0-9.,\s]*)\s*(?:([A-Za-z]{3}))?\s*$")


class MalformedItem(ValueError):
    """Raised when an item cannot be understood; the message says which field and why."""


@dataclass
class Product:
    """A normalized product: ``data`` holds the merchant fields under our names."""

    sku: str
    data: dict
    visibility: str = "active"
    category_ids: list = field(default_factory=list)


# Part of every source hash: bump it when normalizing or checking changes, so that unchanged
# items are looked at again on their next import.
NORMALIZER_VERSION = "1"


def source_hash(raw):
    """A hash of an item exactly as the merchant sent it: unchanged items skip everything else."""
    text = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.blake2b((NORMALIZER_VERSION + text).encode("utf-8"), digest_size=16).hexdigest()


def item_sku(raw):
    """The SKU of a raw item (its ``id`` under any accepted spelling); raises ``MalformedItem``."""
    if not isinstance(raw, dict):
        raise MalformedItem("an item must be an object with product fields")
    for key, value in raw.items():
        if _name(key) == "id" and value is not None and value != "":
            return _identifier(value)
    return _identifier(None)


def normalize(raw):
    """One raw item (dict of field -> value) as a ``Product``; raises ``MalformedItem``."""
    if not isinstance(raw, dict):
        raise MalformedItem("an item must be an object with product fields")
    values = {}
    for key, value in raw.items():
        name = _name(key)
        if name is not None and value is not None and value != "" and value != []:
            if name in values and name != "additional_image_links":
                continue  # the first spelling wins
            values[name] = value
    sku = _identifier(values.pop("id", None))
    data = {"id": sku}
    for name, value in values.items():
        data[name] = _field(name, value)
    data.update(_price_fields(data))
    return Product(sku=sku, data={k: v for k, v in data.items() if v not in (None, "", [])},
                   visibility=_visibility(raw), category_ids=_categories(raw, data.get("product_type")))


_NAMES = {}  # raw field name -> our name: feeds repeat the same few dozen names millions of times


def _name(key):
    try:
        return _NAMES[key]
    except KeyError:
        name = LOOKUP.get(str(key).strip().lower().removeprefix("g:"))
        if len(_NAMES) < 4096:
            _NAMES[key] = name
        return name
    except TypeError:  # an unhashable key cannot be a field name
        return None


def _identifier(value):
    if value is None:
        raise MalformedItem("id: missing (every product needs its SKU as id)")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise MalformedItem("id: must be a string")
    text = str(value).strip()
    if not text:
        raise MalformedItem("id: empty")
    if len(text) > MAX_ID:
        raise MalformedItem(f"id: longer than {MAX_ID} characters")
    return text


def _field(name, value):
    if name == "additional_image_links":
        return _url_list(value)
    if name in ("price", "sale_price"):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise MalformedItem(f"{name}: must be a number or text such as '19.90 USD'")
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise MalformedItem(f"{name}: must be text, not {type(value).__name__}")
    if name == "description":
        return plain_text(value, limit=DESCRIPTION_LIMIT)
    text = single_line(value) if name in ("title", "brand", "color", "size", "material", "pattern") else value.strip()
    if name in ENUMS:
        key = text.lower().replace("_", " ").replace("-", " ").strip()
        return ENUMS[name].get(key) or ENUMS[name].get(key.replace(" ", "")) or text.upper()
    return text


def _url_list(value):
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()][:MAX_ADDITIONAL_IMAGES]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        # One URL per list item (JSON arrays, repeated feed elements): a comma inside stays a comma.
        return [v.strip() for v in value if v.strip()][:MAX_ADDITIONAL_IMAGES]
    raise MalformedItem("additional_image_link: must be a URL or a list of URLs")


def _price_fields(data):
    found = {}
    currency = data.get("currency")
    for name in ("price", "sale_price"):
        if name not in data:
            continue
        amount, code = parse_amount(data[name], name)
        found[name] = amount
        if code:
            if currency and code != currency:
                raise MalformedItem(f"{name}: currency {code} differs from the product's {currency}")
            currency = code
    if currency:
        found["currency"] = currency.upper()
    return found


def parse_amount(value, name="price"):
    """An amount as ``(decimal text, currency or None)`` from 19.9, "19.90", "19,90 BRL", "USD 5"."""
    if isinstance(value, (int, float)):
        return _decimal_text(Decimal(str(value)), name), None
    match = AMOUNT.match(value)
    if not match or (match.group(1) and match.group(3)):
        raise MalformedItem(f"{name}: {value!r} is not an amount such as '19.90 USD'")
    number = match.group(2).replace(" ", "")
    if "," in number and "." in number:
        decimal_mark = "," if number.rfind(",") > number.rfind(".") else "."
        number = number.replace("." if decimal_mark == "," else ",", "").replace(",", ".")
    elif "," in number:
        head, _, tail = number.rpartition(",")
        number = head.replace(",", "") + ("." + tail if len(tail) != 3 or not head else tail)
    try:
        amount = Decimal(number)
    except InvalidOperation:
        raise MalformedItem(f"{name}: {value!r} is not an amount such as '19.90 USD'") from None
    code = (match.group(1) or match.group(3) or "").upper() or None
    return _decimal_text(amount, name), code


def _decimal_text(amount, name):
    if not amount.is_finite():
        raise MalformedItem(f"{name}: not a finite amount")
    return format(amount.quantize(Decimal("0.01")), "f")


def _visibility(raw):
    status = raw.get("status")
    if status is not None:
        if not isinstance(status, str) or status.strip().lower() not in STATUSES:
            raise MalformedItem("status: must be active, hidden or draft")
        return STATUSES[status.strip().lower()]
    if _truthy(raw.get("draft")):
        return "draft"
    if _truthy(raw.get("hidden")):
        return "hidden"
    return "active"


def _truthy(value):
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "y")
    return bool(value)


def _categories(raw, product_type):
    value = raw.get("category_ids", raw.get("categories", raw.get("category")))
    if value in (None, "", []):
        return category_path(product_type) if product_type else []
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        value = [part for part in str(value).split(",")]
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
        raise MalformedItem("categories: must be a list of category ids")
    return sorted({str(v).strip() for v in value if str(v).strip()})


def category_path(product_type):
    """Category ids for a feed's ``product_type`` path: every level, so hiding a parent hides all."""
    parts = [part.strip() for part in str(product_type).split(">") if part.strip()]
    return [" > ".join(parts[: n + 1]) for n in range(len(parts))]
