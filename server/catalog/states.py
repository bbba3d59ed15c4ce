"""Which state a product is in, and why, from what the store says about it.

The store-side half of the answer to "why is this product not on TikTok?": removed, draft, hidden,
in a hidden category, failing checks. TikTok's half (upload errors, review) is written by the sync.
"""
from sqlalchemy import select, update

from server.clock import utcnow
from server.models.catalog import CatalogCategory, StoreCatalog

REMOTE_UNKNOWN = "remote-version-unknown"  # synced_hash of a SKU found on TikTok by a reconcile
REVIEWED_STATES = ("pending_review", "listed", "rejected")


def lock_catalog(session, store_id):
    """Take the store's catalog lock for the current transaction (released by its commit).

    Every read-decide-write of product states (intake, planning, upload results, reviews) starts
    with it, so a merchant's change and a sync's bookkeeping never overwrite each other: an UPDATE
    of the store's catalog row locks that row on PostgreSQL and the database's writer lock on SQLite.
    """
    locked = session.execute(update(StoreCatalog).where(StoreCatalog.store_id == store_id)
                             .values(mark_counter=StoreCatalog.mark_counter)
                             .execution_options(synchronize_session=False)).rowcount
    if not locked:
        raise LookupError(f"store {store_id} has no catalog row; call bookkeeping.store_catalog first")


def reason(code, message, **extra):
    """One reason as stored on a product."""
    return {"code": code, "message": message, **{k: v for k, v in extra.items() if v}}


def hidden_categories(session, store_id):
    """{category id: name of the hidden category that hides it}, sub-categories included."""
    rows = session.execute(select(CatalogCategory.category_id, CatalogCategory.name, CatalogCategory.parent_id,
                                  CatalogCategory.hidden).where(CatalogCategory.store_id == store_id)).all()
    parents = {r.category_id: r.parent_id for r in rows}
    names = {r.category_id: r.name for r in rows}
    hidden_ids = {r.category_id for r in rows if r.hidden}
    result = {}
    for category_id in parents:
        seen, current = set(), category_id
        while current is not None and current not in seen:
            if current in hidden_ids:
                result[category_id] = names.get(current) or current
                break
            seen.add(current)
            current = parents.get(current)
    return result


def store_verdict(*, removed, visibility, category_ids, problems, hidden):
    """``(state, reasons)`` when the store keeps the product off TikTok, else None (a candidate)."""
    if removed:
        return "deleted", [reason("removed", "the product was removed from the store")]
    if visibility == "draft":
        return "excluded", [reason("draft", "the product is a draft in the store")]
    if visibility == "hidden":
        return "excluded", [reason("hidden", "the product is hidden in the store")]
    for category_id in category_ids or ():
        if category_id in hidden:
            return "excluded", [reason("hidden_category", f"the product is in the hidden category "
                                                         f"{hidden[category_id]!r}", category=category_id)]
    if problems:
        return "invalid", [reason(p["code"], p["message"], field=p.get("field")) for p in problems]
    return None


def candidate_state(*, payload_hash, synced_hash, refused_hash, current_state, current_reasons,
                    review_status=None, review_reasons=None, force=False):
    """``(state, reasons, needs_upload)`` for a product the store wants on TikTok."""
    if not force and payload_hash == synced_hash:
        if current_state in REVIEWED_STATES:
            return current_state, current_reasons, False
        return review_state(review_status, review_reasons) + (False,)
    if not force and payload_hash == refused_hash and current_state == "rejected":
        return current_state, current_reasons, False
    return "queued", [], True


def review_state(review_status, review_reasons):
    """``(state, reasons)`` for TikTok's review of a product it has."""
    if review_status == "approved":
        return "listed", []
    if review_status == "rejected":
        return "rejected", [reason("review_rejected", r.get("reason") or "rejected by TikTok's review",
                                   suggestion=r.get("suggestion"), countries=r.get("affected_country"))
                            for r in review_reasons or [{}]]
    return "pending_review", []


def set_state(product, state, reasons):
    """Change a product's state and reasons, stamping the time only when the state changes."""
    if product.state != state:
        product.state = state
        product.state_changed_at = utcnow()
    if product.reasons != reasons:
        product.reasons = reasons
