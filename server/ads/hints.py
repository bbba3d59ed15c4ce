"""Catalog-aware hints: how many products catalog ads can show, and whether the pixel events catalog
ads learn from have reached us lately (ViewContent, AddToCart and the order event, with content ids
that are catalog SKUs)."""
import datetime as dt

from sqlalchemy import func, select

from server.ads import event_log
from server.clock import utcnow
from server.models.catalog import CatalogProduct
from snippets import platform_events

IN_STOCK = "IN_STOCK"
WINDOW_DAYS = 7
ORDER_EVENTS = ("PlaceAnOrder", "Purchase")


def catalog_counts(session, store):
    """Products by what catalog ads need: approved by TikTok, active in the store and in stock."""
    listed = (CatalogProduct.store_id == store.id, CatalogProduct.state == "listed",
              CatalogProduct.removed_at.is_(None))
    in_stock = CatalogProduct.data["availability"].as_string() == IN_STOCK

    def count(*conditions):
        return session.execute(select(func.count()).select_from(CatalogProduct).where(*conditions)).scalar_one()

    by_state = dict(session.execute(select(CatalogProduct.state, func.count()).where(
        CatalogProduct.store_id == store.id).group_by(CatalogProduct.state)).all())
    eligible = count(*listed, CatalogProduct.visibility == "active", in_stock)
    approved = by_state.get("listed", 0)
    return {
        "eligible": eligible,
        "approved": approved,
        "approved_not_in_stock": approved - eligible,
        "pending": by_state.get("pending_review", 0) + by_state.get("queued", 0) + by_state.get("uploading", 0),
        "rejected": by_state.get("rejected", 0),
        "not_sent": by_state.get("invalid", 0) + by_state.get("excluded", 0),
        "total": sum(n for state, n in by_state.items() if state != "deleted"),
    }


# The funnel steps TikTok's checklist asks for beside the three that catalog ads learn from (listed
# where the store's platform can report them; ClickButton is deprecated and left out).
FUNNEL_EVENTS = ("InitiateCheckout", "AddPaymentInfo", "Search", "CompleteRegistration", "AddToWishlist")


def needed_events(store):
    """``[(label, names)]``: the events catalog ads need, the order event under both of its names,
    then the rest of the shopping funnel."""
    order = store.order_event if store.order_event in ORDER_EVENTS else "PlaceAnOrder"
    other = next(name for name in ORDER_EVENTS if name != order)
    return [("ViewContent", ("ViewContent",)), ("AddToCart", ("AddToCart",)),
            (f"{order} (the order event)", (order, other))] + [
        (f"{name} (funnel)", (name,)) for name in FUNNEL_EVENTS if name in platform_events(store.platform)]


def catalog_events(session, store, *, now=None):
    """For each event catalog ads need: is it on in the pixel settings, and was it seen in the last
    seven days with content ids that are catalog SKUs ("unknown" without an event log)."""
    since = (now or utcnow()) - dt.timedelta(days=WINDOW_DAYS)
    needed = needed_events(store)
    seen = event_log.events_seen(session, store, [n for _, names in needed for n in names], since)
    enabled = set(store.events or [])
    rows = []
    for label, names in needed:
        setting = "PlaceAnOrder" if names[0] in ORDER_EVENTS else names[0]
        row = {"label": label, "names": list(names), "enabled": setting in enabled, "seen": None,
               "catalog": names[0] not in FUNNEL_EVENTS,  # what catalog ads learn from; the rest is the funnel
               "count": None, "last_at": None, "with_catalog_ids": None, "checked": None}
        if seen is not None:
            found = [seen[n] for n in names if n in seen]
            row["count"] = sum(f.count for f in found)
            row["seen"] = row["count"] > 0
            row["last_at"] = max((f.last_at for f in found if f.last_at), default=None)
            checked = [f for f in found if f.checked is not None]
            if checked:
                row["with_catalog_ids"] = sum(f.with_catalog_ids for f in checked)
                row["checked"] = sum(f.checked for f in checked)
        rows.append(row)
    return {"known": seen is not None, "days": WINDOW_DAYS, "events": rows,
            "unknown_reason": None if seen is not None else event_log.unknown_reason(),
            "ready": seen is not None and all(r["seen"] and r["with_catalog_ids"] != 0 for r in rows if r["catalog"])}
