"""The event log a merchant reads (admin page, JSON, ``events tail``), and its upkeep: events are
kept ``TTC_EVENTS_LOG_DAYS`` days, and a store whose pending events were left behind (a relay job
that gave up) gets its relay kicked again."""
from datetime import timedelta

from sqlalchemy import delete, func, select

from server import strictjson
from server.clock import as_utc, isoformat, utcnow
from server.events import account
from server.events.kicks import kick
from server.models.events import EVENT_STATES, EventBatch, ServerEvent
from server.models.store import Store

STALE_PENDING = timedelta(minutes=5)


def entry(row):
    """One log line as plain data."""
    return {"id": row.id, "time": isoformat(row.created_at), "updated": isoformat(row.updated_at),
            "event": row.event, "event_id": row.event_id, "seen": row.seen, "test": row.test,
            "status": row.status, "code": row.tiktok_code, "request_id": row.tiktok_request_id,
            "message": row.message}


def latest(session, store, *, limit=50):
    """The store's latest event rows, newest first."""
    return session.execute(select(ServerEvent).where(ServerEvent.store_id == store.id)
                           .order_by(ServerEvent.id.desc()).limit(limit)).scalars().all()


def recent(session, store, *, limit=50):
    """The store's latest events as plain data, newest first: those the collector received and the
    relay has not filed yet (state "received"), then the event rows."""
    received = []
    batches = session.execute(select(EventBatch).where(EventBatch.store_id == store.id)
                              .order_by(EventBatch.id.desc()).limit(limit)).scalars().all()
    for batch in batches:
        for event in reversed(batch.events):
            name, event_id = _names(event)
            received.append({"id": None, "time": isoformat(batch.created_at), "updated": isoformat(batch.created_at),
                             "event": name, "event_id": event_id, "seen": "browser",
                             "test": False, "status": "received", "code": None, "request_id": None,
                             "message": None})
    return (received + [entry(row) for row in latest(session, store, limit=limit)])[:limit]


def _names(buffered):
    """(event name, event_id) of a buffered row; a beacon kept as text is read for them (it is
    checked only when the relay files it, so what it says is shown as text, or "?")."""
    if "settled" in buffered:  # ended as it was read (see collector.settled_row)
        return "?", "?"
    if "beacon" not in buffered:
        return buffered["event"], buffered["event_id"]
    try:
        data = strictjson.loads(buffered["beacon"])
    except strictjson.UnreadableJSON:
        data = None
    if not isinstance(data, dict):
        return "?", "?"
    return tuple(str(data.get(key))[:100] if data.get(key) is not None else "?" for key in ("event", "event_id"))


def counts(session, store, *, hours=24):
    """Events per state over the last ``hours`` ("received": waiting to be filed by the relay)."""
    since = utcnow() - timedelta(hours=hours)
    found = dict(session.execute(select(ServerEvent.status, func.count()).where(
        ServerEvent.store_id == store.id, ServerEvent.updated_at >= since).group_by(ServerEvent.status)).all())
    waiting = session.execute(select(EventBatch.events).where(EventBatch.store_id == store.id)).scalars().all()
    received = sum(len(events) for events in waiting)
    return {"received": received, **{state: found.get(state, 0) for state in EVENT_STATES}}


def changed_since(session, store, since, *, limit=500):
    """Events whose state changed at or after ``since``, oldest change first (for following the log)."""
    rows = session.execute(select(ServerEvent).where(ServerEvent.store_id == store.id,
                                                     ServerEvent.updated_at >= since)
                           .order_by(ServerEvent.updated_at, ServerEvent.id).limit(limit)).scalars().all()
    return rows


def line(row):
    """One log line as text: time, seen from, event, event_id, state and TikTok's answer."""
    when = as_utc(row.updated_at).strftime("%Y-%m-%d %H:%M:%S")
    answer = ""
    if row.tiktok_code is not None:
        answer = f" code={row.tiktok_code}"
    if row.tiktok_request_id:
        answer += f" request_id={row.tiktok_request_id}"
    if row.message:
        answer += f" ({row.message})"
    test = " [test]" if row.test else ""
    return f"{when}  {row.seen:<7} {row.event:<12} {row.event_id}  {row.status}{answer}{test}"


def prune(app, session):
    """Periodic: forget events older than TTC_EVENTS_LOG_DAYS (by their last change); returns how many."""
    cutoff = utcnow() - timedelta(days=app.config["TTC_EVENTS_LOG_DAYS"])
    stores = session.execute(select(Store.id)).scalars().all()
    removed = 0
    for store_id in stores:  # per store, along the (store_id, updated_at) index
        old = (ServerEvent.store_id == store_id) & (ServerEvent.updated_at < cutoff)
        # An event still pending that long is given up: the store's account says so.
        given_up = session.execute(select(func.count()).select_from(ServerEvent).where(
            old, ServerEvent.status == "pending", ServerEvent.from_browser.is_(True))).scalar()
        account.add(session, store_id, {("dropped", "waited longer than the event log keeps events"): given_up})
        removed += session.execute(delete(ServerEvent).where(old)).rowcount
        session.commit()
    return removed


def sweep(app, session):
    """Periodic: kick the relay of stores with events waiting for a while (a job that gave up)."""
    cutoff = utcnow() - STALE_PENDING
    kicked = 0
    for store_id in session.execute(select(Store.id)).scalars().all():  # along the per-store indexes
        waiting = [session.execute(select(ServerEvent.updated_at).where(
            ServerEvent.store_id == store_id, ServerEvent.status == "pending").order_by(ServerEvent.id).limit(1)
        ).scalar_one_or_none(), session.execute(select(EventBatch.created_at).where(
            EventBatch.store_id == store_id).order_by(EventBatch.id).limit(1)).scalar_one_or_none()]
        if any(since is not None and as_utc(since) < cutoff for since in waiting):
            kick(session, store_id)
            kicked += 1
    session.commit()
    return kicked
