"""Sending a store's batches to TikTok and reading back what TikTok did with them.

Each batch is recorded (SKUs in order, payload hashes) before it is sent and marked sent with its
``feed_log_id`` after; a process killed in between re-sends it, which is harmless (uploads are
upserts by SKU, deletes by SKU). ``synced_hash`` moves only when the upload log says TikTok took
the product, and each error in the log (``index`` -> SKU) lands on its product.
"""
import time

from flask import current_app
from sqlalchemy import bindparam, or_, select, update

from server.catalog import states
from server.catalog.checks.mapping import payload_hash, tiktok_product
from server.clock import utcnow
from server.jobs import RetryLater
from server.models.catalog import CatalogProduct, SyncBatch
from server.tiktok import products as api
from server.tiktok.errors import TikTokError, TikTokRequestError

MAX_BATCH_ATTEMPTS = 6
CHUNK = 1000
TABLE = CatalogProduct.__table__
UNFINISHED = ("pending", "sending", "sent")


def process(context, store, target, run):
    """Send every unfinished batch of the store, then wait for TikTok to process each (commits)."""
    session = context.session
    for batch in _batches(session, store.id, ("pending", "sending")):
        _send(context, store, target, run, batch)
        context.heartbeat()
    for batch in _batches(session, store.id, ("sent",)):
        _await_log(context, store, target, run, batch)


def unfinished_count(session, store_id):
    """How many batches of the store still have to be sent or confirmed."""
    return len(session.execute(select(SyncBatch.id).where(SyncBatch.store_id == store_id,
                                                          SyncBatch.status.in_(UNFINISHED))).all())


def _batches(session, store_id, statuses):
    ids = session.execute(select(SyncBatch.id).where(SyncBatch.store_id == store_id, SyncBatch.status.in_(statuses))
                          .order_by(SyncBatch.id)).scalars().all()
    for batch_id in ids:
        batch = session.get(SyncBatch, batch_id)
        if batch is not None and batch.status in statuses:
            yield batch


def _send(context, store, target, run, batch):
    session = context.session
    if batch.attempts >= MAX_BATCH_ATTEMPTS:
        return _dead_letter(session, run, batch, f"gave up after {batch.attempts} attempts: {batch.last_error}")
    if batch.kind == "upload":
        states.lock_catalog(session, store.id)
        payloads = _payloads(session, store, batch)
        if not payloads:
            return _finish(session, run, batch, {"skipped": "nothing left to upload"})
        _mark(session, store.id, batch.skus, state="uploading")
    batch.status, batch.attempts, batch.sent_at = "sending", batch.attempts + 1, utcnow()
    run.phase = "uploading" if batch.kind == "upload" else "deleting"
    session.commit()
    try:
        if batch.kind == "upload":
            feed_log_id = api.upload_products(target.client, target.bc_id, target.catalog_id, payloads)
        else:
            feed_log_id = api.delete_products(target.client, target.bc_id, target.catalog_id, batch.skus)
    except TikTokRequestError as error:  # TikTok refuses the request itself: re-sending cannot help
        return _refused(session, run, batch, error)
    except TikTokError as error:  # recorded on the batch, then handled by the sync job's retry rules
        session.rollback()
        batch.last_error = str(error)[:1000]
        if batch.kind == "upload":
            session.execute(update(CatalogProduct).where(CatalogProduct.store_id == store.id,
                                                         CatalogProduct.sku.in_(batch.skus),
                                                         CatalogProduct.state == "uploading")
                            .values(state="queued").execution_options(synchronize_session=False))
        session.commit()
        raise
    batch.feed_log_id, batch.status, batch.last_error = feed_log_id, "sent", None
    session.commit()


def _payloads(session, store, batch):
    rows = {}
    for start in range(0, len(batch.skus), CHUNK):
        rows.update({p.sku: p for p in session.execute(select(CatalogProduct).where(
            CatalogProduct.store_id == store.id, CatalogProduct.sku.in_(batch.skus[start:start + CHUNK]))).scalars()})
    payloads, hashes, dropped = [], {}, []
    for sku in batch.skus:
        product = rows.get(sku)
        # A product changed since planning is sent as it is now; one no longer wanted is left out.
        if product is None or product.state not in ("queued", "uploading") or product.payload_hash is None:
            dropped.append(sku)
            continue
        payload = tiktok_product(product.data, currency=store.currency)
        payloads.append(payload)
        hashes[sku] = payload_hash(payload)
    _forget_what_may_have_landed(session, store, batch, dropped, rows)
    batch.skus, batch.sent_hashes = list(hashes), hashes
    return payloads


