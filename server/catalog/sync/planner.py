"""Planning a sync: every product's state decided, and the uploads and deletes queued as batches.

A delta plan looks only at products that need something (queued, being removed, a re-sync asked
for); a full plan looks at all of them, so hidden categories and changed rules take effect. Only
products whose outgoing payload changed are uploaded; images are measured for exactly those.
"""
from flask import current_app
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import load_only

from server.catalog import states
from server.catalog.checks.images import check_images
from server.models.catalog import CatalogProduct, SyncBatch

SCAN_CHUNK = 2000
DELETE_BATCH = 1000
PLAN_COLUMNS = ("id", "sku", "removed_at", "visibility", "category_ids", "problems", "payload_hash", "synced_hash",
                "refused_hash", "state", "reasons", "state_changed_at", "review_status", "review_reasons",
                "force_sync", "image_url")


class BatchWriter:
    """Collects SKUs to upload and delete and writes them as batches of TikTok's maximum size."""

    def __init__(self, session, store_id, run_id, upload_size):
        self.session = session
        self.store_id = store_id
        self.run_id = run_id
        self.sizes = {"upload": upload_size, "delete": DELETE_BATCH}
        self.pending = {"upload": [], "delete": []}
        self.totals = {"upload": 0, "delete": 0}

    def add(self, kind, sku):
        """Queue one SKU; writes a batch when one is full."""
        self.pending[kind].append(sku)
        self.totals[kind] += 1
        if len(self.pending[kind]) >= self.sizes[kind]:
            self.flush(kind)

    def flush(self, kind=None):
        """Write what is collected (of one kind, or both) as batches."""
        for name in ([kind] if kind else ["delete", "upload"]):
            skus, self.pending[name] = self.pending[name], []
            for start in range(0, len(skus), self.sizes[name]):
                self.session.add(SyncBatch(store_id=self.store_id, run_id=self.run_id, kind=name,
                                           skus=skus[start:start + self.sizes[name]], status="pending"))


def plan(context, store, run):
    """Decide states and write this run's batches; returns the counts planned (commits as it goes)."""
    session = context.session
    config = current_app.config
    hidden = states.hidden_categories(session, store.id)
    writer = BatchWriter(session, store.id, run.id, config["TTC_CATALOG_UPLOAD_BATCH"])
    counts = {"upload": 0, "delete": 0, "unchanged": 0, "excluded": 0, "invalid": 0, "deleted": 0, "later": 0}
    last_id = 0
    while True:
        ids = session.execute(_scan(store.id, run.kind, ids_only=True).where(CatalogProduct.id > last_id)
                              .order_by(CatalogProduct.id).limit(SCAN_CHUNK)).scalars().all()
        if not ids:
            break
        last_id = ids[-1]
        # Images are fetched before the lock is taken: the network must not hold up the store's intake.
        checks = _measure(session, ids, hidden, config, force=run.force) if config["TTC_IMAGE_CHECKS"] else None
        states.lock_catalog(session, store.id)
        rows = _rows(session, ids)
        candidates = _decide(rows, hidden, writer, counts, force=run.force)
        _queue(candidates, checks, writer, counts)
        session.commit()
        context.heartbeat()
    writer.flush()
    counts["upload"], counts["delete"] = writer.totals["upload"], writer.totals["delete"]
    run.counts = {**(run.counts or {}), "planned": counts}
    run.progress_total = (run.progress_total or 0) + counts["upload"] + counts["delete"]
    session.commit()
    return counts


def _rows(session, ids):
    return session.execute(select(CatalogProduct).options(load_only(*_plan_columns()))
                           .where(CatalogProduct.id.in_(ids)).order_by(CatalogProduct.id)
                           .execution_options(populate_existing=True)).scalars().all()


