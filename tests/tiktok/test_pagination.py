"""Page-number pagination reads every item exactly once."""
from __future__ import annotations

from server.tiktok.pagination import iter_pages
from server.tiktok.pixels import create_pixel, iter_pixels
from server.tiktok.products import iter_products, upload_products

from .conftest import product


def test_iter_pages_follows_total_page():
    pages = {1: ["a", "b"], 2: ["c", "d"], 3: ["e"]}
    calls = []

    def fetch(page, size):
        calls.append(page)
        return {"list": pages[page], "page_info": {"page": page, "page_size": size, "total_page": 3}}

    assert list(iter_pages(fetch, page_size=2)) == ["a", "b", "c", "d", "e"]
    assert calls == [1, 2, 3]


def test_iter_pages_without_page_info_stops_at_a_short_page():
    data = [[1, 2], [3, 4], [5]]
    assert list(iter_pages(lambda page, size: {"list": data[page - 1]}, page_size=2)) == [1, 2, 3, 4, 5]


def test_iter_pages_is_lazy():
    calls = []

    def fetch(page, size):
        calls.append(page)
        return {"list": [page], "page_info": {"total_page": 100}}

    first = next(iter(iter_pages(fetch, page_size=1)))
    assert first == 1 and calls == [1]


def test_every_pixel_across_pages(tiktok_emulator, client):
    advertiser = tiktok_emulator.advertiser_ids[0]
    created = [create_pixel(client, advertiser, f"Pixel {n}")["pixel_code"] for n in range(6)]
    codes = [p["pixel_code"] for p in iter_pixels(client, advertiser, page_size=4)]
    assert codes == [tiktok_emulator.pixel_code] + created
    assert len(tiktok_emulator.requests("pixel/list/")) == 2


def test_every_product_across_pages(tiktok_emulator, client, catalog):
    bc_id, catalog_id = catalog
    upload_products(client, bc_id, catalog_id, [product(f"S{n:02d}") for n in range(23)])
    skus = [p["sku_id"] for p in iter_products(client, bc_id, catalog_id, page_size=5)]
    assert skus == [f"S{n:02d}" for n in range(23)]
    assert len(tiktok_emulator.requests("catalog/product/get/")) == 5


def test_pixels_are_filtered_by_code_as_tiktok_names_it(tiktok_emulator, client):
    advertiser = tiktok_emulator.advertiser_ids[0]
    wanted = create_pixel(client, advertiser, "Second pixel")["pixel_code"]
    found = [p["pixel_code"] for p in iter_pixels(client, advertiser, pixel_code=wanted)]
    assert found == [wanted]
    assert tiktok_emulator.requests("pixel/list/")[-1]["params"]["code"] == wanted


def test_the_emulator_ignores_a_pixel_code_filter_as_tiktok_does(tiktok_emulator, client):
    advertiser = tiktok_emulator.advertiser_ids[0]
    wanted = create_pixel(client, advertiser, "Second pixel")["pixel_code"]
    data = client.get("pixel/list/", {"advertiser_id": advertiser, "pixel_code": wanted})
    assert [p["pixel_code"] for p in data["pixels"]] == [tiktok_emulator.pixel_code, wanted]
