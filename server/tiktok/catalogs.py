"""Catalogs: create, list/get, review overview, and binding a pixel as the event source."""
from __future__ import annotations

from collections.abc import Iterator

from .pagination import iter_pages
from .transport import TikTokClient

OVERVIEW_KEYS = ("approved", "rejected", "processing",
                 "organic_approved", "organic_rejected", "organic_processing")


def create_catalog(client: TikTokClient, bc_id: str, name: str, *, region_code: str, currency: str,
                   catalog_type: str = "ECOM", channel: str = "PARTNER") -> str:
    """Create a catalog in a Business Center; returns its id. Region and currency are final."""
    body = {"bc_id": bc_id, "name": name[:128], "catalog_type": catalog_type,
            "catalog_conf": {"region_code": region_code, "currency": currency, "channel": channel}}
    data = client.post("catalog/create/", body, idempotent=False)
    return str(data["catalog_id"])


def iter_catalogs(client: TikTokClient, bc_id: str, *, page_size: int = 1000) -> Iterator[dict]:
    """Yield the Business Center's catalogs (``catalog_id``, ``name``, ``catalog_conf``...)."""
    def fetch(page, size):
        return client.get("catalog/get/", {"bc_id": bc_id, "page": page, "page_size": size})
    for item in iter_pages(fetch, page_size=min(page_size, 1000)):
        yield _catalog(item)


def get_catalog(client: TikTokClient, bc_id: str, catalog_id: str) -> dict | None:
    """One catalog by id, or None when the Business Center has no such catalog."""
    data = client.get("catalog/get/", {"bc_id": bc_id, "catalog_id": catalog_id, "page": 1, "page_size": 1})
    items = [i for i in data.get("list") or [] if str(i.get("catalog_id")) == str(catalog_id)]
    return _catalog(items[0]) if items else None


def _catalog(item: dict) -> dict:
    item = dict(item)
    item["catalog_id"] = str(item.get("catalog_id"))
    item.setdefault("name", item.get("catalog_name"))
    return item


def catalog_overview(client: TikTokClient, bc_id: str, catalog_id: str) -> dict[str, int]:
    """Review counts: approved, rejected, processing (and their organic_* twins)."""
    data = client.get("catalog/overview/", {"bc_id": bc_id, "catalog_id": catalog_id})
    return {key: int(data.get(key) or 0) for key in OVERVIEW_KEYS}


def bind_pixel(client: TikTokClient, bc_id: str, catalog_id: str, pixel_code: str, *, advertiser_id: str) -> dict:
    """Bind a pixel to the catalog so its ``content_id``s match the catalog's ``sku_id``s.

    ``advertiser_id`` (the pixel's advertiser) is required (SDK EventsourceBindBody.md).
    """
    body = {"advertiser_id": advertiser_id, "bc_id": bc_id, "catalog_id": catalog_id, "pixel_code": pixel_code}
    return client.post("catalog/eventsource/bind/", body)
