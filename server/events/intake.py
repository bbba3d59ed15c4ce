"""Writing events in: the browser's (from the spool, in bulk), an order from the store's backend, and
a test event from the admin; each kicks the store's relay job.

The browser and the backend meet on one row per (store, event, event_id): whichever arrives second
fills in what it knows (the browser's click id and cookie, the backend's hashed email) while the
event still waits, so TikTok gets one event with every match key instead of two.
"""
import uuid
from collections import Counter

from flask import current_app
from sqlalchemy import and_, case, delete, false, insert, literal_column, null, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from server import audit
from server.clock import utcnow
from server.events import account, normalise
from server.events.cache import CollectorEntry, snapshot
from server.events.collector import read_buffered
from server.events.errors import CannotSendTestEvent, ServerEventsOff
from server.events.kicks import kick
from server.models.events import EventBatch, ServerEvent
from server.models.store import Store


def relay_delay():
    """Seconds the relay waits after the first event, gathering others into the same request."""
    return current_app.config["TTC_EVENTS_RELAY_DELAY"]


def store_browser_events(session, rows):
    """Append the spool's rows to each store's buffer and kick the stores' relays; commits.

    A row holds store_id and either a beacon's text (with ip, user_agent, event_time, hold) or an event
    already read (event, event_id, consented, limited_data_use, event_time, context, properties):
    see ``Collector.prepare``. One buffer row per store per call: the hot path pays for one small
    insert, and the relay job reads and files the events (``file_batches``) off that path.
    """
    by_store = {}
    for row in rows:
        by_store.setdefault(row["store_id"], []).append(row)
    now = utcnow()
    session.execute(insert(EventBatch), [{"store_id": store_id, "events": events, "created_at": now}
                                         for store_id, events in by_store.items()])
    for store_id, events in by_store.items():
        account.add(session, store_id, {"accepted": len(events)})
    for store_id in sorted(by_store):
        kick(session, store_id, delay=relay_delay())
    session.commit()


def file_batches(session, store_id, *, limit=50):
    """File a store's buffered browser events as event rows (merging with rows for the same
    event_id), keeping the store's account of beacons; commits. Returns how many events were filed."""
    filed, entry = 0, None
    note = current_app.extensions["ttc_events"].collector.note_refusals
    while True:
        batches = session.execute(select(EventBatch).where(EventBatch.store_id == store_id)
                                  .order_by(EventBatch.id).limit(limit)).scalars().all()
        if not batches:
            return filed
        # Beacons are read against the store as it is now (its events, its consent mode).
        entry = entry or CollectorEntry(0, 0, 0.0, **snapshot(session.get(Store, store_id)))
        now, unique, tally = utcnow(), {}, Counter()
        for batch in batches:
            for event in read_buffered(entry, batch.events, note_refusals=note, tally=tally):
                # One statement may not touch a row twice: the first one wins.
                key = (event["event"], event["event_id"])
                if key in unique:
                    tally["deduplicated"] += 1
                    continue
                unique[key] = {**event, "properties": normalise.properties(event["properties"]),
                               "store_id": store_id, "created_at": batch.created_at, "updated_at": now}
        if unique:
            tally["deduplicated"] += _already_reported(session, store_id, unique)
            session.execute(_upsert(session), list(unique.values()))  # executemany: compiled once
        session.execute(delete(EventBatch).where(EventBatch.id.in_([batch.id for batch in batches])))
        account.add(session, store_id, tally)
        session.commit()
        filed += len(unique)


def _already_reported(session, store_id, unique, chunk=1000):
    """How many of these beacons repeat an event another beacon brought, or one already settled: they
    end deduplicated. (One merging into the backend's pending order ends as that order does.)"""
    repeated, keys = 0, list(unique)
    for start in range(0, len(keys), chunk):
        part = keys[start:start + chunk]
        found = session.execute(select(ServerEvent.event, ServerEvent.event_id, ServerEvent.status,
                                       ServerEvent.from_browser).where(
            ServerEvent.store_id == store_id, ServerEvent.event_id.in_({event_id for _, event_id in part}))).all()
        wanted = set(part)
        repeated += sum(1 for event, event_id, status, from_browser in found
                        if (event, event_id) in wanted and (from_browser or status != "pending"))
    return repeated


