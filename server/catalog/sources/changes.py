"""Changes the platform announces: VTEX's affiliate notification and Ecwid's webhooks.

Neither body is trusted: a notification only names what to read again from the platform's API.
Bursts for one SKU or product collapse into one refetch (one waiting job per entity, started
after a short delay); the refetched products go through the webhook intake and reach TikTok
with the next delta sync.
"""
import hashlib

from flask import current_app
from sqlalchemy import select

from server import jobs
from server.catalog import service as catalog_service
from server.catalog.intake.feed_worker import WorkerFailed
from server.catalog.intake.feeds import FeedError
from server.catalog.intake.signatures import WebhookRefused
from server.catalog.sources import image_sizes, schedule, service
from server.catalog.sources.ecwid import sku_of
from server.catalog.sources.errors import SourceError
from server.catalog.sources.vtex import account_matches
from server.clock import utcnow
from server.errors import AppError, NotFound, ValidationError
from server.events.ecwid_orders import NoEcwidConnection
from server.models.catalog import CatalogProduct, WebhookReceipt
from server.models.store import Store
from server.security import constant_time_equal

MAX_IDS = 500  # entities one refresh job reads


def _queue_refresh(session, store, what, ident):
    delay = current_app.config["TTC_CATALOG_SOURCE_NOTIFY_DELAY"]
    jobs.enqueue(session, schedule.REFRESH_JOB, {"store_id": store.id, "what": what, "ids": [str(ident)]},
                 key=f"catalog-source:{store.id}:{what}:{ident}", delay=delay)
    session.commit()


# --- VTEX -----------------------------------------------------------------------------------------

def vtex_notification(session, store, secret, body):
    """A VTEX affiliate notification for ``store`` at its secret URL: queue the SKU's refetch."""
    source = service.get_source(session, store)
    if source is None or source.kind != "vtex" or not secret or \
            not constant_time_equal(secret, service.notify_secret(source) or ""):
        raise NotFound("unknown notification URL")
    if not isinstance(body, dict):
        raise ValidationError("the notification must be a JSON object")
    fields = {str(k).lower(): v for k, v in body.items()}  # VTEX_API.md 3.1: casing varies, match any
    if not account_matches(fields.get("an"), source.settings["account"]):
        raise WebhookRefused("the notification names another VTEX account")
    sku = str(fields.get("idsku") or "").strip()
    if not sku.isdigit():
        raise ValidationError("the notification has no IdSku", fields={"IdSku": "a SKU id"})
    _queue_refresh(session, store, "sku", sku)
    return {"queued": sku}


# --- Ecwid ----------------------------------------------------------------------------------------

def first_delivery(session, store, event_id):
    """Whether this Ecwid event is seen for the first time (a replay or a retry is not; flushes)."""
    digest = hashlib.sha256(f"ecwid:{store.id}:{event_id}".encode()).hexdigest()
    if session.execute(select(WebhookReceipt.id).where(WebhookReceipt.signature_hash == digest)).first():
        return False
    session.add(WebhookReceipt(store_id=store.id, signature_hash=digest))
    session.flush()
    return True


def _ecwid_product(session, store, source, event):
    _queue_refresh(session, store, "product", int(str(event["entityId"])))
    return {"queued": "product"}


def _ecwid_category(session, store, source, event):
    _queue_refresh(session, store, "category", int(str(event["entityId"])))
    return {"queued": "category"}


def _ecwid_uninstalled(session, store, source, event):
    service.disconnect(session, store, "the Ecwid app was uninstalled from the store")
    return {"disconnected": True}


ECWID_HANDLERS = {"product.created": _ecwid_product, "product.updated": _ecwid_product,
                  "product.deleted": _ecwid_product, "category.created": _ecwid_category,
                  "category.updated": _ecwid_category, "category.deleted": _ecwid_category,
                  "application.uninstalled": _ecwid_uninstalled}


def ecwid_event(session, store, event):
    """Act on one verified Ecwid catalog event for ``store`` (commits); unknown types are ignored."""
    source = service.get_source(session, store)
    if source is None or source.kind != "ecwid" or str(event.get("storeId")) != str(source.settings["store_id"]):
        raise NotFound("the store has no Ecwid source for this store id")
    handler = ECWID_HANDLERS.get(event.get("eventType"))
    if handler is None:
        session.commit()
        return {"ignored": event.get("eventType")}
    if not str(event.get("entityId", "")).isdigit():
        raise ValidationError("the event has no entityId")
    if not first_delivery(session, store, event["eventId"]):
        session.rollback()
        return {"ignored": "already received"}
    return handler(session, store, source, event)


