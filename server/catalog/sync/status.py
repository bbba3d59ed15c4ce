"""What merchants read: counts per state, the product table, the sync history, and one answer to
"why is this product not on TikTok?" shared by the API, the command line and the admin page."""
from flask import current_app
from sqlalchemy import func, or_, select

from server.catalog.checks import tiktok_categories
from server.catalog.sync import outbox
from server.catalog.sync.runs import run_summary
from server.errors import NotFound
from server.jobs.queue import pretty_time
from server.models.catalog import PRODUCT_STATES, CatalogProduct, StoreCatalog, SyncBatch, SyncRun

HEADLINES = {
    "excluded": "Not sent to TikTok: the store keeps it off TikTok.",
    "invalid": "Not sent to TikTok: it fails TikTok's rules.",
    "queued": "Waiting to be sent to TikTok.",
    "uploading": "Being sent to TikTok now.",
    "pending_review": "On TikTok, waiting for TikTok's review.",
    "listed": "Listed on TikTok (approved).",
    "rejected": "Not approved by TikTok.",
    "deleted": "Removed from the store.",
}

PRODUCT_SETS = "ttc_catalog_product_sets"


def register_product_sets(app, reader):
    """Let a later feature name the product sets a product is in: ``reader(session, store, product)``
    returns their names, shown with the product's answer (none while nothing is registered)."""
    app.extensions[PRODUCT_SETS] = reader


def _product_sets(session, store, product):
    reader = current_app.extensions.get(PRODUCT_SETS)
    return reader(session, store, product) if reader else []


def catalog_status(session, store, *, history=10):
    """Counts per state, what is on TikTok, the running sync with its progress, recent runs."""
    counts = dict.fromkeys(PRODUCT_STATES, 0)
    counts.update(dict(session.execute(select(CatalogProduct.state, func.count())
                                       .where(CatalogProduct.store_id == store.id)
                                       .group_by(CatalogProduct.state)).all()))
    on_tiktok = session.execute(select(func.count()).where(CatalogProduct.store_id == store.id,
                                                           CatalogProduct.synced_hash.is_not(None))).scalar_one()
    recent = session.execute(select(SyncRun).where(SyncRun.store_id == store.id)
                             .order_by(SyncRun.id.desc()).limit(history)).scalars().all()
    running = next((r for r in recent if r.status == "running"), None)
    dead = session.execute(select(func.count()).where(SyncBatch.store_id == store.id,
                                                      SyncBatch.status == "dead")).scalar_one()
    catalog = session.execute(select(StoreCatalog).where(StoreCatalog.store_id == store.id)).scalar_one_or_none()
    return {
        "store": store.public_key,
        "tiktok": {"state": store.tiktok_state, "reason": store.tiktok_state_reason},
        "counts": counts,
        "total": sum(counts.values()) - counts["deleted"],
        "on_tiktok": on_tiktok,
        "running": run_summary(running) if running else None,
        "runs": [run_summary(r) for r in recent],
        "outbox": {"unfinished": outbox.unfinished_count(session, store.id), "dead": dead},
        "last_reconciled_at": pretty_time(catalog.last_reconciled_at) if catalog else None,
    }


def explain(session, store, sku):
    """Why a product is (or is not) on TikTok, in one answer; raises NotFound for an unknown SKU."""
    product = session.execute(select(CatalogProduct).where(CatalogProduct.store_id == store.id,
                                                           CatalogProduct.sku == sku)).scalar_one_or_none()
    if product is None:
        raise NotFound(f"the store has no product with id {sku!r}")
    answer = product_summary(product)
    notes = []
    if store.tiktok_state != "connected" and product.state in ("queued", "uploading", "invalid"):
        state = "disconnected from" if store.tiktok_state == "disconnected" else "not connected to"
        notes.append(f"the store is {state} TikTok, so nothing is sent until it is connected")
    if product.on_tiktok and product.state in ("excluded", "invalid", "deleted"):
        notes.append("an older version is still on TikTok and is deleted at the next sync")
    if product.state == "rejected" and product.refused_hash == product.payload_hash:
        notes.append("fix the product (or re-sync it) to send it to TikTok again")
    notes.extend((product.data or {}).get("import_notes") or [])  # what was filled in or changed on the way in
    notes += tiktok_categories.notes(product.data or {})
    answer["notes"] = notes
    answer["answer"] = " ".join([answer["summary"]] + [n[0].upper() + n[1:] + "." for n in notes])
    answer["product_sets"] = _product_sets(session, store, product)
    return answer


def product_summary(product):
    """A product row as plain data, with its headline and reasons."""
    reasons = list(product.reasons or [])
    summary = HEADLINES.get(product.state, product.state)
    if reasons and product.state in ("excluded", "invalid", "rejected", "deleted", "queued"):
        summary = f"{summary} {_first_words(reasons)}"
    data = product.data or {}
    return {
        "id": product.sku,
        "title": data.get("title"),
        "item_group_id": product.item_group_id,
        "state": product.state,
        "summary": summary,
        "reasons": reasons,
        "on_tiktok": product.on_tiktok,
        "review": {"status": product.review_status, "reasons": product.review_reasons or [],
                   "checked_at": pretty_time(product.reviewed_at)},
        "state_changed_at": pretty_time(product.state_changed_at),
        "synced_at": pretty_time(product.synced_at),
        "updated_at": pretty_time(product.updated_at),
    }


def _first_words(reasons):
    first = reasons[0]
    text = first.get("message", "").rstrip(". ")
    if first.get("suggestion"):  # a sentence of its own, so it keeps its full stop outside any brackets
        text = f"{text}. TikTok suggests: {first['suggestion'].rstrip('. ')}"
    more = f" (+{len(reasons) - 1} more)" if len(reasons) > 1 else ""
    return text[:1].upper() + text[1:] + more + "."


def list_products(session, store, *, state=None, search=None, limit=50, offset=0):
    """A page of the store's products, filtered by state and by a text in the id or title."""
    query = select(CatalogProduct).where(CatalogProduct.store_id == store.id)
    if state:
        query = query.where(CatalogProduct.state == state)
    if search:
        needle = f"%{search.strip()[:100]}%"
        query = query.where(or_(CatalogProduct.sku.ilike(needle), CatalogProduct.item_group_id.ilike(needle)))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(CatalogProduct.sku).limit(max(1, min(limit, 500)))
                           .offset(max(0, offset))).scalars().all()
    return {"total": total, "products": [product_summary(p) for p in rows]}
