"""Time helpers: SQLite hands back naive datetimes for timezone-aware columns; treat them as UTC."""
from datetime import timezone

from server.models.store import utcnow

__all__ = ["as_utc", "utcnow"]


def as_utc(moment):
    """The datetime as timezone-aware UTC (naive values are taken to be UTC already)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
