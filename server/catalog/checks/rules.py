"""Pre-flight checks that mirror what TikTok refuses, run before anything leaves.

Each finding is ``{"code", "field", "message"}`` in words a merchant can act on. Image size and
type are measured separately (``images``), right before upload.
"""
import functools
import re
from decimal import Decimal

from server.catalog.checks import sale_dates

REQUIRED = ("title", "description", "availability", "condition", "price", "link", "image_link", "brand")
LIMITS = {"id": 100, "title": 500, "description": 10_000, "brand": 150, "item_group_id": 100,
          "gtin": 50, "mpn": 70, "color": 100, "size": 100, "material": 200, "pattern": 100,
          **{f"custom_label_{n}": 100 for n in range(5)}}
ENUM_VALUES = {
    "availability": ("IN_STOCK", "AVAILABLE_FOR_ORDER", "PREORDER", "OUT_OF_STOCK", "DISCONTINUED"),
    "condition": ("NEW", "REFURBISHED", "USED"),
    "gender": ("MALE", "FEMALE", "UNISEX"),
    "age_group": ("NEW_BORN", "INFANT", "TODDLER", "KIDS", "ADULT"),
}
FEED_WORDS = {"availability": "in stock, available for order, preorder, out of stock, discontinued",
              "condition": "new, refurbished, used", "gender": "male, female, unisex",
              "age_group": "newborn, infant, toddler, kids, adult"}
# Per field: (length limit or None, allowed values or None); one lookup per field of a product.
FIELD_RULES = {name: (LIMITS.get(name), ENUM_VALUES.get(name)) for name in {*LIMITS, *ENUM_VALUES}}
EMOJI = re.compile("[\U0001F000-\U0001FAFF\U00002600-\U000027BF\U0001F1E6-\U0001F1FF\uFE0F\u200D]")
NO_EMOJI = ("id", "title")


def problem(code, field, message):
    """One finding."""
    return {"code": code, "field": field, "message": message}


def check(data, *, currency, domains):
    """Every rule ``data`` (a normalized product) breaks, for a store with ``currency`` and ``domains``."""
    found = []
    for name in REQUIRED:
        if not data.get(name):
            found.append(problem("missing", name, f"{name} is required by TikTok"))
    for name, value in data.items():
        rule = FIELD_RULES.get(name)
        if rule is None:
            continue
        limit, allowed = rule
        if limit is not None and isinstance(value, str) and len(value) > limit:
            found.append(problem("too_long", name, f"{name} has {len(value)} characters; TikTok allows {limit}"))
        if allowed is not None and value not in allowed:
            found.append(problem("bad_value", name, f"{name} {value!r} is not one of: {FEED_WORDS[name]}"))
    for name in NO_EMOJI:
        value = data.get(name)
        if value and not value.isascii() and EMOJI.search(value):
            found.append(problem("emoji", name, f"{name} contains emoji, which TikTok does not accept"))
    found += _prices(data, currency)
    if "sale_price_effective_date" in data:
        found += sale_dates.problems(data)
    found += _urls(data, domains)
    return found


def _prices(data, currency):
    found = []
    price = Decimal(data["price"]) if data.get("price") else None
    if price is not None and price <= 0:
        found.append(problem("bad_price", "price", "price must be greater than 0"))
    if data.get("sale_price"):
        sale = Decimal(data["sale_price"])
        if sale <= 0:
            found.append(problem("bad_price", "sale_price", "sale_price must be greater than 0"))
        elif price is not None and sale > price:
            found.append(problem("bad_price", "sale_price", "sale_price must not be above price"))
    if data.get("currency") and currency and data["currency"] != currency:
        found.append(problem("currency", "price",
                             f"price is in {data['currency']}; the store's TikTok catalog is in {currency}"))
    return found


@functools.lru_cache(maxsize=256)
def _hosts(domains):
    return frozenset(d.split(":", 1)[0].lower() for d in domains)


def _urls(data, domains):
    found = []
    hosts = _hosts(tuple(domains or ()))
    link = data.get("link")
    if link:
        host = _https_host(link)
        if host is None:
            found.append(_not_https("link", link))
        elif hosts and host not in hosts and not any(host.endswith("." + h) for h in hosts):
            found.append(problem("foreign_link", "link",
                                 f"link points to {host}, which is not one of the store's domains "
                                 f"({', '.join(sorted(hosts))})"))
    if data.get("image_link") and _https_host(data["image_link"]) is None:
        found.append(_not_https("image_link", data["image_link"]))
    for url in data.get("additional_image_links") or []:
        if _https_host(url) is None:
            found.append(_not_https("additional_image_link", url))
            break
    return found


def _not_https(field, url):
    """The finding for a URL TikTok will not take: an http:// one, or one that is no web address."""
    if url[:7].lower() == "http://":
        return problem("http_url", field, f"{field} is an http:// address; TikTok needs https://")
    return problem("bad_url", field, f"{field} {url[:80]!r} is not a web address (https://...)")


# An https:// URL without spaces or backslashes; group 1: its host (after any user info, before
# any port), bracketed for IPv6 literals.
HTTPS_URL = re.compile(r"(?i:https)://(?:[^ \t\r\n\\/?#]*@)?(\[[^ \t\r\n\\/?#\]]*\]?|[^ \t\r\n\\/?#:]*)"
                       r"[^ \t\r\n\\/?#]*(?:[/?#][^ \t\r\n\\]*)?")


def _https_host(url):
    """The lower-cased host of an https:// URL, or None."""
    match = HTTPS_URL.fullmatch(url) if isinstance(url, str) else None
    if match is None:
        return None
    host = match.group(1)
    if host.startswith("["):
        host = host[1:-1] if host.endswith("]") else ""
    return host.lower() or None
