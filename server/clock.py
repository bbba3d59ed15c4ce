"""Time in one convention: timezone-aware UTC. SQLite hands back naive datetimes; they are UTC."""
from datetime import datetime, timezone


def utcnow():
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


def as_utc(moment):
    """The datetime as timezone-aware UTC (naive values are taken to be UTC already)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def isoformat(moment):
    """An ISO 8601 UTC timestamp, or None."""
    return as_utc(moment).isoformat() if moment is not None else None
