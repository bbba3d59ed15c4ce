"""Reconcile: read the whole TikTok catalog and correct what the store believes about it.

SKUs on TikTok that the store does not have (orphans) are deleted; products TikTok lost are
uploaded again; products TikTok has but the store thought it did not are compared by the
following plan (uploaded if wanted, deleted if not); every review seen is recorded on the way.

TikTok lists at most 100,000 products per listing (page x page_size), so the catalog is never
paged through whole. The store's own SKUs are asked for by ``sku_ids``, 1,000 at a time; then
the catalog's count per review status says whether anything else is there, and only where it
is (narrowed by SKU prefix until a listing fits under the cap) is it listed to find the orphans.
"""
from sqlalchemy import select, update

from server.catalog import states
from server.catalog.bookkeeping import next_mark, store_catalog
from server.catalog.sync.orphan_scan import PARTITIONS, OrphanScan
from server.catalog.sync.planner import BatchWriter
from server.catalog.sync.reviews import apply_review
from server.clock import utcnow
from server.models.catalog import CatalogProduct
from server.tiktok import products as api

PAGE = 500


def refresh_remote(context, store, target, run):
    """List TikTok's catalog, record what is there, queue orphan deletes; returns counts (commits)."""
    session = context.session
    mark = next_mark(session, store)
    session.commit()
    writer = BatchWriter(session, store.id, run.id, upload_size=1)
    counts = {"on_tiktok": 0, "orphans": 0, "lost": 0}
    known = {status: set() for status in PARTITIONS}
    for page in _known_pages(session, store.id, target):
        _record(context, store, page, writer, mark, counts, known)
    scan = OrphanScan(target, known)
    for page in scan.pages():
        _record(context, store, page, writer, mark, counts, known)
    counts["unreachable"] = scan.unreachable
    writer.flush()
    counts["lost"] = _forget_lost(session, store.id, mark)
    store_catalog(session, store).last_reconciled_at = utcnow()
    run.counts = {**(run.counts or {}), "reconcile": counts}
    run.progress_total = (run.progress_total or 0) + writer.totals["delete"]
    session.commit()
    return counts


# A product TikTok shows as the store last saw it: (review status, the state that review gives).
SETTLED = {"approved": "listed", "processing": "pending_review"}


def _record(context, store, page, writer, mark, counts, known):
    """Mark one page of TikTok's products seen (reviews recorded) or queue them as orphans; commits."""
    session = context.session
    states.lock_catalog(session, store.id)
    reviews = {sku: api.review_of(item) for sku, item in page.items()}
    rows = {row.sku: row for row in session.execute(select(
        CatalogProduct.id, CatalogProduct.sku, CatalogProduct.synced_hash, CatalogProduct.payload_hash,
        CatalogProduct.review_status, CatalogProduct.state).where(
        CatalogProduct.store_id == store.id, CatalogProduct.sku.in_(list(page))))}
    settled, changed = [], []
    for sku, review in reviews.items():
        counts["on_tiktok"] += 1
        known.setdefault(review["status"], set()).add(sku)
        row = rows.get(sku)
        if row is None:
            writer.add("delete", sku)
            counts["orphans"] += 1
        elif (row.synced_hash is not None and row.synced_hash == row.payload_hash
              and row.review_status == review["status"] and SETTLED.get(review["status"]) == row.state):
            settled.append(row.id)  # nothing to change but the marks: one UPDATE for the lot
        else:
            changed.append(row.id)
    if settled:
        session.execute(update(CatalogProduct).where(CatalogProduct.id.in_(settled))
                        .values(seen_mark=mark, reviewed_at=utcnow()).execution_options(synchronize_session=False))
    for product in session.execute(select(CatalogProduct).where(CatalogProduct.id.in_(changed))
                                   .execution_options(populate_existing=True)).scalars() if changed else ():
        product.seen_mark = mark
        if product.synced_hash is None:
            product.synced_hash = states.REMOTE_UNKNOWN
        apply_review(product, reviews[product.sku])
    session.commit()
    context.heartbeat()


def _known_pages(session, store_id, target):
    """The store's own SKUs that TikTok has, asked for by sku_ids (1,000 a request, any catalog size)."""
    last_id = 0
    while True:
        chunk = session.execute(select(CatalogProduct.id, CatalogProduct.sku).where(
            CatalogProduct.store_id == store_id, CatalogProduct.id > last_id)
            .order_by(CatalogProduct.id).limit(api.MAX_SKU_FILTER)).all()
        session.commit()  # no transaction held open across TikTok calls
        if not chunk:
            return
        last_id = chunk[-1].id
        page = {str(item.get("sku_id")): item for item in
                api.iter_products(target.client, target.bc_id, target.catalog_id, sku_ids=[row.sku for row in chunk],
                                  page_size=PAGE)}
        if page:
            yield page
def _forget_lost(session, store_id, mark):
    """Products the store thought were on TikTok but are not: the plan that follows uploads them again."""
    return session.execute(
        update(CatalogProduct).where(CatalogProduct.store_id == store_id, CatalogProduct.synced_hash.is_not(None),
                                     CatalogProduct.seen_mark != mark)
        .values(synced_hash=None, review_status=None, review_reasons=None)
        .execution_options(synchronize_session=False)).rowcount
