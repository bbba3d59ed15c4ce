"""Time in one convention: timezone-aware UTC. SQLite hands back naive datetimes; they are UTC."""
from datetime import UTC, datetime


def utcnow():
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def as_utc(moment):
    """The datetime as timezone-aware UTC (naive values are taken to be UTC already)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def isoformat(moment):
    """An ISO 8601 UTC timestamp, or None."""
    return as_utc(moment).isoformat() if moment is not None else None