def read_ecwid_order(session, store, order_id):
    """The Ecwid order ``order_id`` of the store's Ecwid source (for order.created), or None when
    Ecwid has no such order; NoEcwidConnection when the store reads no Ecwid store; a platform error
    has Ecwid retry."""
    source = service.get_source(session, store)
    if source is None or source.kind != "ecwid" or source.credentials is None:
        raise NoEcwidConnection(f"store {store.public_key} reads no Ecwid store")
    if not str(order_id).isdigit():
        return None
    platform = service.connector(source, store)
    try:
        return platform.order(order_id)
    finally:
        platform.close()


# --- jobs -----------------------------------------------------------------------------------------

def run_refresh_job(context, store_id, what, ids):
    """Job: read SKUs (VTEX) or products/categories (Ecwid) again and take what changed."""
    session = context.session
    store, source = _job_source(session, store_id)
    if source is None:
        return {"skipped": "no active source"}
    platform = service.connector(source, store)
    try:
        if source.kind == "vtex":
            items, gone = platform.fetch([i for i in ids if str(i).isdigit()][:MAX_IDS])
            payload = {"products": items, "deleted": gone}
        else:
            product_ids = [int(i) for i in ids][:MAX_IDS]
            if what == "category":
                product_ids = [p for c in product_ids for p in platform.category_products(c)][:MAX_IDS]
            payload = _ecwid_changes(session, store, platform, product_ids)
    except SourceError as error:
        service.record_failure(session, store, error)
        return {"failed": error.message}
    finally:
        platform.close()
    result = catalog_service.apply_webhook(session, store, payload)
    return {"received": result["received"], "changed": result["changed"], "removed": result["removed"]}


def _ecwid_changes(session, store, platform, product_ids, deleted=()):
    items, found = platform.fetch(product_ids) if product_ids else ([], set())
    image_sizes.record(session, platform.take_image_sizes())
    groups = {str(p) for p in product_ids} | {str(p) for p in deleted}
    keep = {i["id"] for i in items}
    known = session.execute(select(CatalogProduct.sku).where(
        CatalogProduct.store_id == store.id, CatalogProduct.item_group_id.in_(groups or {""}),
        CatalogProduct.removed_at.is_(None))).scalars().all()
    gone = [sku for sku in known if sku not in keep]  # deleted products, and combinations removed
    gone += [sku_of(p) for p in product_ids if p not in found and sku_of(p) not in gone]
    return {"products": items, "deleted": gone}


def run_pull_job(context, store_id, allow_shrink=False):
    """Job: a full pull of a store's source (failures are recorded, retried by schedule)."""
    store, source = _job_source(context.session, store_id)
    if source is None:
        return {"skipped": "no active source"}
    try:
        return service.pull(context.session, store, trigger="schedule", allow_shrink=allow_shrink)
    except (AppError, FeedError, WorkerFailed) as error:
        return {"failed": getattr(error, "message", str(error))}


def run_delta_job(context, store_id):
    """Job: Ecwid products changed or deleted since the last pull (catches missed webhooks)."""
    session = context.session
    store, source = _job_source(session, store_id)
    if source is None or source.kind != "ecwid" or not source.cursor:
        return {"skipped": "nothing to compare with"}
    platform = service.connector(source, store)
    try:
        items, deleted = platform.changed_since(source.cursor)
        payload = _ecwid_changes(session, store, platform, [], deleted)
    except SourceError as error:
        service.record_failure(session, store, error)
        return {"failed": error.message}
    finally:
        platform.close()
    payload["products"] = items
    result = catalog_service.apply_webhook(session, store, payload)
    source = service.get_source(session, store)
    source.cursor = str(max(int(source.cursor), platform.newest))
    full_at = source.next_pull_at
    schedule.after_pull(source, utcnow(), failed=False)
    source.next_pull_at = full_at  # a delta leaves the full pull's time alone
    session.commit()
    return {"received": result["received"], "removed": result["removed"]}


def _job_source(session, store_id):
    store = session.get(Store, store_id)
    source = service.get_source(session, store) if store else None
    if source is None or source.state == "disconnected":
        return store, None
    return store, source
