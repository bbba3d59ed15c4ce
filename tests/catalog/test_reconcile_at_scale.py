"""A reconcile of a catalog half again bigger than TikTok lets one listing show (page x
page_size <= 100,000, which the emulator enforces): orphans found, nothing lost, no page refused.
bench/catalog_bench.py --reconcile 300000 runs the same reconcile at three times the cap."""
import pytest
import requests
from sqlalchemy import insert

from server.catalog import service
from server.clock import utcnow
from server.extensions import db
from server.models.catalog import CatalogProduct
from server.tiktok import NullPacer, TikTokClient
from server.tiktok import products as api
from tests.catalog.helpers import item

SIZE = 150_000


def seed_store_rows(session, store, count):
    """``count`` products the store believes are listed on TikTok, inserted in bulk."""
    now = utcnow()
    for start in range(0, count, 20_000):
        session.execute(insert(CatalogProduct), [
            {"store_id": store.id, "sku": f"S-{n}", "data": {}, "category_ids": [], "visibility": "active",
             "problems": [], "source_hash": "seeded", "payload_hash": "seeded", "synced_hash": "seeded",
             "state": "listed", "review_status": "approved", "reasons": [], "state_changed_at": now,
             "created_at": now, "updated_at": now}
            for n in range(start, min(count, start + 20_000))])
    session.commit()


def catalog_size(emulator, catalog_id):
    return next(c["product_count"] for c in emulator.catalogs() if c["catalog_id"] == catalog_id)


def listing_pages(emulator, *, listings_only=False):
    """(page, page_size) of every catalog/product/get/ request TikTok received (or only listings,
    those without sku_ids)."""
    return [(int(r["params"].get("page", 1)), int(r["params"].get("page_size", 10)))
            for r in emulator.requests("catalog/product/get/") if not (listings_only and "sku_ids" in r["params"])]


@pytest.mark.slow
def test_a_catalog_past_the_listing_cap_reconciles_under_it(database_url, runner, session, store, tiktok_emulator):
    if not database_url.startswith("sqlite"):
        pytest.skip("the listing cap is TikTok's, whatever the database: run once (and by "
                    "bench/catalog_bench.py --reconcile)")
    tiktok_emulator.configure(max_request_log=100_000)
    service.push_products(session, store, [item("KEEP"), item("LOST")])
    assert runner.invoke(args=["catalog", "sync", "--store", store.public_key]).exit_code == 0
    with requests.Session() as http:
        client = TikTokClient(http, base_url=tiktok_emulator.url, access_token=store.test_token, pacer=NullPacer())
        api.delete_products(client, tiktok_emulator.bc_id, store.test_catalog_id, ["LOST"])
    seed_store_rows(session, store, SIZE)
    catalog_id = store.test_catalog_id
    tiktok_emulator.seed_products(catalog_id, SIZE)
    # Orphans: two hidden among 150,000 approved SKUs of the same shape, three rejected ones.
    tiktok_emulator.seed_products(catalog_id, 2, prefix="S-9x")
    tiktok_emulator.seed_products(catalog_id, 3, prefix="OLD-", audit_status="rejected")
    tiktok_emulator.clear_requests()

    result = runner.invoke(args=["catalog", "reconcile", "--store", store.public_key])

    assert result.exit_code == 0, result.output
    assert f"{SIZE + 1 + 5} on TikTok, 5 orphan(s), 1 lost." in result.output
    assert catalog_size(tiktok_emulator, catalog_id) == SIZE + 2
    with requests.Session() as http:
        client = TikTokClient(http, base_url=tiktok_emulator.url, access_token=store.test_token, pacer=NullPacer())
        found = {p["sku_id"] for p in api.iter_products(client, tiktok_emulator.bc_id, catalog_id,
                                                         sku_ids=["S-9x0", "S-9x1", "OLD-1", "LOST", "KEEP", "S-9"])}
    assert found == {"LOST", "KEEP", "S-9"}  # orphans gone, the lost product uploaded again
    pages = listing_pages(tiktok_emulator)
    assert max(page * size for page, size in pages) <= 100_000
    # The store's own SKUs cost two requests per 1,000; finding the orphans about a hundred more
    # (62 of them count every letter and digit at the first level).
    assert len(pages) < 2 * SIZE // 1000 + 150
    assert db.session.query(CatalogProduct).filter_by(store_id=store.id, state="listed").count() >= SIZE


def test_the_scan_narrows_by_prefix_and_never_asks_past_the_cap(monkeypatch, runner, session, store, tiktok_emulator):
    # The same walk in miniature: a cap of 100 (the client refuses to ask past it) over 300 products.
    from server.catalog.sync import orphan_scan

    monkeypatch.setattr(api, "LISTING_CAP", 100)
    monkeypatch.setattr(orphan_scan, "READ_AT_MOST", 50)
    seed_store_rows(session, store, 300)
    tiktok_emulator.seed_products(store.test_catalog_id, 300)
    tiktok_emulator.seed_products(store.test_catalog_id, 2, prefix="S-9x")
    tiktok_emulator.seed_products(store.test_catalog_id, 1, prefix="OLD-", audit_status="rejected")
    tiktok_emulator.clear_requests()

    result = runner.invoke(args=["catalog", "reconcile", "--store", store.public_key])

    assert result.exit_code == 0, result.output
    assert "303 on TikTok, 3 orphan(s), 0 lost." in result.output
    assert catalog_size(tiktok_emulator, store.test_catalog_id) == 300
    assert max(page * size for page, size in listing_pages(tiktok_emulator, listings_only=True)) <= 100
