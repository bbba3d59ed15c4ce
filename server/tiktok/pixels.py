"""Pixels (``pixel/list/``, ``pixel/create/``)."""
from __future__ import annotations

from collections.abc import Iterator

from .pagination import iter_pages
from .transport import TikTokClient


def iter_pixels(client: TikTokClient, advertiser_id: str, *, pixel_code: str | None = None,
                page_size: int = 20) -> Iterator[dict]:
    """Yield the advertiser's pixels (``pixel_id``, ``pixel_code``, ``pixel_name``...); page_size <= 20."""
    # The filter is named ``code``, not ``pixel_code``: SDK MeasurementApi.md (pixel_list), BUBUBA
    # model/pixel/list.go (ListRequest.Code), WOO Tt4b_Pixel_Class::get_pixels. TikTok ignores
    # a parameter it does not know, so the wrong name silently lists every pixel.
    def fetch(page, size):
        return client.get("pixel/list/", {"advertiser_id": advertiser_id, "code": pixel_code,
                                          "page": page, "page_size": size})
    yield from iter_pages(fetch, page_size=min(page_size, 20), list_key="pixels")


def create_pixel(client: TikTokClient, advertiser_id: str, pixel_name: str, *,
                 pixel_category: str | None = None) -> dict:
    """Create a web pixel; returns ``{pixel_id, pixel_code}``. Not re-sent after an ambiguous failure."""
    body = {"advertiser_id": advertiser_id, "pixel_name": pixel_name}
    if pixel_category:
        body["pixel_category"] = pixel_category
    data = client.post("pixel/create/", body, idempotent=False)
    return {"pixel_id": str(data.get("pixel_id")), "pixel_code": data.get("pixel_code")}
