"""Catalog services for the API, the webhook and the command line: plain values in, plain data out."""
import contextlib
import gc
import io
import os

from flask import current_app
from sqlalchemy import select

from server.catalog.checks.limits import FeedLimits
from server.catalog.errors import CatalogError
from server.catalog.intake import feed_worker
from server.catalog.intake.feeds import CountingReader, read_feed
from server.catalog.intake.products import CHUNK, Intake, IntakeResult, count_products, remove_products
from server.catalog.sync import planner, runs
from server.clock import utcnow
from server.errors import NotFound, ValidationError
from server.models.catalog import CatalogCategory, CatalogProduct

MAX_PUSH = 10_000
WORKER_FEED_BYTES = 4 << 20  # a feed this long (some 10,000 products) is imported with a feed worker


class ImportRefused(CatalogError, ValidationError):
    """Raised when a full feed would remove too much of the catalog; nothing was changed.

    ``summary`` is what reading the feed found (``IntakeResult.as_dict``), to show the refusals.
    """

    def __init__(self, message, *, summary):
        super().__init__(message)
        self.summary = summary


class EmptyFeed(ImportRefused):
    """Raised when a full feed without one accepted product would remove the store's products."""


class ShrinkRefused(ImportRefused):
    """Raised when a full feed would remove more than TTC_CATALOG_MAX_SHRINK_PERCENT of the products."""


def push_products(session, store, items, *, trigger="api"):
    """Upsert products (a list of items); malformed ones are refused one by one (commits)."""
    if not isinstance(items, list):
        raise ValidationError("products must be a list of product objects")
    if len(items) > MAX_PUSH:
        raise ValidationError(f"at most {MAX_PUSH} products per request; send the rest in another request")
    intake = Intake(session, store)
    intake.add_raw([({"index": index}, raw) for index, raw in enumerate(items)])
    return _finish(session, store, intake.result, trigger)


def delete_product(session, store, sku, *, trigger="api"):
    """Remove one product from the store (and from TikTok at the next sync); raises NotFound."""
    removed = remove_products(session, store, [sku])
    if not removed and session.execute(select(CatalogProduct.id).where(
            CatalogProduct.store_id == store.id, CatalogProduct.sku == sku)).first() is None:
        raise NotFound(f"the store has no product with id {sku!r}")
    return _finish(session, store, IntakeResult(removed=removed), trigger)


def apply_webhook(session, store, payload):
    """A verified change webhook: ``{"products": [...], "deleted": [ids]}`` (commits)."""
    if not isinstance(payload, dict):
        raise ValidationError("the webhook body must be a JSON object with products and/or deleted")
    products, deleted = payload.get("products") or [], payload.get("deleted") or []
    if not isinstance(deleted, list) or not all(isinstance(d, (str, int)) for d in deleted):
        raise ValidationError("deleted must be a list of product ids")
    intake = Intake(session, store)
    if products:
        if not isinstance(products, list):
            raise ValidationError("products must be a list of product objects")
        intake.add_raw([({"index": index}, raw) for index, raw in enumerate(products)])
    intake.result.removed += remove_products(session, store, deleted)
    return _finish(session, store, intake.result, "webhook")


def import_feed(session, store, stream, *, replace=True, allow_empty=False, allow_shrink=False, recheck=False,
                on_progress=None):
    """Import a Google Merchant Center feed (XML, CSV/TSV, maybe gzipped) from a binary stream (commits).

    All or nothing: the whole import is one transaction, committed once the feed was read to its
    end, so readers and syncs see the old catalog until the new one is complete, and a feed that
    breaks, fails or is refused (or a process killed meanwhile) changes nothing. With ``replace``
    the feed is the whole catalog: products missing from it are removed; but a feed accepting no
    product (``EmptyFeed``, unless ``allow_empty``) or removing more than
    TTC_CATALOG_MAX_SHRINK_PERCENT of the products (``ShrinkRefused``, unless ``allow_shrink``)
    is refused. ``recheck`` looks at unchanged items again (after the store's domains or currency
    changed). On any failure the session is rolled back, with whatever else it held uncommitted.
    """
    with _old_objects_left_alone():
        try:
            return _import_feed(session, store, stream, replace, (allow_empty, allow_shrink), recheck, on_progress)
        except BaseException:
            session.rollback()
            raise


