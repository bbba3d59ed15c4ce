"""Time helpers for accounts (see server/clock.py)."""
from server.clock import as_utc, utcnow

__all__ = ["as_utc", "utcnow"]
