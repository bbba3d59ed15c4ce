"""The relay job: a store's pending events to TikTok's ``event/track/``, up to 1,000 per request.

What may not be sent is dropped first, with the reason in the event log: the store is not
connected, server events are off, or the store holds events until consent the page never gave.
TikTok's answer then decides: sent (with the request id), refused (the batch is split in halves
until the event TikTok refuses is found and marked failed with TikTok's message, so one bad event
never sinks the others), throttled or down (the job retries later; events stay pending), or the
store's token refused (``store_client`` disconnects the store; its pending events are dropped and
the relay stops).
"""
import threading
from collections import Counter

from flask import current_app
from sqlalchemy import func, select, update

from server import jobs
from server.clock import utcnow
from server.connect import store_client
from server.connect.errors import NotConnected
from server.events import account, normalise
from server.events.intake import file_batches
from server.jobs.queue import backoff_seconds
from server.models.events import ServerEvent
from server.models.store import Store
from server.tiktok.errors import (
    TikTokAppAuthError,
    TikTokAuthError,
    TikTokError,
    TikTokPacingTimeout,
    TikTokRateLimited,
    TikTokRequestError,
)
from server.tiktok.events import MAX_EVENTS, track_events

ISOLATION_BUDGET = 64  # TikTok requests spent finding refused events in one group, per run


def run_relay_job(context, store_id):
    """Job: file the store's buffered events, then send what is pending to TikTok; returns counts."""
    session = context.session
    store = session.get(Store, store_id)
    if store is None:
        return {"skipped": "the store no longer exists"}
    settings = store.event_settings
    batch = max(1, min(MAX_EVENTS, current_app.config["TTC_EVENTS_BATCH"]))
    totals, client = Counter(), None
    while True:
        totals["filed"] += file_batches(session, store_id)
        totals["dropped"] += drop_unsendable(session, store, settings)
        session.commit()
        rows = _pending(session, store_id, batch)
        if not rows:
            break
        client = client or _client(session, store, totals)
        outcome = _send_rows(context, store, settings, client, rows)
        totals.update(outcome)
        context.heartbeat()
        if outcome.get("unresolved") or len(rows) < batch:
            break
    if totals.get("unresolved"):
        raise jobs.RetryLater(f"{totals['unresolved']} events still to sort out", delay=5)
    return dict(totals)


def _client(session, store, totals):
    """The store's TikTok client, or JobCancelled (its pending events dropped) when it has no token."""
    try:
        client = store_client(session, store, purpose="the events relay")
    except NotConnected as error:
        totals["dropped"] += drop_pending(session, store.id, f"not sent: {error.message}")
        session.commit()
        raise jobs.JobCancelled(error.message) from None
    install_request_ids(client.session)
    return client


def _send_rows(context, store, settings, client, rows):
    session = context.session
    test_mode = settings is not None and settings.test_mode
    groups = [([row for row in rows if not row.test], test_mode), ([row for row in rows if row.test], True)]
    outcome = Counter()
    for group, with_test_code in groups:
        if not group:
            continue
        sender = Sender(session, client, store.pixel_code,
                        limited=settings is not None and settings.limited_data_use,
                        test_event_code=settings.test_event_code if with_test_code else None)
        try:
            sender.send(group)
        except TikTokAppAuthError as error:
            session.rollback()
            raise jobs.JobFailed(f"TikTok rejected this connector's app settings: {error}") from None
        except TikTokAuthError as error:
            # store_client has disconnected the store already (and committed); the relay stops.
            session.rollback()
            drop_pending(session, store.id, f"not sent: TikTok refused the store's access token ({error.message})")
            session.commit()
            raise jobs.JobCancelled(str(error)) from None
        except TikTokRateLimited as error:
            session.rollback()
            delay = error.retry_after if isinstance(error, TikTokPacingTimeout) else 60.0
            raise jobs.RetryLater(str(error), delay=delay) from None
        except TikTokError as error:  # down, timed out, not an envelope: the events stay pending
            session.rollback()
            raise jobs.RetryLater(str(error), delay=backoff_seconds(context.job.attempts, base=5.0,
                                                                    cap=600.0)) from None
        outcome.update(sender.counts)
        outcome["requests"] += sender.requests
    return outcome


