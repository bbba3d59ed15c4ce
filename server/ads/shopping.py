"""TikTok Shopping: whether the store can apply (US and UK stores only, from markets.json), what
TikTok asks for, where to apply, and the application's state as the merchant recorded it.

Applying is a form TikTok reviews (up to two weeks), not an API call, so the state is kept by hand.
"""
import datetime as dt

from sqlalchemy import select

from server import audit
from server.ads.errors import InvalidChange
from server.connect.state import find_connection
from server.models.ads import SHOPPING_STATES, TikTokShoppingApplication
from server.stores.markets import load_markets, tiktok_shopping_countries

SELLER_CENTERS = {"US": "https://seller-us.tiktok.com/", "GB": "https://seller-uk.tiktok.com/"}
STATE_LABELS = {"not_applied": "Not applied", "applied": "Applied", "approved": "Approved", "rejected": "Rejected"}
AUDIT_ACTION = "ads.shopping_application"
SUMMARIES = {AUDIT_ACTION: "recorded the TikTok Shopping application"}


def _country_name(code):
    market = load_markets()["markets"].get(code)
    name = market["name"] if market else code
    # "the United States", "the United Kingdom", "the Netherlands"...
    return f"the {name}" if name.startswith(("United ", "Netherlands", "Philippines")) else name


def shopping_status(session, store, counts):
    """Can the store apply, what TikTok asks for (each met or not), the link, the recorded state.

    ``counts`` are the catalog counts from ``hints.catalog_counts``.
    """
    countries = tiktok_shopping_countries()
    available = store.country in countries
    connection = find_connection(session, store)
    catalog_connected = bool(store.tiktok_state == "connected" and connection is not None and connection.catalog_id)
    places = " or ".join(_country_name(code) for code in countries)
    requirements = [
        {"key": "country", "met": available,
         "text": f"A business based in {places}: TikTok Shopping is offered only there "
                 f"(this store is in {_country_name(store.country)})."},
        {"key": "catalog", "met": catalog_connected,
         "text": "The store connected to TikTok with its product catalog (the TikTok page)."},
        {"key": "approved", "met": counts["approved"] > 0,
         "text": f"Products approved by TikTok in that catalog ({counts['approved']} approved now)."},
    ]
    return {
        "available": available,
        "countries": [{"code": code, "name": _country_name(code)} for code in countries],
        "apply_url": SELLER_CENTERS.get(store.country) if available else None,
        "requirements": requirements,
        "ready": all(r["met"] for r in requirements),
        "application": application_of(session, store),
    }


def application_of(session, store):
    """The recorded application as plain data (``not_applied`` when nothing was recorded)."""
    row = _row(session, store)
    state = row.state if row is not None else "not_applied"
    return {"state": state, "label": STATE_LABELS[state],
            "applied_on": row.applied_on.isoformat() if row is not None and row.applied_on else None,
            "updated_by": row.updated_by if row is not None else None,
            "updated_at": row.updated_at if row is not None else None}


def _row(session, store):
    return session.execute(select(TikTokShoppingApplication).where(TikTokShoppingApplication.store_id == store.id)
                           ).scalar_one_or_none()


def record_application(session, store, actor, state, applied_on=None, *, today):
    """Record the application's state (and the date it was sent); audited, committed."""
    if state not in SHOPPING_STATES:
        raise InvalidChange("choose not applied, applied, approved or rejected", fields={"state": "unknown state"})
    if state != "not_applied" and store.country not in tiktok_shopping_countries():
        raise InvalidChange(f"TikTok Shopping is offered only to stores in "
                            f"{' and '.join(_country_name(c) for c in tiktok_shopping_countries())}",
                            fields={"state": "not available for this store"})
    day = _applied_on(state, applied_on, today)
    row = _row(session, store)
    before = application_of(session, store)
    if row is None:
        row = TikTokShoppingApplication(store_id=store.id)
        session.add(row)
    row.state, row.applied_on = state, day
    row.updated_by = audit.record(session, store, actor, AUDIT_ACTION, {
        "from": before["state"], "to": state, "applied_on": day.isoformat() if day else None}).actor
    session.commit()
    return application_of(session, store)


def _applied_on(state, raw, today):
    if state == "not_applied":
        return None
    text = (raw or "").strip() if isinstance(raw, str) or raw is None else raw.isoformat()
    if not text:
        if state == "applied":
            raise InvalidChange("give the date the application was sent", fields={"applied_on": "missing"})
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidChange(f"the date must look like 2026-03-31, not {text[:20]!r}",
                            fields={"applied_on": "not a date"}) from None
    if day > today:
        raise InvalidChange("the application date cannot be in the future", fields={"applied_on": "in the future"})
    return day
