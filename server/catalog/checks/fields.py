"""Products as merchants send them (Google Merchant Center names, JSON or feed text) made uniform.

``normalize`` turns one raw item into a ``Product`` or raises ``MalformedItem`` when the item cannot
be understood at all (no id, wrong types, a price that is not an amount). Breaking TikTok's rules
is not malformed: those products are kept and shown as invalid (see ``rules``).
"""
import functools
import hashlib
from dataclasses import dataclass, field

from server.catalog.checks.text import plain_text, single_line
from server.catalog.checks.values import (
    NEEDS_ESCAPING,
    MalformedItem,
    amount_reading,
    check_gtin,
    escaped_url,
    is_gtin,
    remembered,
)

MAX_ID = 255
DESCRIPTION_LIMIT = 10_000
MAX_ADDITIONAL_IMAGES = 10

# Our name <- the names accepted for it: Google Merchant Center first, then TikTok's own catalog
# template and v1.3 names, Google Ads custom feeds (Shopify and others export them: "Item title",
# "Final URL"...), Meta catalog columns, Shopify's product export, and common synonyms. Feed column
# names are compared lower-cased, with spaces and hyphens read as underscores.
ALIASES = {
    "id": ("id", "sku", "sku_id", "variant_sku"),
    "title": ("title", "name", "item_title"),
    "description": ("description", "body_html", "item_description", "summary", "content", "body_(html)",
                    "rich_text_description"),
    "link": ("link", "url", "landing_page_url", "final_url"),
    "image_link": ("image_link", "image_url", "image", "image[0].url", "image_src"),
    "additional_image_links": ("additional_image_link", "additional_image_links", "additional_image_urls"),
    "availability": ("availability",),
    "condition": ("condition",),
    "price": ("price", "variant_price"),
    "sale_price": ("sale_price",),
    "sale_price_effective_date": ("sale_price_effective_date",),
    "currency": ("currency",),
    "brand": ("brand", "vendor"),
    "item_group_id": ("item_group_id", "parent_id", "parent_sku", "handle"),
    "gtin": ("gtin", "global_trade_item_number", "ean", "upc", "barcode", "variant_barcode"),
    "mpn": ("mpn", "manufacturer_part_number"),
    "google_product_category": ("google_product_category",),
    "product_type": ("product_type", "item_category", "product_category", "type"),
    "color": ("color", "colour"), "size": ("size",), "gender": ("gender",), "age_group": ("age_group",),
    "material": ("material",), "pattern": ("pattern",), "shipping_weight": ("shipping_weight",),
    "video_link": ("video_link", "video_url", "video[0].url"),
    **{f"custom_label_{n}": (f"custom_label_{n}",) for n in range(5)},
}
LOOKUP = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
# Not a Merchant field: a catalog source's sentence about what it did to the item (the product's
# "why" shows it; TikTok never gets it).
SOURCE_NOTE = "source_note"

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
            "private": "hidden", "archived": "hidden", "draft": "draft"}  # archived: Meta catalogs

@dataclass
class Product:
    """A normalized product: ``data`` holds the merchant fields under our names."""

    sku: str
    data: dict
    visibility: str = "active"
    category_ids: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # (code, sentence): what was changed on the way in


# Part of every source hash: bump it when normalizing or checking changes, so that unchanged
# items are looked at again on their next import.
NORMALIZER_VERSION = "4"