class Sender:
    """Sends one group of events (same test_event_code), isolating the ones TikTok refuses."""

    def __init__(self, session, client, pixel_code, *, limited=False, test_event_code=None,
                 budget=ISOLATION_BUDGET):
        self.session = session
        self.client = client
        self.pixel_code = pixel_code
        self.limited = limited
        self.test_event_code = test_event_code
        self.budget = budget
        self.requests = 0
        self.counts = Counter()

    def send(self, rows):
        """Send ``rows``; refused ones end failed, the rest sent (or left pending past the budget)."""
        error = self._try(rows)
        if error is not None:
            self._isolate(rows, error)

    def _isolate(self, rows, error):
        if len(rows) == 1:
            self._settle(rows, "failed", error=error)
            return
        if self.requests >= self.budget:
            self.counts["unresolved"] += len(rows)
            return
        middle = len(rows) // 2
        halves = [(half, self._try(half)) for half in (rows[:middle], rows[middle:])]
        refused = [(half, failure) for half, failure in halves if failure is not None]
        if len(refused) == 2 and all(_same(failure, error) for _, failure in refused):
            # Both halves refused exactly like the whole: is it the request rather than an event?
            alone = self._try(rows[:1])
            if alone is not None and _same(alone, error):
                self._settle(rows, "failed", error=error)
                return
            if alone is not None:
                self._settle(rows[:1], "failed", error=alone)
            refused[0] = (refused[0][0][1:], refused[0][1])
        for half, failure in refused:
            if half:
                self._isolate(half, failure)

    def _try(self, rows):
        """One request for ``rows``: None when TikTok took them (marked sent), else its refusal."""
        self.requests += 1
        events = [tiktok_event(row, limited=self.limited) for row in rows]
        try:
            track_events(self.client, self.pixel_code, events, test_event_code=self.test_event_code)
        except TikTokRequestError as error:
            self._count_attempt(rows)
            return error
        self._settle(rows, "sent", request_id=last_request_id())
        return None

    def _count_attempt(self, rows):
        self.session.execute(update(ServerEvent).where(ServerEvent.id.in_([row.id for row in rows]))
                             .values(attempts=ServerEvent.attempts + 1)
                             .execution_options(synchronize_session=False))
        self.session.commit()

    def _settle(self, rows, status, *, error=None, request_id=None):
        # Personal data (addresses, hashes, click ids) is kept only while the event waits.
        values = {"status": status, "updated_at": utcnow(), "context": None, "user": None}
        if status == "sent":  # a refusal was counted in attempts when it came (_count_attempt)
            values.update(tiktok_code=0, tiktok_request_id=request_id, message=None, sent_at=utcnow(),
                          attempts=ServerEvent.attempts + 1)
        else:
            values.update(tiktok_code=error.code, tiktok_request_id=error.request_id,
                          message=str(error.message)[:500])
        self.session.execute(update(ServerEvent).where(ServerEvent.id.in_([row.id for row in rows])).values(**values)
                             .execution_options(synchronize_session=False))
        account.add(self.session, rows[0].store_id, account.of_rows(
            rows, "relayed" if status == "sent" else "failed", "" if status == "sent" else f"TikTok code {error.code}"))
        self.session.commit()
        self.counts[status] += len(rows)


def _same(one, other):
    return one.code == other.code and one.message == other.message


