"""Product sets of a catalog (``catalog/set/*``): create by rules, list, update, delete, members."""
from __future__ import annotations

from collections.abc import Iterator, Sequence

from .pagination import iter_pages
from .transport import TikTokClient

# UNCONFIRMED which key /catalog/set/get/ lists sets under (doc: ``list``; bububa/tiktok-business:
# ``product_set``); both are read. See server/ads/tiktok_rules.py.
LIST_KEYS = ("list", "product_set")


def create_product_set(client: TikTokClient, bc_id: str, catalog_id: str, name: str, conditions: dict) -> dict:
    """Create a set from filter ``conditions``; returns ``{product_set_id, product_set_name, product_count}``."""
    data = client.post("catalog/set/create/", {"bc_id": bc_id, "catalog_id": catalog_id, "product_set_name": name,
                                               "conditions": conditions}, idempotent=False)
    return _set(data)


def update_product_set(client: TikTokClient, bc_id: str, catalog_id: str, product_set_id: str, *,
                       name: str | None = None, conditions: dict | None = None) -> dict:
    """Change a set's name and/or conditions (only what is given is sent)."""
    body = {"bc_id": bc_id, "catalog_id": catalog_id, "product_set_id": str(product_set_id)}
    if name is not None:
        body["product_set_name"] = name
    if conditions is not None:
        body["conditions"] = conditions
    return _set(client.post("catalog/set/update/", body))


def delete_product_sets(client: TikTokClient, bc_id: str, catalog_id: str, product_set_ids: Sequence[str]) -> list[str]:
    """Delete 1-10 sets; returns the ids TikTok deleted."""
    data = client.post("catalog/set/delete/", {"bc_id": bc_id, "catalog_id": catalog_id,
                                               "product_set_ids": [str(i) for i in product_set_ids]})
    return [str(i) for i in data.get("product_set_ids") or []]


def list_product_sets(client: TikTokClient, bc_id: str, catalog_id: str, *, product_set_id: str | None = None,
                      with_counts: bool = True) -> list[dict]:
    """The catalog's sets (or one), each with ``product_count`` when ``with_counts``."""
    params = {"bc_id": bc_id, "catalog_id": catalog_id, "return_product_count": with_counts}
    if product_set_id:
        params["product_set_id"] = str(product_set_id)
    data = client.get("catalog/set/get/", params)
    items = next((data[key] for key in LIST_KEYS if isinstance(data.get(key), list)), [])
    return [_set(item) for item in items]


def iter_set_products(client: TikTokClient, bc_id: str, catalog_id: str, product_set_id: str, *,
                      page_size: int = 100) -> Iterator[dict]:
    """Yield the set's products: ``{product_id, product_name, sku_id}`` (ids as strings)."""
    def fetch(page, size):
        return client.get("catalog/set/product/get/", {"bc_id": bc_id, "catalog_id": catalog_id,
                                                       "product_set_id": str(product_set_id),
                                                       "page": page, "page_size": size})
    for item in iter_pages(fetch, page_size=page_size, list_key="products"):
        yield {"product_id": str(item.get("product_id")), "product_name": item.get("product_name"),
               "sku_id": str(item.get("sku_id"))}


def _set(item: dict) -> dict:
    # Official examples still show the v1.2 keys ``name`` and ``count``.
    item = dict(item or {})
    item["product_set_id"] = str(item.get("product_set_id") or "")
    item.setdefault("product_set_name", item.get("name"))
    if "product_count" not in item and "count" in item:
        item["product_count"] = item["count"]
    return item
