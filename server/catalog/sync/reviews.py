"""Reading TikTok's review back onto products: approved -> listed, rejected -> rejected with
TikTok's reasons and suggestions, still processing -> pending review (checked again later).

Few products waiting: asked for by SKU (1,000 per call). Many: the catalog's overview says which
is smaller, the approved or the processing set, and only that set (plus the rejected) is listed,
as long as both fit TikTok's 100,000-product listing cap; otherwise by SKU again, at any size.
"""
from sqlalchemy import func, select

from server.catalog import states
from server.catalog.sync.runs import request_review
from server.catalog.sync.schedule import review_delay
from server.catalog.sync.tiktok_target import guarded_target
from server.clock import utcnow
from server.models.catalog import CatalogProduct
from server.tiktok import catalogs as catalog_api
from server.tiktok import products as api

BY_SKU_LIMIT = 5000
CHUNK = 1000


def check_reviews(session, store, target):
    """Update every product awaiting review from TikTok; returns counts by outcome (commits)."""
    waiting = _waiting_count(session, store.id)
    counts = {"listed": 0, "rejected": 0, "pending_review": 0, "missing": 0}
    if not waiting:
        return counts
    overview = None if waiting <= BY_SKU_LIMIT else catalog_api.catalog_overview(
        target.client, target.bc_id, target.catalog_id)
    if overview is None or not _listable(overview):
        _by_sku(session, store, target, counts)
    else:
        _by_listing(session, store, target, counts, overview)
    session.commit()
    counts["pending_review"] = _waiting_count(session, store.id)
    return counts


def _waiting_count(session, store_id):
    return session.execute(select(func.count()).where(CatalogProduct.store_id == store_id,
                                                      CatalogProduct.state == "pending_review")).scalar_one()


def _waiting(session, store_id, after_id, limit):
    return session.execute(select(CatalogProduct).where(CatalogProduct.store_id == store_id,
                                                        CatalogProduct.state == "pending_review",
                                                        CatalogProduct.id > after_id)
                           .order_by(CatalogProduct.id).limit(limit)).scalars().all()


def _by_sku(session, store, target, counts):
    last_id = 0
    while True:
        rows = _waiting(session, store.id, last_id, CHUNK)
        if not rows:
            return
        last_id = rows[-1].id
        found = {str(item.get("sku_id")): item for item in
                 api.iter_products(target.client, target.bc_id, target.catalog_id, sku_ids=[r.sku for r in rows])}
        rows = _locked_rows(session, store.id, rows)
        for product in rows:
            item = found.get(product.sku)
            if item is None:
                _missing(product)
                counts["missing"] += 1
            else:
                counts[apply_review(product, api.review_of(item))] += 1
        session.commit()


def _listed_status(overview):
    return "approved" if overview["approved"] <= overview["processing"] else "processing"


def _listable(overview):
    """Whether the two listings ``_by_listing`` reads each stay under TikTok's listing cap."""
    return max(overview["rejected"], overview[_listed_status(overview)]) <= api.LISTING_CAP


def _by_listing(session, store, target, counts, overview):
    # Everything waiting is in exactly one of the three sets; list the two smaller ones.
    listed_status = _listed_status(overview)
    found = {}
    for status in ("rejected", listed_status):
        conditions = {"and": [{"field": "audit_status", "operator": "EQ", "values": [status]}]}
        for item in api.iter_products(target.client, target.bc_id, target.catalog_id, conditions=conditions):
            found[str(item.get("sku_id"))] = api.review_of(item)
    otherwise = "processing" if listed_status == "approved" else "approved"
    last_id = 0
    while True:
        rows = _waiting(session, store.id, last_id, CHUNK)
        if not rows:
            return
        last_id = rows[-1].id
        for product in _locked_rows(session, store.id, rows):
            review = found.get(product.sku) or {"status": otherwise, "reasons": []}
            counts[apply_review(product, review)] += 1
        session.commit()


def _locked_rows(session, store_id, rows):
    """The same products read again under the catalog lock, still awaiting review."""
    states.lock_catalog(session, store_id)
    return session.execute(select(CatalogProduct).where(CatalogProduct.id.in_([r.id for r in rows]),
                                                        CatalogProduct.state == "pending_review")
                           .execution_options(populate_existing=True)).scalars().all()


def apply_review(product, review):
    """Record TikTok's review on a product it has; returns the product's new state."""
    product.review_status = review["status"]
    product.review_reasons = review["reasons"] or None
    product.reviewed_at = utcnow()
    if product.synced_hash == product.payload_hash and product.state in states.REVIEWED_STATES:
        states.set_state(product, *states.review_state(product.review_status, review["reasons"]))
    return product.state if product.state in ("listed", "rejected", "pending_review") else "pending_review"


def _missing(product):
    # Accepted by the upload but absent from the catalog: TikTok dropped it without saying why.
    product.refused_hash, product.synced_hash = product.synced_hash, None
    product.review_status = None
    states.set_state(product, "rejected", [states.reason(
        "not_in_catalog", "TikTok accepted the upload but the product is not in the catalog",
        suggestion="check the product's fields and images, then re-sync it")])


def run_review_job(context, store_id, round_number=0):
    """Job: check reviews for a store, and come back later while some are still pending."""
    store, target = guarded_target(context.session, store_id)
    counts = check_reviews(context.session, store, target)
    if counts["pending_review"]:
        request_review(context.session, store, delay=review_delay(round_number + 1), round_number=round_number + 1)
        context.session.commit()
    return counts