def tiktok_event(row, *, limited=False):
    """One Events API 2.0 event from a stored row (TIKTOK_API.md 2.1)."""
    browser, backend = row.context or {}, row.user or {}
    user = {}
    for key in ("email", "phone", "external_id"):
        values = list(dict.fromkeys([*(backend.get(key) or []), *(browser.get(key) or [])]))
        if values:
            user[key] = values[0] if len(values) == 1 else values
    for key in ("ttclid", "ttp"):
        if browser.get(key):
            user[key] = browser[key]
    for key in normalise.PROFILE_KEYS:  # hashed name and address, and locale: the backend's first
        if backend.get(key) or browser.get(key):
            user[key] = backend.get(key) or browser.get(key)
    for key in ("ip", "user_agent"):  # the shopper's own browser first, else what the backend saw
        if browser.get(key) or backend.get(key):
            user[key] = browser.get(key) or backend.get(key)
    page = {"url": browser.get("url") or backend.get("url")}
    if browser.get("referrer"):
        page["referrer"] = browser["referrer"]
    event = {"event": row.event, "event_time": row.event_time, "event_id": row.event_id, "user": user,
             "page": page, "properties": row.properties or {}}
    if row.limited_data_use or limited:
        event["limited_data_use"] = True
    return event


def _pending(session, store_id, limit):
    return session.execute(select(ServerEvent).where(ServerEvent.store_id == store_id,
                                                     ServerEvent.status == "pending")
                           .order_by(ServerEvent.id).limit(limit)).scalars().all()


def drop_pending(session, store_id, reason, *, only=None, outcome="dropped"):
    """Mark a store's pending events dropped with ``reason`` (``only``: an extra condition), counting
    the beacons behind them in the store's account as ``outcome``; not committed."""
    query = update(ServerEvent).where(ServerEvent.store_id == store_id, ServerEvent.status == "pending")
    beacons = select(func.count()).select_from(ServerEvent).where(
        ServerEvent.store_id == store_id, ServerEvent.status == "pending", ServerEvent.from_browser.is_(True))
    if only is not None:
        query, beacons = query.where(only), beacons.where(only)
    account.add(session, store_id, {(outcome, reason.removeprefix("not sent: ")): session.execute(beacons).scalar()})
    return session.execute(query.values(status="dropped", message=reason[:500], updated_at=utcnow(), context=None,
                                        user=None).execution_options(synchronize_session=False)).rowcount


def drop_unsendable(session, store, settings):
    """Drop what may not go to TikTok now; returns how many events were dropped (not committed)."""
    if store.tiktok_state != "connected":
        return drop_pending(session, store.id, "not sent: the store is not connected to TikTok")
    if not store.pixel_code:
        return drop_pending(session, store.id, "not sent: the store has no TikTok pixel")
    dropped = 0
    if settings is None or not settings.server_events:
        dropped += drop_pending(session, store.id, "not sent: server events are off for this store",
                                only=ServerEvent.test.is_(False))
    if settings is None or not settings.test_event_code:  # a test event must never count as a real one
        dropped += drop_pending(session, store.id, "not sent: the store has no test event code any more",
                                only=ServerEvent.test.is_(True))
    if store.consent_mode == "hold":
        dropped += drop_pending(session, store.id, "not sent: the page did not grant consent",
                                only=ServerEvent.consented.is_(False) & ServerEvent.test.is_(False), outcome="held")
    return dropped


# TikTok's envelope carries a request id, but the client hands back only ``data``: the id of a
# successful call is read from the X-TT-LOGID header TikTok sends with every answer (same value).
_last_response = threading.local()


def _remember_request_id(response, *args, **kwargs):
    _last_response.request_id = response.headers.get("X-TT-LOGID")


def install_request_ids(http_session):
    """Make ``last_request_id()`` work for calls made through this requests.Session (idempotent)."""
    hooks = http_session.hooks.setdefault("response", [])
    if _remember_request_id not in hooks:
        hooks.append(_remember_request_id)


def last_request_id():
    """TikTok's request id of the last answer this thread received, if known."""
    return getattr(_last_response, "request_id", None)
