"""Every accepted beacon accounted for, per store.

Each count moves in the transaction that changes the beacon's state, so the account is exact:

    accepted = relayed + deduplicated + failed + dropped (by reason) + held for consent + waiting

- accepted: written to the store's buffer by the collector's spool (a beacon answered 204 but lost
  with its process before the spool wrote it, at most ``TTC_EVENTS_SPOOL_MS``, is not in it);
- deduplicated: another beacon, or the store's backend, had already reported that event_id;
- dropped: unreadable, an event the store does not send, or not sendable (the reason is kept);
- held for consent: the store holds events until consent, and the page never gave it;
- waiting: still buffered, or filed and pending (the relay has not settled it yet).

Orders the backend reports and test events are not beacons: they are not in the account, except
that a beacon merged into a backend's pending order ends as that order's event does.
"""
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from server.models.events import EventBatch, EventTally, ServerEvent

OUTCOMES = ("relayed", "deduplicated", "failed", "dropped", "held")
LABELS = {"accepted": "accepted", "relayed": "relayed", "deduplicated": "deduplicated", "failed": "refused by TikTok",
          "dropped": "dropped", "held": "held for consent", "waiting": "waiting"}


def add(session, store_id, tallies):
    """Add ``tallies`` ({(outcome, reason): count} or {outcome: count}) to the store's account; not committed."""
    rows = []
    for key, count in tallies.items():
        outcome, reason = key if isinstance(key, tuple) else (key, "")
        if count:
            rows.append({"store_id": store_id, "outcome": outcome, "reason": (reason or "")[:200], "count": count})
    if not rows:
        return
    session.execute(_upsert(session.get_bind().dialect.name), rows)


_UPSERTS = {}  # dialect name -> the statement: built once (the spool adds to the account every flush)


def _upsert(dialect):
    statement = _UPSERTS.get(dialect)
    if statement is None:
        table = EventTally.__table__
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
        statement = _UPSERTS[dialect] = insert.on_conflict_do_update(
            index_elements=[table.c.store_id, table.c.outcome, table.c.reason],
            set_={"count": table.c.count + insert.excluded["count"]})
    return statement


def of_rows(rows, outcome, reason=""):
    """The tally for settling ``rows`` (ServerEvent objects): only the ones a beacon is behind count."""
    return Counter({(outcome, reason): sum(1 for row in rows if row.from_browser)})


def statement(session, store_id):
    """The store's account: counts per outcome, the reasons behind drops, what waits, and whether it adds up."""
    found = session.execute(select(EventTally.outcome, EventTally.reason, EventTally.count, EventTally.since)
                            .where(EventTally.store_id == store_id)).all()
    totals, reasons, since = Counter(), {}, None
    for outcome, reason, count, started in found:
        totals[outcome] += count
        if reason:
            reasons.setdefault(outcome, Counter())[reason] += count
        since = started if since is None or started < since else since
    waiting = _waiting(session, store_id)
    ended = sum(totals[outcome] for outcome in OUTCOMES)
    return {"accepted": totals["accepted"], **{outcome: totals[outcome] for outcome in OUTCOMES},
            "waiting": waiting, "reasons": {outcome: dict(counts.most_common()) for outcome, counts in reasons.items()},
            "since": since, "unexplained": totals["accepted"] - ended - waiting,
            "adds_up": totals["accepted"] == ended + waiting}


def _waiting(session, store_id):
    buffered = session.execute(select(EventBatch.events).where(EventBatch.store_id == store_id)).scalars().all()
    pending = session.execute(select(func.count()).select_from(ServerEvent).where(
        ServerEvent.store_id == store_id, ServerEvent.status == "pending", ServerEvent.from_browser.is_(True))).scalar()
    return sum(len(events) for events in buffered) + pending


def line(account):
    """The account as one line of text (``events tail``, the benchmark)."""
    parts = [f"{LABELS[name]} {account[name]}" for name in ("accepted", *OUTCOMES, "waiting")]
    verdict = "adds up" if account["adds_up"] else f"does NOT add up: {account['unexplained']} unexplained"
    return "beacons: " + ", ".join(parts) + f" ({verdict})"