def source_hash(raw):
    """A hash of an item exactly as the merchant sent it: unchanged items skip everything else.

    A feed item (text values) is hashed as its names and values joined by a separator none of
    them holds; any other item as Python's rendering of it, exact for what JSON holds. Both keep
    the fields in the order they came: an item sent in another order only costs a fresh look
    (its outgoing payload, and so what TikTok gets, is the same)."""
    try:
        values = "\x1f".join(raw.values())
    except TypeError:  # some value is not text
        values = None
    if values is not None:
        names = "\x1f".join(raw)
        gaps = len(raw) - 1
        if values.count("\x1f") == gaps and names.count("\x1f") == gaps and "\x1e" not in names:
            text = f"{NORMALIZER_VERSION}\x1e{names}\x1e{values}"
            return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return hashlib.blake2b(f"{NORMALIZER_VERSION}{raw!r}".encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


def item_sku(raw):
    """The SKU of a raw item (its ``id`` under any accepted spelling); raises ``MalformedItem``."""
    if not isinstance(raw, dict):
        raise MalformedItem("an item must be an object with product fields")
    return _sku(raw, _plan_of(raw)[0])


def normalize(raw):
    """One raw item (dict of field -> value) as a ``Product``; raises ``MalformedItem``."""
    if not isinstance(raw, dict):
        raise MalformedItem("an item must be an object with product fields")
    id_key, fields = _plan_of(raw)
    sku = _sku(raw, id_key)
    data = {"id": sku}
    for key, name, reader in fields:
        value = raw[key]
        if reader is None and value.__class__ is str:
            value = value.strip()  # most fields: text kept as it is, trimmed
            if value:
                data[name] = value
            continue
        if value is None or value == "" or value == []:
            continue
        value = reader(name, value) if reader is not None else _text(name, value)
        if value or name in AMOUNTS:  # empty text is no value; a zero price is a wrong one
            data[name] = value
    if "price" in data or "sale_price" in data or "currency" in data:
        data.update(_price_fields(data))
    urls = [data[name] for name in URL_FIELDS if name in data]  # read as text above
    if urls and NEEDS_ESCAPING.search(",".join(urls)):  # one look for all: most need no escaping
        for name in URL_FIELDS:
            value = data.get(name)
            if value is not None and NEEDS_ESCAPING.search(value):
                data[name] = escaped_url(value)
    notes = []
    gtin = data.get("gtin")
    if gtin is not None and not is_gtin(gtin):  # most GTINs are digits only, and right
        check_gtin(data, notes)
    note = raw.get(SOURCE_NOTE)
    if note.__class__ is str and note.strip():  # what a catalog source did to the item (never sent)
        notes.append(("source_note", single_line(note, limit=500)))
    product_type = data.get("product_type")
    return Product(sku=sku, data=data, visibility=_visibility(raw), category_ids=_categories(raw, product_type),
                   notes=notes)


_PLANS = {}  # an item's field names, in order -> how to read it: feeds repeat a few shapes


def _plan_of(raw):
    keys = tuple(raw)
    plan = _PLANS.get(keys)
    return plan if plan is not None else _plan(keys, raw)


def _sku(raw, id_key):
    value = raw[id_key] if id_key is not None else None
    return _identifier(None if value == "" or value == [] else value)


def _plan(keys, raw):
    """(the id's key, [(key, our name, reader)]) for items with these keys, in this order.

    Where a field comes under several spellings, the first one the merchant filled in counts (the
    last, for additional images): that plan depends on the item and is not kept."""
    names = [_name(key) for key in keys]
    known = [name for name in names if name is not None]
    if len(set(known)) < len(known):
        chosen = {}  # our name -> the key it is read from, in the order the names first came
        for key, name in zip(keys, names, strict=True):
            value = raw[key]
            if name is not None and value is not None and value != "" and value != []:
                if name not in chosen or name == "additional_image_links":
                    chosen[name] = key
        id_key = chosen.get("id")
        fields = [(key, name, FIELD_READERS.get(name)) for name, key in chosen.items() if name != "id"]
        return id_key, fields
    id_key = keys[names.index("id")] if "id" in names else None
    fields = [(key, name, FIELD_READERS.get(name)) for key, name in zip(keys, names, strict=True)
              if name is not None and name != "id"]
    plan = id_key, fields
    if len(_PLANS) < 1024:
        _PLANS[keys] = plan
    return plan


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


# How each field is read: ``reader(name, value)`` gives the value to keep or raises MalformedItem.

def _as_text(name, value):
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise MalformedItem(f"{name}: must be text, not {type(value).__name__}")


def _text(name, value):
    return _as_text(name, value).strip()


def _line(name, value):
    # Titles, brands and the like: one line, markup removed.
    value = _as_text(name, value)
    if "<" in value or "&" in value:
        return single_line(value)
    return " ".join(value.split())


def _product_type(name, value):
    # A path such as "Roupas > Camisetas": kept as sent unless markup or entities are left in it.
    if value.__class__ is str and "&" not in value and "<" not in value:
        return value.strip()
    return _line(name, value)


def _description(name, value):
    return plain_text(_as_text(name, value), limit=DESCRIPTION_LIMIT)


_ENUM_READINGS = {}  # (field, text as sent) -> value: catalogs spell availability a handful of ways


def _enum(name, value):
    text = _text(name, value)
    try:
        return _ENUM_READINGS[name, text]
    except KeyError:
        pass
    key = text.lower().replace("_", " ").replace("-", " ").strip()
    reading = ENUMS[name].get(key) or ENUMS[name].get(key.replace(" ", "")) or text.upper()
    if len(_ENUM_READINGS) < 4096 and len(text) <= 64:
        _ENUM_READINGS[name, text] = reading
    return reading


def _amount(name, value):
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise MalformedItem(f"{name}: must be a number or text such as '19.90 USD'")
    return value


def _image_links(name, value):
    return _url_list(value)


def _same_as_last(reader):
    """``reader`` for a long text that the items next to each other share (the variants of one
    product, listed together, share their description): read again only when it changes."""
    last = [("", "")]  # (the text last read, its reading): swapped whole, so threads never mix two

    def read(name, value):
        if value.__class__ is str:
            text, reading = last[0]
            if value == text:
                return reading
            reading = reader(name, value)
            last[0] = (value, reading)
            return reading
        return reader(name, value)

    return read


AMOUNTS = frozenset(("price", "sale_price"))
URL_FIELDS = ("link", "image_link", "video_link")
REPEATED_LINE_FIELDS = ("brand", "color", "size", "material", "pattern")
FIELD_READERS = {"additional_image_links": _image_links, "price": _amount, "sale_price": _amount,
                 "description": _same_as_last(_description), "title": _line,
                 "product_type": _product_type,  # feeds escape it twice: "&amp;gt;"
                 **dict.fromkeys(REPEATED_LINE_FIELDS, remembered(_line, longest=64)),
                 **dict.fromkeys(ENUMS, _enum)}


def _url_list(value):
    try:
        if isinstance(value, str):
            urls = [url for url in map(str.strip, value.split(",")) if url]
        elif isinstance(value, list):
            # One URL per list item (JSON arrays, repeated feed elements): a comma inside stays a comma.
            urls = [url for url in map(str.strip, value) if url]
        else:
            raise TypeError
    except TypeError:  # not text, or a list holding something else
        raise MalformedItem("additional_image_link: must be a URL or a list of URLs") from None
    urls = urls[:MAX_ADDITIONAL_IMAGES]
    if not NEEDS_ESCAPING.search(",".join(urls)):  # "," needs none: one look for all of them
        return urls
    return [escaped_url(url) if NEEDS_ESCAPING.search(url) else url for url in urls]


def _price_fields(data):
    found = {}
    currency = data.get("currency")
    for name in ("price", "sale_price"):
        if name not in data:
            continue
        amount, code = amount_reading(name, data[name])
        found[name] = amount
        if code:
            if currency and code != currency:
                raise MalformedItem(f"{name}: currency {code} differs from the product's {currency}")
            currency = code
    if currency:
        found["currency"] = currency.upper()
    return found


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


@functools.lru_cache(maxsize=1024)
def _category_path(product_type):
    parts = [part.strip() for part in product_type.split(">") if part.strip()]
    return tuple(" > ".join(parts[: n + 1]) for n in range(len(parts)))


def category_path(product_type):
    """Category ids for a feed's ``product_type`` path: every level, so hiding a parent hides all."""
    return list(_category_path(str(product_type)))
