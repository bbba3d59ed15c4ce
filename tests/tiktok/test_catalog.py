"""Catalogs and products: upload, processing logs, review outcomes, limits, one writer at a time."""
from __future__ import annotations

import threading

import pytest

from server.tiktok import TikTokRequestError, TikTokTransientError
from server.tiktok.catalogs import bind_pixel, catalog_overview, get_catalog, iter_catalogs
from server.tiktok.products import (
    delete_products,
    iter_products,
    product_log,
    review_of,
    update_products,
    upload_products,
)

from .conftest import make_client, product


def finished_log(client, bc_id, catalog_id, feed_log_id, polls=10):
    """Poll the log until TikTok reports it done; return every status seen and the final log."""
    seen = []
    for _ in range(polls):
        log = product_log(client, bc_id, catalog_id, feed_log_id)
        seen.append(log.status)
        if log.finished:
            return seen, log
    raise AssertionError(f"log never finished: {seen}")


def reviews(client, bc_id, catalog_id, skus):
    return {r["sku_id"]: r for r in map(review_of, iter_products(client, bc_id, catalog_id, sku_ids=skus))}


def test_catalog_create_get_and_list(tiktok_emulator, client, catalog):
    bc_id, catalog_id = catalog
    found = get_catalog(client, bc_id, catalog_id)
    assert found["name"] == "Test Store" and found["catalog_conf"]["currency"] == "USD"
    assert [c["catalog_id"] for c in iter_catalogs(client, bc_id)] == [catalog_id]
    assert get_catalog(client, bc_id, "7499999999999999999") is None


def test_upload_is_processed_asynchronously_and_reviewed(tiktok_emulator, client, catalog):
    tiktok_emulator.configure(log_step_seconds=0)
    bc_id, catalog_id = catalog
    feed_log_id = upload_products(client, bc_id, catalog_id, [product("A1"), product("A2")])
    assert reviews(client, bc_id, catalog_id, ["A1"])["A1"]["status"] == "processing"
    seen, log = finished_log(client, bc_id, catalog_id, feed_log_id)
    assert seen == ["WAITING", "PROCESSING", "SUCCESS"]
    assert (log.add_count, log.update_count, log.error_count) == (2, 0, 0)
    assert {sku: r["status"] for sku, r in reviews(client, bc_id, catalog_id, ["A1", "A2"]).items()} == {
        "A1": "approved", "A2": "approved"}
    assert catalog_overview(client, bc_id, catalog_id)["approved"] == 2


def test_upload_errors_name_the_field_and_the_position(tiktok_emulator, client, catalog):
    bc_id, catalog_id = catalog
    items = [product("OK1"), product("NOIMG", image_url=None), product("OK2"), product("NOPRICE", price_info={})]
    _seen, log = finished_log(client, bc_id, catalog_id, upload_products(client, bc_id, catalog_id, items))
    assert log.status == "SUCCESS" and log.add_count == 2 and log.error_count == 2
    by_field = {issue.field: issue for issue in log.errors}
    assert by_field["image_url"].items[0]["index"] == 2 and by_field["image_url"].items[0]["sku_id"] == "NOIMG"
    assert by_field["price_info.price"].items[0]["index"] == 4
    assert set(tiktok_emulator.catalog_products(catalog_id)) == {"OK1", "OK2"}


def test_review_rejects_with_reasons_and_never_approves_small_images(tiktok_emulator, client, catalog):
    bc_id, catalog_id = catalog
    tiktok_emulator.register_images({"https://cdn.example/tiny.png": (300, 300)})
    items = [product("GOOD"), product("SMALL", image_url="https://img.example/s-400x400.jpg"),
             product("TINY", image_url="https://cdn.example/tiny.png"),
             product("BAD", title="Electronic cigarette kit")]
    _seen, log = finished_log(client, bc_id, catalog_id, upload_products(client, bc_id, catalog_id, items))
    assert [w.field for w in log.warnings] == ["image_url"] and log.warnings[0].affected_count == 2
    tiktok_emulator.advance_clock(3600)
    result = reviews(client, bc_id, catalog_id, ["GOOD", "SMALL", "TINY", "BAD"])
    assert result["GOOD"]["status"] == "approved" and result["GOOD"]["eligible"]
    assert result["SMALL"]["status"] == "processing" and result["TINY"]["status"] == "processing"
    assert result["BAD"]["status"] == "rejected"
    reason = result["BAD"]["reasons"][0]
    assert "prohibited" in reason["reason"] and reason["suggestion"] and reason["affected_country"] == ["US"]
    assert catalog_overview(client, bc_id, catalog_id) | {} == {
        "approved": 1, "rejected": 1, "processing": 2,
        "organic_approved": 1, "organic_rejected": 1, "organic_processing": 2}