def _upsert(session):
    table = ServerEvent.__table__
    dialect = session.get_bind().dialect.name
    # Constants as SQL, not parameters: thousands of rows a second each skip binding them.
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table).values(
        status=literal_column("'pending'"), from_browser=true(), from_server=false(), test=false(),
        attempts=literal_column("0"), user=null())
    new = statement.excluded
    waiting = table.c.status == "pending"
    return statement.on_conflict_do_update(
        index_elements=[table.c.store_id, table.c.event, table.c.event_id],
        set_={"from_browser": True,
              "context": case((and_(waiting, table.c.context.is_(None)), new.context), else_=table.c.context),
              "consented": or_(table.c.consented, new.consented),
              "limited_data_use": or_(table.c.limited_data_use, new.limited_data_use),
              "updated_at": new.updated_at})


def sending(store):
    """Why the store does not send server events now, or None when it does."""
    settings = store.event_settings
    if store.tiktok_state != "connected":
        return "the store is not connected to TikTok"
    if not store.pixel_code:
        return "the store has no TikTok pixel"
    if settings is None or not settings.server_events:
        return "server events are off for this store: turn them on in the admin's Events page"
    return None


def record_order(session, store, order):
    """Keep an order the store's backend reported (a ``orders.Order``) and kick the relay; commits.

    Returns the event row. Raises ServerEventsOff when the store does not send server events.
    """
    problem = sending(store)
    if problem:
        raise ServerEventsOff(problem)
    file_batches(session, store.id)  # the browser's copy of this order may still be in the buffer
    now = utcnow()
    try:
        row = _merge_order(session, store, _find(session, store.id, store.order_event, order.event_id), order, now)
        session.flush()
    except IntegrityError:  # the browser's beacon for this order was written in between: merge into it
        session.rollback()
        row = _merge_order(session, store, _find(session, store.id, store.order_event, order.event_id), order, now)
        session.flush()
    if row.status == "pending" and store.consent_mode == "hold" and not row.consented:
        row.status, row.message = "dropped", "not sent: the backend did not say consent was granted"
        row.context = row.user = None
        account.add(session, store.id, account.of_rows([row], "held", "the page did not grant consent"))
    if row.status == "pending":
        kick(session, store.id, delay=relay_delay())
    session.commit()
    return row


def _find(session, store_id, event, event_id):
    return session.execute(select(ServerEvent).where(ServerEvent.store_id == store_id, ServerEvent.event == event,
                                                     ServerEvent.event_id == event_id)).scalar_one_or_none()


def _merge_order(session, store, row, order, now):
    if row is None:
        row = ServerEvent(store_id=store.id, event=store.order_event, event_id=order.event_id, status="pending",
                          from_browser=False, event_time=order.event_time or int(now.timestamp()),
                          created_at=now)
        session.add(row)
    row.from_server = True
    row.updated_at = now
    if row.status != "pending":
        return row  # already settled: TikTok drops a second copy of an event_id anyway
    row.user = order.user
    row.properties = {**(row.properties or {}), **order.properties}
    row.consented = bool(row.consented or order.consented)
    row.limited_data_use = bool(row.limited_data_use or order.limited)
    return row


def queue_test_event(session, store, actor):
    """A test ViewContent with the store's test_event_code, relayed at once; audited, committed."""
    settings = store.event_settings
    if store.tiktok_state != "connected" or not store.pixel_code:
        raise CannotSendTestEvent("connect the store to TikTok first: test events go to its pixel")
    if settings is None or not settings.test_event_code:
        raise CannotSendTestEvent("set a test event code first (TikTok Events Manager > your pixel > "
                                  "Test events), so the test shows there and stays out of your reports")
    now = utcnow()
    domain = (store.domains or ["example.com"])[0]
    row = ServerEvent(store_id=store.id, event="ViewContent", event_id=f"test:{uuid.uuid4()}", status="pending",
                      from_server=True, test=True, consented=True, event_time=int(now.timestamp()),
                      user={"url": f"https://{domain}/"}, created_at=now, updated_at=now,
                      properties={"content_type": "product", "currency": store.currency, "value": 1.0,
                                  "contents": [{"content_id": "ttc-test", "content_name": "Test event",
                                                "price": 1.0, "quantity": 1}], "content_ids": ["ttc-test"]})
    session.add(row)
    session.flush()
    audit.record(session, store, actor, "events.test_sent", {"event_id": row.event_id})
    job = kick(session, store.id)
    session.commit()
    return row, job
