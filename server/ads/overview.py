"""Everything the Ads page shows, gathered in one call: the report for the chosen period (or why
there is none), the chart, the catalog hints, TikTok Shopping and the recent changes made here."""
from sqlalchemy import select

from server.ads import hints, launch, shopping
from server.ads.chart import spend_chart
from server.ads.errors import AdsUnavailable, InvalidPeriod
from server.ads.period import DEFAULT_DAYS, last_days, parse_period
from server.ads.service import load_report
from server.connect.errors import TikTokUnavailable
from server.models.audit import AuditEntry

HISTORY = 10


def ads_page(session, store, query, *, today):
    """The page's data and HTTP status for ``query`` (``period``, ``start``, ``end`` as strings)."""
    page = {"status": 200, "problem": None, "fields": {}, "unavailable": None, "report": None, "chart": None}
    try:
        period = parse_period(query, today)
    except InvalidPeriod as error:
        page.update(status=error.status, problem=error.message, fields=error.fields)
        period = None
    if period is not None:
        try:
            page["report"] = load_report(session, store, period)
        except AdsUnavailable as error:
            page["unavailable"] = error.message
        except TikTokUnavailable as error:
            page.update(status=error.status, problem=error.message)
    if page["report"] is not None:
        page["chart"] = spend_chart(page["report"].daily, page["report"].currency)
    shown = period or last_days(DEFAULT_DAYS, today)
    counts = hints.catalog_counts(session, store)
    page.update(period=shown, form=_form_values(query, shown, custom_failed=period is None), counts=counts,
                events=hints.catalog_events(session, store), shopping=shopping.shopping_status(session, store, counts),
                history=recent_changes(session, store), today=today.isoformat(),
                launches=launch.recent_launches(session, store))
    return page


def _form_values(query, period, *, custom_failed):
    """What the period picker shows: the merchant's own input after a mistake, else the period."""
    if custom_failed:
        return {"period": query.get("period") or "custom", "start": (query.get("start") or "")[:10],
                "end": (query.get("end") or "")[:10]}
    return {"period": period.choice, "start": period.start.isoformat(), "end": period.end.isoformat()}


def recent_changes(session, store, limit=HISTORY):
    """The latest changes made to the store's ads and Shopping application (audit entries), newest first."""
    return session.execute(select(AuditEntry).where(AuditEntry.store_id == store.id, AuditEntry.action.like("ads.%"))
                           .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit)).scalars().all()
