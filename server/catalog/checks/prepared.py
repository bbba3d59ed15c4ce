"""A raw item made ready to store: normalized, checked against TikTok's rules and mapped.

Nothing here touches the database, so a feed worker process (``feed_worker``) can prepare items
beside the process that writes them.
"""
from typing import NamedTuple

from server import jsontext
from server.catalog.checks import rules
from server.catalog.checks.fields import normalize
from server.catalog.checks.mapping import payload_hash, tiktok_product
from server.catalog.checks.secure_links import secure_urls


class StoreTerms(NamedTuple):
    """What preparing a product needs to know about its store."""

    currency: str | None
    domains: tuple
    brand: str
    https: object = None  # a ``secure_links.HttpsProbe``, or None: http:// URLs are not tried as https


class Prepared(NamedTuple):
    """A product ready to store; ``data`` is already JSON text."""

    sku: str
    item_group_id: str | None
    data: str
    category_ids: list
    visibility: str
    image_url: str | None
    problems: list
    payload_hash: str | None  # None: the product breaks a rule and cannot be sent
    notes: tuple = ()  # codes of what was filled in or changed on the way in (for the import summary)


def prepare(raw, terms):
    """``raw`` (a dict of merchant fields) as a ``Prepared``; raises ``MalformedItem``."""
    product = normalize(raw)
    data = product.data
    notes = product.notes
    if "brand" not in data or "condition" not in data or ("currency" not in data and "price" in data):
        _fill_defaults(data, terms, notes)
    failures = {}
    if _has_http(data):
        found, failures = secure_urls(data, terms.https)
        notes += found
    problems = rules.check(data, currency=terms.currency, domains=terms.domains)
    if failures:
        for finding in problems:
            why = failures.get(finding["field"]) if finding["code"] == "http_url" else None
            if why:
                finding["message"] = f"{finding['message']} ({why})"
    if notes:
        data["import_notes"] = [text for _, text in notes]
    digest = None if problems else payload_hash(tiktok_product(data, currency=terms.currency))
    return Prepared(product.sku, data.get("item_group_id"), jsontext.dumps(data), product.category_ids,
                    product.visibility, data.get("image_link"), problems, digest,
                    tuple(code for code, _ in notes) if notes else ())


def _fill_defaults(data, terms, notes):
    """What Merchant Center assumes when a feed leaves it out, and TikTok needs."""
    if "brand" not in data:
        data["brand"] = terms.brand  # TikTok requires a brand; the store's name stands in
        notes.append(("brand_from_store", f"brand: none given; the store's name {terms.brand!r} is sent"))
    if "condition" not in data:
        data["condition"] = "NEW"  # Merchant Center's default
        notes.append(("condition_new", "condition: none given; new is assumed, as Merchant Center does"))
    if "price" in data and "currency" not in data and terms.currency:
        notes.append(("currency_from_store", f"price: no currency given; the store's {terms.currency} is assumed"))


def _has_http(data):
    """Whether any URL of ``data`` is an http:// one (cheaply: most are https://)."""
    for name in ("link", "image_link", "video_link"):
        value = data.get(name)
        if value is not None and value[4:5] == ":" and value[:4].lower() == "http":
            return True
    for url in data.get("additional_image_links") or ():
        if url[4:5] == ":" and url[:4].lower() == "http":
            return True
    return False