def _scan(store_id, kind, ids_only=False):
    if ids_only:
        query = select(CatalogProduct.id)
    else:
        query = select(CatalogProduct).options(load_only(*_plan_columns()))
    query = query.where(CatalogProduct.store_id == store_id)
    if kind == "delta":
        query = query.where(or_(
            CatalogProduct.state.in_(("queued", "uploading")), CatalogProduct.force_sync.is_(True),
            and_(CatalogProduct.state.in_(("excluded", "invalid", "deleted")),
                 CatalogProduct.synced_hash.is_not(None))))
    return query


def _plan_columns():
    return [getattr(CatalogProduct, c) for c in PLAN_COLUMNS]


def _decide(rows, hidden, writer, counts, *, force):
    candidates = []
    for product in rows:
        verdict = _verdict(product, hidden)
        if verdict is not None:
            states.set_state(product, *verdict)
            counts[verdict[0]] += 1
            if product.synced_hash is not None:
                writer.add("delete", product.sku)
            continue
        state, reasons, upload = _candidate(product, force)
        if upload:
            candidates.append(product)
        else:
            states.set_state(product, state, reasons)
            counts["unchanged"] += 1
    return candidates


def _measure(session, ids, hidden, config, *, force):
    """Image checks for the products of ``ids`` that would be uploaded ({url: ImageCheck}; commits)."""
    urls = [p.image_url for p in _rows(session, ids) if _would_upload(p, hidden, force)]
    checks = check_images(session, urls, config=config, force=force)
    session.commit()
    return checks


def _would_upload(product, hidden, force):
    if _verdict(product, hidden) is not None:
        return False
    return _candidate(product, force)[2]


def _verdict(product, hidden):
    return states.store_verdict(removed=product.removed_at is not None, visibility=product.visibility,
                                category_ids=product.category_ids, problems=product.problems, hidden=hidden)


def _candidate(product, force):
    return states.candidate_state(
        payload_hash=product.payload_hash, synced_hash=product.synced_hash, refused_hash=product.refused_hash,
        current_state=product.state, current_reasons=product.reasons, review_status=product.review_status,
        review_reasons=product.review_reasons, force=force or product.force_sync)


def _queue(candidates, checks, writer, counts):
    for product in candidates:
        if checks is not None and product.image_url not in checks:
            # Became an upload candidate after its images were checked: the next run takes it.
            states.set_state(product, "queued", [])
            counts["later"] += 1
            continue
        check = (checks or {}).get(product.image_url)
        if check is not None and check.outcome != "ok":
            states.set_state(product, "invalid", [states.reason(f"image_{check.outcome}", image_message(check),
                                                                field="image_link")])
            counts["invalid"] += 1
            if product.synced_hash is not None:
                writer.add("delete", product.sku)
            continue
        states.set_state(product, "queued", [])
        writer.add("upload", product.sku)


class _Discard:
    """A batch writer that writes nothing (for re-deciding states without a sync)."""

    def add(self, kind, sku):
        """Ignore the SKU."""
        pass


def restate(session, store):
    """Re-decide every product's store-side state now (after categories changed, when no sync runs)."""
    hidden = states.hidden_categories(session, store.id)
    counts = dict.fromkeys(("unchanged", "excluded", "invalid", "deleted"), 0)
    last_id = 0
    while True:
        ids = session.execute(_scan(store.id, "full", ids_only=True).where(CatalogProduct.id > last_id)
                              .order_by(CatalogProduct.id).limit(SCAN_CHUNK)).scalars().all()
        if not ids:
            break
        last_id = ids[-1]
        states.lock_catalog(session, store.id)
        for product in _decide(_rows(session, ids), hidden, _Discard(), counts, force=False):
            states.set_state(product, "queued", [])
        session.commit()


def image_message(check):
    """What is wrong with a product's main image, for the merchant."""
    if check.outcome == "blocked":
        return f"the image address is not allowed: {check.message}"
    if check.outcome == "unreachable":
        return f"the image could not be fetched: {check.message}"
    return check.message or "the image is not usable"
