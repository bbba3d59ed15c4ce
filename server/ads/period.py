"""Report periods: the last 7, 30 or 90 days, or a custom range of dates (inclusive)."""
import datetime as dt
from dataclasses import dataclass

from server.ads.errors import InvalidPeriod

PRESETS = (7, 30, 90)
DEFAULT_DAYS = 7
MAX_DAYS = 366  # a year of daily figures is already 13 requests to TikTok per load


@dataclass(frozen=True)
class Period:
    """Whole days from ``start`` to ``end`` (both included); ``preset`` is 7/30/90, or None (custom)."""

    start: dt.date
    end: dt.date
    preset: int | None = None

    @property
    def days(self):
        """How many days the period covers."""
        return (self.end - self.start).days + 1

    @property
    def choice(self):
        """The period picker's value: "7", "30", "90" or "custom"."""
        return str(self.preset) if self.preset else "custom"

    @property
    def label(self):
        """How the page names the period, e.g. "Last 7 days (14 Mar – 20 Mar 2026)"."""
        span = f"{_day(self.start, self.start.year != self.end.year)} – {_day(self.end, True)}"
        return f"Last {self.preset} days ({span})" if self.preset else span

    def dates(self):
        """Every date of the period, in order."""
        return [self.start + dt.timedelta(days=n) for n in range(self.days)]

    def query(self):
        """URL query values that select this period again."""
        if self.preset:
            return {"period": str(self.preset)}
        return {"period": "custom", "start": self.start.isoformat(), "end": self.end.isoformat()}


def _day(day, with_year):
    return f"{day.day} {day:%b}" + (f" {day.year}" if with_year else "")


def last_days(days, today):
    """The ``days`` days ending today."""
    if days < 1 or days > MAX_DAYS:
        raise InvalidPeriod(f"a period is 1 to {MAX_DAYS} days, not {days}", fields={"period": "out of range"})
    return Period(today - dt.timedelta(days=days - 1), today, days if days in PRESETS else None)


def parse_period(values, today):
    """The period chosen in a form or URL (``period`` = 7/30/90/custom, ``start``/``end`` dates)."""
    choice = (values.get("period") or "").strip() or str(DEFAULT_DAYS)
    if choice != "custom":
        if choice not in {str(p) for p in PRESETS}:
            raise InvalidPeriod("choose the last 7, 30 or 90 days, or a custom range",
                                fields={"period": "not one of 7, 30, 90, custom"})
        return last_days(int(choice), today)
    start, end = _date(values, "start"), _date(values, "end")
    return custom_period(start, end, today)


def custom_period(start, end, today):
    """A custom range, checked: start on or before end, not in the future, at most a year."""
    if end > today:
        raise InvalidPeriod("the period cannot end after today", fields={"end": "after today"})
    if start > end:
        raise InvalidPeriod("the period starts after it ends", fields={"start": "after the end date"})
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidPeriod(f"a custom period is at most {MAX_DAYS} days", fields={"start": "too long a range"})
    return Period(start, end, None)


def _date(values, name):
    raw = (values.get(name) or "").strip()
    if not raw:
        raise InvalidPeriod(f"give the {name} date of the custom period", fields={name: "missing"})
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidPeriod(f"the {name} date must look like 2026-03-31, not {raw[:20]!r}",
                            fields={name: "not a date"}) from None