def _forget_what_may_have_landed(session, store, batch, skus, rows):
    """An earlier attempt of this batch may have reached TikTok before its process died: for the
    products it carried that are not sent again, TikTok's version is unknown. The plan that follows
    then uploads them again if wanted, or deletes them if not."""
    previous = batch.sent_hashes or {}
    uncertain = [sku for sku in skus if sku in previous and (rows.get(sku) is None
                                                              or rows[sku].synced_hash != previous[sku])]
    if batch.attempts and uncertain:
        session.execute(update(TABLE).where(TABLE.c.store_id == store.id, TABLE.c.sku.in_(uncertain))
                        .values(synced_hash=states.REMOTE_UNKNOWN))


def _await_log(context, store, target, run, batch):
    config = current_app.config
    pause = config["TTC_CATALOG_LOG_POLL_SECONDS"]
    deadline = time.monotonic() + config["TTC_CATALOG_LOG_WAIT_SECONDS"]
    run.phase = "waiting_for_tiktok"
    context.session.commit()
    while True:
        try:
            log = api.product_log(target.client, target.bc_id, target.catalog_id, batch.feed_log_id)
        except TikTokRequestError as error:  # the log is gone: send the batch again (idempotent)
            batch.status, batch.last_error = "pending", f"upload log unreadable: {error}"[:1000]
            context.session.commit()
            raise RetryLater(f"batch {batch.id} will be sent again: {error}", delay=5) from None
        if log.finished:
            return _apply_log(context, store, target, run, batch, log)
        context.heartbeat(force=True)
        if time.monotonic() + pause > deadline:
            raise RetryLater(f"TikTok is still processing batch {batch.id}", delay=60)
        time.sleep(pause)
        pause = min(pause * 1.5, 15.0)


def _apply_log(context, store, target, run, batch, log):
    session = context.session
    if batch.kind == "delete":
        if log.status == "FAILED":
            return _dead_letter(session, run, batch, f"TikTok could not delete these products (log {log.feed_log_id})")
        states.lock_catalog(session, store.id)
        _mark(session, batch.store_id, batch.skus, synced_hash=None, review_status=None, review_reasons=None)
        # Wanted again since the delete was planned (re-added, un-hidden): upload it anew.
        session.execute(update(TABLE).where(TABLE.c.store_id == store.id, TABLE.c.sku.in_(batch.skus),
                                            TABLE.c.state.in_(states.REVIEWED_STATES))
                        .values(state="queued", reasons=[], state_changed_at=utcnow()))
        return _finish(session, run, batch, {"deleted": log.delete_count})
    refused = _errors_by_sku(batch, log)
    if log.error_count > len(refused) or (log.status == "FAILED" and not refused):
        refused.update(_unconfirmed(context, store, target, batch, log, set(refused)))
    accepted = [sku for sku in batch.skus if sku not in refused]
    states.lock_catalog(session, store.id)
    _accept(session, batch, accepted)
    for sku, reasons in refused.items():
        _mark(session, batch.store_id, [sku], refused_hash=batch.sent_hashes.get(sku), force_sync=False)
        _mark(session, batch.store_id, [sku], only_state="uploading", state="rejected", reasons=reasons)
    return _finish(session, run, batch, {"accepted": len(accepted), "refused": len(refused),
                                         "added": log.add_count, "updated": log.update_count})


def _errors_by_sku(batch, log):
    found = {}
    for issue in log.errors:
        for item in issue.items:
            sku = _sku_of(batch, item)
            if sku is not None:
                message = f"{issue.field}: {issue.issue}" if issue.field else (issue.issue or "refused by TikTok")
                found.setdefault(sku, []).append(states.reason("upload_error", message, field=issue.field,
                                                               suggestion=issue.suggestion))
    return found


def _sku_of(batch, item):
    sku = str(item.get("sku_id")) if item.get("sku_id") is not None else None
    if sku in batch.sent_hashes:
        return sku
    try:
        index = int(item.get("index"))
    except (TypeError, ValueError):
        return None
    return batch.skus[index - 1] if 1 <= index <= len(batch.skus) else None


def _unconfirmed(context, store, target, batch, log, known):
    """TikTok lists at most five examples per error: check the rest of the batch against TikTok."""
    summary = "; ".join(f"{i.field}: {i.issue}" for i in log.errors) or "TikTok did not take the product"
    remaining = [sku for sku in batch.skus if sku not in known]
    present = {str(item.get("sku_id")): item for item in
               api.iter_products(target.client, target.bc_id, target.catalog_id, sku_ids=remaining)}
    rows = {}
    for start in range(0, len(remaining), CHUNK):
        rows.update({p.sku: p for p in context.session.execute(select(CatalogProduct).where(
            CatalogProduct.store_id == store.id, CatalogProduct.sku.in_(remaining[start:start + CHUNK]))).scalars()})
    refused = {}
    for sku in remaining:
        remote, product = present.get(sku), rows.get(sku)
        if remote is None or (product is not None and not _holds(remote, product, store, batch.sent_hashes.get(sku))):
            refused[sku] = [states.reason("upload_error", summary)]
    return refused


