"""A raw item made ready to store: normalized, checked against TikTok's rules and mapped.

Nothing here touches the database, so a feed worker process (``feed_worker``) can prepare items
beside the process that writes them.
"""
from typing import NamedTuple

from server import jsontext
from server.catalog import rules
from server.catalog.fields import normalize
from server.catalog.mapping import payload_hash, tiktok_product


class StoreTerms(NamedTuple):
    """What preparing a product needs to know about its store."""

    currency: str | None
    domains: tuple
    brand: str


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


def prepare(raw, terms):
    """``raw`` (a dict of merchant fields) as a ``Prepared``; raises ``MalformedItem``."""
    product = normalize(raw)
    data = product.data
    if "brand" not in data:
        data["brand"] = terms.brand  # TikTok requires a brand; the store's name stands in
    problems = rules.check(data, currency=terms.currency, domains=terms.domains)
    digest = None if problems else payload_hash(tiktok_product(data, currency=terms.currency))
    return Prepared(product.sku, data.get("item_group_id"), jsontext.dumps(data), product.category_ids,
                    product.visibility, data.get("image_link"), problems, digest)
