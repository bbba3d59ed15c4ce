"""Reconcile: read the whole TikTok catalog and correct what the store believes about it.

SKUs on TikTok that the store does not have (orphans) are deleted; products TikTok lost are
uploaded again; products TikTok has but the store thought it did not are compared by the
following plan (uploaded if wanted, deleted if not); every review seen is recorded on the way.
"""
from sqlalchemy import select, update

from server.catalog import states
from server.catalog.intake import next_mark, store_catalog
from server.catalog.planner import BatchWriter
from server.catalog.reviews import apply_review
from server.models.catalog import CatalogProduct, utcnow
from server.tiktok import products as api

PAGE = 500
# TikTok serves at most page x page_size = 100,000 products per listing, so the catalog is read in
# three listings, one per review status.
PARTITIONS = ("approved", "processing", "rejected")


def refresh_remote(context, store, target, run):
    """List TikTok's catalog, record what is there, queue orphan deletes; returns counts (commits)."""
    session = context.session
    mark = next_mark(session, store)
    session.commit()
    writer = BatchWriter(session, store.id, run.id, upload_size=1)
    counts = {"on_tiktok": 0, "orphans": 0, "lost": 0}
    for page in _pages(target):
        states.lock_catalog(session, store.id)
        rows = {p.sku: p for p in session.execute(select(CatalogProduct).where(
            CatalogProduct.store_id == store.id, CatalogProduct.sku.in_(list(page)))
            .execution_options(populate_existing=True)).scalars()}
        for sku, item in page.items():
            counts["on_tiktok"] += 1
            product = rows.get(sku)
            if product is None:
                writer.add("delete", sku)
                counts["orphans"] += 1
                continue
            product.seen_mark = mark
            if product.synced_hash is None:
                product.synced_hash = states.REMOTE_UNKNOWN
            apply_review(product, api.review_of(item))
        session.commit()
        context.heartbeat()
    writer.flush()
    counts["lost"] = _forget_lost(session, store.id, mark)
    store_catalog(session, store).last_reconciled_at = utcnow()
    run.counts = {**(run.counts or {}), "reconcile": counts}
    run.progress_total = (run.progress_total or 0) + writer.totals["delete"]
    session.commit()
    return counts


def _pages(target):
    for status in PARTITIONS:
        conditions = {"and": [{"field": "audit_status", "operator": "EQ", "values": [status]}]}
        page = {}
        for item in api.iter_products(target.client, target.bc_id, target.catalog_id, conditions=conditions,
                                      page_size=PAGE):
            page[str(item.get("sku_id"))] = item
            if len(page) >= PAGE:
                yield page
                page = {}
        if page:
            yield page


def _forget_lost(session, store_id, mark):
    """Products the store thought were on TikTok but are not: the plan that follows uploads them again."""
    return session.execute(
        update(CatalogProduct).where(CatalogProduct.store_id == store_id, CatalogProduct.synced_hash.is_not(None),
                                     CatalogProduct.seen_mark != mark)
        .values(synced_hash=None, review_status=None, review_reasons=None)
        .execution_options(synchronize_session=False)).rowcount