@contextlib.contextmanager
def _old_objects_left_alone():
    """Keep the collector's full passes off the objects that existed before a long import.

    An import makes and drops millions of objects, and every so often the cyclic collector walks
    everything the process holds: the application, its modules, its caches. Frozen, those are
    skipped until the import ends; garbage made meanwhile is collected as usual. (Freezing is
    process-wide and cheap; an import running beside another only thaws sooner.)
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _import_feed(session, store, stream, replace, allowed, recheck, on_progress):
    limits = FeedLimits.from_config(current_app.config)
    counted = CountingReader(stream)
    intake = Intake(session, store)
    catalog_size = count_products(session, store) if replace else 0

    def progress():
        if on_progress:
            on_progress(intake.result.received, counted.consumed)

    mode = current_app.config["TTC_CATALOG_IMPORT_WORKER"]
    head = _start_of(counted, WORKER_FEED_BYTES) if mode == "auto" else b""
    notices = intake.result.tally.feed_notices
    if feed_worker.wanted(mode, len(head), WORKER_FEED_BYTES, _cores()):
        batches = feed_worker.prepared_batches(counted, intake.terms, head=head, limits=limits, notices=notices)
    else:
        batches = feed_worker.batches(read_feed(_Prefixed(head, counted), limits, notices), CHUNK)
    with contextlib.closing(batches):  # stops a feed worker if storing fails
        for entries in batches:
            intake.add_entries(entries, recheck=recheck)  # not committed: the feed is not complete yet
            progress()
    if replace:
        _check_removals(intake, catalog_size, *allowed)
        intake.remove_unseen()
    progress()
    return _finish(session, store, intake.result, "import")


def _check_removals(intake, catalog_size, allow_empty, allow_shrink):
    """Refuse a full feed that would empty the catalog, or shrink it more than allowed."""
    removing, result = intake.count_unseen(), intake.result
    if not removing:
        return
    if not result.accepted and not allow_empty:
        found = (f"none of the feed's {result.received} items could be accepted ({result.error_count} refused)"
                 if result.received else "the feed has no products")
        raise EmptyFeed(f"{found}; importing it would remove every product ({removing}). Nothing was changed "
                        "(allow an empty feed explicitly to do that)", summary=result.as_dict())
    limit = current_app.config["TTC_CATALOG_MAX_SHRINK_PERCENT"]
    if not (allow_shrink or allow_empty) and removing * 100 > catalog_size * limit:
        raise ShrinkRefused(
            f"the feed would remove {removing} of the store's {catalog_size} products "
            f"({removing * 100 // max(catalog_size, 1)}%; {result.accepted} of its {result.received} items accepted), "
            f"more than the {limit}% allowed (TTC_CATALOG_MAX_SHRINK_PERCENT). Nothing was changed; if the "
            "feed is right, import it again allowing the shrink", summary=result.as_dict())


def _start_of(stream, size):
    """Up to ``size`` bytes from the start of ``stream`` (fewer: the whole feed)."""
    parts, got = [], 0
    while got < size:
        part = stream.read(size - got)
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class _Prefixed(io.RawIOBase):
    """``head`` (bytes already read), then the rest of ``stream``."""

    def __init__(self, head, stream):
        self._head = memoryview(head)
        self._stream = stream

    def readable(self):
        """A readable stream."""
        return True

    def readinto(self, buffer):
        """Read into ``buffer``: what is left of the head first."""
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        return self._stream.readinto(buffer)


def put_categories(session, store, items):
    """Upsert categories ``{id, name, parent_id?, hidden?}``; refused ones are listed (commits)."""
    if not isinstance(items, list):
        raise ValidationError("categories must be a list of category objects")
    existing = {c.category_id: c for c in session.execute(
        select(CatalogCategory).where(CatalogCategory.store_id == store.id)).scalars()}
    result, visibility_changed = {"received": len(items), "accepted": 0, "errors": []}, False
    for index, raw in enumerate(items):
        try:
            category_id, name, parent_id, hidden = _category(raw)
        except ValueError as error:
            result["errors"].append({"index": index, "id": raw.get("id") if isinstance(raw, dict) else None,
                                     "message": str(error)})
            continue
        row = existing.get(category_id)
        if row is None:
            row = existing[category_id] = CatalogCategory(store_id=store.id, category_id=category_id, name=name)
            session.add(row)
            visibility_changed |= hidden or parent_id is not None
        else:
            visibility_changed |= row.hidden != hidden or row.parent_id != parent_id
        row.name, row.parent_id, row.hidden, row.updated_at = name, parent_id, hidden, utcnow()
        result["accepted"] += 1
    session.commit()
    run = None
    if visibility_changed:
        planner.restate(session, store)
        run = runs.request_sync(session, store, kind="full", trigger="categories")
        session.commit()
    result["sync"] = runs.run_summary(run) if run else None
    return result


def _category(raw):
    if not isinstance(raw, dict):
        raise ValueError("a category must be an object with id, name and hidden")
    category_id = raw.get("id")
    if isinstance(category_id, bool) or not isinstance(category_id, (str, int)) or not str(category_id).strip():
        raise ValueError("id: required (a string)")
    name = raw.get("name", str(category_id))
    if not isinstance(name, str) or len(name) > 500:
        raise ValueError("name: must be text of at most 500 characters")
    parent_id = raw.get("parent_id")
    if parent_id is not None and (isinstance(parent_id, bool) or not isinstance(parent_id, (str, int))):
        raise ValueError("parent_id: must be a category id")
    hidden = raw.get("hidden", False)
    if not isinstance(hidden, bool):
        raise ValueError("hidden: must be true or false")
    return (str(category_id).strip()[:255], name.strip() or str(category_id),
            str(parent_id).strip()[:255] if parent_id is not None else None, hidden)


def set_https_upgrade(session, store, enabled):
    """Turn trying the https:// form of http:// links and images on or off for ``store`` (commits)."""
    store.https_upgrade = bool(enabled)
    session.commit()
    return store


def resync(session, store, sku=None, *, trigger="manual"):
    """Force a product (or the whole store) to be uploaded again even if unchanged (commits)."""
    if sku is not None:
        product = session.execute(select(CatalogProduct).where(CatalogProduct.store_id == store.id,
                                                               CatalogProduct.sku == sku)).scalar_one_or_none()
        if product is None:
            raise NotFound(f"the store has no product with id {sku!r}")
        product.force_sync = True
        run = runs.request_sync(session, store, kind="delta", trigger=trigger)
    else:
        run = runs.request_sync(session, store, kind="full", force=True, trigger=trigger)
    session.commit()
    return run


def _finish(session, store, result, trigger):
    session.commit()
    run = None
    if result.changed or result.removed:
        run = runs.request_sync(session, store, kind="delta", trigger=trigger)
        session.commit()
    return {**result.as_dict(), "sync": runs.run_summary(run) if run else None}