def test_small_images_can_be_rejected_instead(tiktok_emulator, client, catalog):
    tiktok_emulator.configure(small_image_outcome="rejected")
    bc_id, catalog_id = catalog
    finished_log(client, bc_id, catalog_id, upload_products(
        client, bc_id, catalog_id, [product("S", image_url="https://img.example/a-499x800.png")]))
    review = reviews(client, bc_id, catalog_id, ["S"])["S"]
    assert review["status"] == "rejected" and "500x500" in review["reasons"][0]["reason"]


def test_update_and_delete(tiktok_emulator, client, catalog):
    bc_id, catalog_id = catalog
    finished_log(client, bc_id, catalog_id, upload_products(client, bc_id, catalog_id, [product("U1"), product("U2")]))
    _seen, log = finished_log(client, bc_id, catalog_id, update_products(
        client, bc_id, catalog_id, [{"sku_id": "U1", "price_info": {"price": 9.5}}, {"sku_id": "NOPE"}]))
    assert log.update_count == 1 and log.errors[0].items[0]["sku_id"] == "NOPE"
    stored = tiktok_emulator.catalog_products(catalog_id)
    assert stored["U1"]["data"]["price_info"] == {"price": 9.5, "currency": "USD"}
    _seen, log = finished_log(client, bc_id, catalog_id, delete_products(client, bc_id, catalog_id, ["U2", "X"]))
    assert log.delete_count == 1
    assert set(tiktok_emulator.catalog_products(catalog_id)) == {"U1"}


def test_reupload_is_an_upsert(tiktok_emulator, client, catalog):
    bc_id, catalog_id = catalog
    finished_log(client, bc_id, catalog_id, upload_products(client, bc_id, catalog_id, [product("R")]))
    _seen, log = finished_log(client, bc_id, catalog_id, upload_products(
        client, bc_id, catalog_id, [product("R", title="Renamed shirt")]))
    assert (log.add_count, log.update_count) == (0, 1)
    assert tiktok_emulator.catalog_products(catalog_id)["R"]["data"]["title"] == "Renamed shirt"


def test_batch_limits(tiktok_emulator, client, catalog):
    bc_id, catalog_id = catalog
    with pytest.raises(TikTokRequestError, match="at most 5000"):
        upload_products(client, bc_id, catalog_id, [product(f"P{i}") for i in range(5001)])
    with pytest.raises(TikTokRequestError, match="at most 1000"):
        delete_products(client, bc_id, catalog_id, [f"P{i}" for i in range(1001)])
    assert tiktok_emulator.requests("catalog/product/upload/") == []
    # The emulator enforces the same limits on a raw call.
    with pytest.raises(TikTokRequestError) as caught:
        client.post("catalog/product/delete/", {"bc_id": bc_id, "catalog_id": catalog_id,
                                                "sku_ids": [str(i) for i in range(1001)]})
    assert caught.value.code == 40002
    with pytest.raises(TikTokRequestError):
        client.get("catalog/product/get/", {"bc_id": bc_id, "catalog_id": catalog_id, "page_size": 501})
    with pytest.raises(TikTokRequestError, match="Duplicate"):
        upload_products(client, bc_id, catalog_id, [product("D"), product("D")])
    big = upload_products(client, bc_id, catalog_id, [product(f"B{i}") for i in range(5000)])
    assert big


def test_a_second_concurrent_write_to_one_catalog_fails(tiktok_emulator, http, token, catalog):
    tiktok_emulator.configure(write_window_ms=300, rate_limits_enabled=False)
    bc_id, catalog_id = catalog
    unpaced = make_client(tiktok_emulator, http, token=token)
    outcomes = []

    def write(n):
        try:
            upload_products(unpaced, bc_id, catalog_id, [product(f"C{n}")])
            outcomes.append("ok")
        except TikTokTransientError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str) == [40202, 40202, "ok"]
    assert tiktok_emulator.stats()["write_conflicts"] == 2


def test_another_business_center_is_refused(tiktok_emulator, client, catalog):
    _bc_id, catalog_id = catalog
    with pytest.raises(Exception) as caught:
        catalog_overview(client, "7199999999999999999", catalog_id)
    assert caught.value.code == 40001


def test_bind_pixel(tiktok_emulator, client, catalog):
    bc_id, catalog_id = catalog
    bind_pixel(client, bc_id, catalog_id, tiktok_emulator.pixel_code, advertiser_id=tiktok_emulator.advertiser_ids[0])
    assert tiktok_emulator.catalogs()[0]["event_sources"] == [tiktok_emulator.pixel_code]
    with pytest.raises(TikTokRequestError):
        bind_pixel(client, bc_id, catalog_id, "CNOSUCHPIXEL0000000", advertiser_id=tiktok_emulator.advertiser_ids[0])
