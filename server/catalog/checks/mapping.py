"""A normalized product as TikTok's v1.3 catalog product, and the hash that decides what changed."""
import functools
import hashlib

from server import jsontext
from server.catalog.checks.sale_dates import UnreadableSaleDate, tiktok_sale_period
from server.catalog.checks.tiktok_categories import tiktok_category

# Our name -> TikTok's, for the fields sent only when the product has them.
OPTIONAL_FIELDS = (("item_group_id", "item_group_id"), ("video_link", "video_url"),
                   ("gtin", "global_trade_item_number"), ("mpn", "manufacturer_part_number"))
LABELS = tuple(f"custom_label_{n}" for n in range(5))
DETAIL_FIELDS = ("color", "gender", "age_group", "material", "pattern", "size", "shipping_weight")


def tiktok_product(data, *, currency):
    """The ``catalog/product/upload/`` object for ``data`` (a normalized, valid product)."""
    price_info = {"price": float(data["price"]), "currency": data.get("currency") or currency}
    if data.get("sale_price"):
        price_info["sale_price"] = float(data["sale_price"])
    if data.get("sale_price_effective_date"):
        try:
            price_info["sale_price_effective_date"] = tiktok_sale_period(data["sale_price_effective_date"])
        except UnreadableSaleDate:
            pass  # such a product is invalid (rules.check) and never sent
    detail = {"condition": data["condition"]}
    detail.update({name: data[name] for name in DETAIL_FIELDS if data.get(name)})
    if data.get("product_type"):
        detail["product_category"] = _category_path(data["product_type"], False)
    product = {
        "sku_id": data["id"],
        "title": data["title"],
        "description": data["description"],
        "availability": data["availability"],
        "brand": data["brand"],
        "image_url": data["image_link"],
        "product_detail": detail,
        "price_info": price_info,
        "landing_page": {"landing_page_url": data["link"]},
    }
    if data.get("additional_image_links"):
        # TikTok reads commas as separators: a comma inside one URL must be encoded.
        product["additional_image_urls"] = [url.replace(",", "%2C") for url in data["additional_image_links"]]
    for name, tiktok in OPTIONAL_FIELDS:
        value = data.get(name)
        if value:
            product[tiktok] = value
    if data.get("google_product_category"):
        product["google_product_category"] = _category_path(data["google_product_category"], True)
    labels = {name: data[name] for name in LABELS if data.get(name)}
    if labels:
        product["extra_info"] = labels
    return product


@functools.lru_cache(maxsize=4096)
def _category_path(value, google):
    """The path TikTok takes for a category: products share a few, each worked out once."""
    return tiktok_category(value, google=google)[0]


def payload_hash(product):
    """The hash of an outgoing product: equal hashes mean TikTok already has exactly this.

    ``tiktok_product`` builds its dictionaries in a fixed order, so no key sorting is needed. The
    text hashed is compact JSON, the same bytes ``json.dumps`` writes for a product (prices are
    whole cents, so orjson and ``json`` write every float alike): hashes stored before still match.
    """
    return hashlib.blake2b(jsontext.dumps_bytes(product), digest_size=16).hexdigest()
