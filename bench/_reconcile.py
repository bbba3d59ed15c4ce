"""The reconcile part of the catalog benchmark: a store far bigger than one TikTok listing.

TikTok serves at most page x page_size = 100,000 products per catalog/product/get listing, and
the emulator refuses a page past that as TikTok does. The store's products are put straight into
the database, listed and approved as after earlier syncs, and into the emulator's catalog
(uploading them is measured elsewhere), with a few orphans hidden among them; the reconcile is
timed and its requests counted, beside what paging through one review-status listing reaches
before TikTok refuses the next page.
"""
import time


def seed(app, emulator, key, size, *, orphans=5):
    """``size`` listed products in the store and on TikTok, plus ``orphans`` only on TikTok."""
    from sqlalchemy import insert

    from server.extensions import db
    from server.models.catalog import CatalogProduct, utcnow
    from server.models.tiktok import TikTokConnection
    from server.stores.service import get_store

    with app.app_context():
        store = get_store(db.session, key)
        now = utcnow()
        for start in range(0, size, 20_000):
            db.session.execute(insert(CatalogProduct), [
                {"store_id": store.id, "sku": f"S-{n}", "data": {}, "category_ids": [], "visibility": "active",
                 "problems": [], "source_hash": "seeded", "payload_hash": "seeded", "synced_hash": "seeded",
                 "state": "listed", "review_status": "approved", "reasons": [], "state_changed_at": now,
                 "created_at": now, "updated_at": now}
                for n in range(start, min(size, start + 20_000))])
        db.session.commit()
        catalog_id = db.session.execute(db.select(TikTokConnection.catalog_id)
                                        .where(TikTokConnection.store_id == store.id)).scalar_one()
    emulator.seed_products(catalog_id, size)
    emulator.seed_products(catalog_id, orphans - orphans // 2, prefix="S-9x")  # hidden among the store's
    emulator.seed_products(catalog_id, orphans // 2, prefix="OLD-", audit_status="rejected")
    return catalog_id


def run_reconcile(app, key):
    """A foreground reconcile like ``flask catalog reconcile``; returns (seconds, status, counts)."""
    from server.catalog import runs
    from server.extensions import db
    from server.jobs.runner import run_until_finished
    from server.models.catalog import SyncRun
    from server.stores.service import get_store

    with app.app_context():
        store = get_store(db.session, key)
        run = runs.request_sync(db.session, store, kind="reconcile", trigger="bench")
        db.session.commit()
        started = time.perf_counter()
        run_until_finished(app, run.job_id)
        seconds = time.perf_counter() - started
        run = db.session.get(SyncRun, run.id)
        return seconds, run.status, (run.counts or {}).get("reconcile", {})


def status_listing(emulator, catalog_id):
    """Page through the approved listing 500 at a time until TikTok refuses; (products, requests, s)."""
    import requests

    from server.tiktok import NullPacer, TikTokClient, TikTokRequestError
    from server.tiktok.products import iter_products

    token = emulator.seed_token()["access_token"]
    conditions = {"and": [{"field": "audit_status", "operator": "EQ", "values": ["approved"]}]}
    reached, started = 0, time.perf_counter()
    with requests.Session() as http:
        client = TikTokClient(http, base_url=emulator.url, access_token=token, pacer=NullPacer())
        try:
            for _ in iter_products(client, emulator.bc_id, catalog_id, conditions=conditions, page_size=500):
                reached += 1
        except TikTokRequestError:
            pass  # page 201 would pass the cap
    return reached, -(-reached // 500), time.perf_counter() - started


def print_figures(app, emulator, key, size):
    """Seed, reconcile and print the figures (section 4 of the catalog benchmark)."""
    catalog_id = seed(app, emulator, key, size)
    emulator.clear_requests()
    seconds, status, counts = run_reconcile(app, key)
    gets = [entry["params"] for entry in emulator.requests("catalog/product/get/")]
    largest = max(int(p.get("page", 1)) * int(p.get("page_size", 10)) for p in gets)
    by_sku = sum(1 for p in gets if "sku_ids" in p)
    print(f"\n4. Reconcile of a {size:,}-product store (TikTok lists at most 100,000 per listing): "
          f"{status} in {seconds:.1f} s")
    print(f"  {counts.get('on_tiktok', 0):,} on TikTok, {counts.get('orphans', 0)} orphans deleted, "
          f"{counts.get('unreachable', 0)} unreachable")
    print(f"  catalog/product/get/ requests: {len(gets)} ({by_sku} by sku_ids, {len(gets) - by_sku} counts and "
          f"listings); largest page x page_size {largest:,} (cap 100,000)")
    reached, requests_used, listing_seconds = status_listing(emulator, catalog_id)
    print(f"  paging one status listing instead: {reached:,} of {size:,} products in {requests_used} requests "
          f"({listing_seconds:.1f} s), then TikTok refuses page {requests_used + 1}")