def _holds(remote, product, store, sent_hash):
    """Whether TikTok's copy matches what was sent (judged on the fields a shopper sees)."""
    sent = tiktok_product(product.data, currency=store.currency) if product.payload_hash else None
    if sent is None or payload_hash(sent) != sent_hash:
        return True  # changed since it was sent: nothing to compare with; the next sync sends it anyway
    same_price = abs(float((remote.get("price_info") or {}).get("price") or 0) - sent["price_info"]["price"]) < 0.005
    return same_price and all(remote.get(name) == sent[name] for name in ("title", "availability", "image_url"))


def _accept(session, batch, skus):
    """TikTok took these products: what it has is what was sent (by SQL, so concurrent edits stand)."""
    now = utcnow()
    for start in range(0, len(skus), CHUNK):
        chunk = skus[start:start + CHUNK]
        session.execute(update(TABLE).where(TABLE.c.store_id == batch.store_id, TABLE.c.sku == bindparam("b_sku"))
                        .values(synced_hash=bindparam("b_hash"), synced_at=now, force_sync=False,
                                review_status="processing", review_reasons=None, reviewed_at=None),
                        [{"b_sku": sku, "b_hash": batch.sent_hashes[sku]} for sku in chunk])
        uploading = (TABLE.c.store_id == batch.store_id, TABLE.c.sku.in_(chunk), TABLE.c.state == "uploading")
        session.execute(update(TABLE).where(*uploading, TABLE.c.payload_hash == TABLE.c.synced_hash)
                        .values(state="pending_review", reasons=[], state_changed_at=now))
        # Changed while it was uploading: it goes again with the next sync.
        session.execute(update(TABLE).where(*uploading).values(state="queued", state_changed_at=now))


def _mark(session, store_id, skus, only_state=None, **values):
    if "state" in values:
        values["state_changed_at"] = utcnow()
    for start in range(0, len(skus), CHUNK):
        query = update(TABLE).where(TABLE.c.store_id == store_id, TABLE.c.sku.in_(skus[start:start + CHUNK]))
        if only_state:
            query = query.where(TABLE.c.state == only_state)
        session.execute(query.values(**values))


def _refused(session, run, batch, error):
    session.rollback()
    if batch.kind == "upload":
        reasons = [states.reason("upload_refused", f"TikTok refused the upload: {error.message}")]
        for sku, digest in (batch.sent_hashes or {}).items():
            _mark(session, batch.store_id, [sku], refused_hash=digest)
        _mark(session, batch.store_id, list(batch.sent_hashes or {}), only_state="uploading", state="rejected",
              reasons=reasons)
    return _dead_letter(session, run, batch, f"TikTok refused the request: {error}")


def _dead_letter(session, run, batch, message):
    batch.status, batch.last_error, batch.finished_at = "dead", message[:1000], utcnow()
    if batch.kind == "upload" and batch.attempts and batch.sent_hashes:
        # Its last attempt may still have landed: what TikTok holds for these products is unknown.
        session.execute(update(TABLE).where(TABLE.c.store_id == batch.store_id, TABLE.c.sku == bindparam("b_sku"),
                                            or_(TABLE.c.synced_hash.is_(None),
                                                TABLE.c.synced_hash != bindparam("b_hash")))
                        .values(synced_hash=states.REMOTE_UNKNOWN),
                        [{"b_sku": sku, "b_hash": digest} for sku, digest in batch.sent_hashes.items()])
    if batch.kind == "upload":
        reasons = [states.reason("upload_failed", f"the last upload failed ({message}); it is tried again "
                                                  "at the next sync")]
        session.execute(update(CatalogProduct).where(CatalogProduct.store_id == batch.store_id,
                                                     CatalogProduct.sku.in_(batch.skus),
                                                     CatalogProduct.state == "uploading")
                        .values(state="queued", reasons=reasons).execution_options(synchronize_session=False))
    _count(run, "dead_batches", 1)
    session.commit()


def _finish(session, run, batch, result):
    batch.status, batch.result, batch.finished_at = "done", result, utcnow()
    if batch.run_id == run.id:
        run.progress_done = (run.progress_done or 0) + len(batch.skus)
    for key, value in result.items():
        if isinstance(value, int):
            _count(run, key, value)
    session.commit()


def _count(run, key, value):
    done = dict((run.counts or {}).get("done") or {})
    done[key] = done.get(key, 0) + value
    run.counts = {**(run.counts or {}), "done": done}
