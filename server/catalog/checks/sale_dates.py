"""``sale_price_effective_date`` as TikTok takes it, from every form Merchant Center feeds use.

TikTok: ``YYYY-MM-DDTHH:MM+00:00/YYYY-MM-DDTHH:MM+00:00``, the start before the end (BUBUBA
model/catalog/product/ecom_product.go, PriceInfo.SalePriceEffectiveDate, translating TikTok's doc;
example ``2023-12-11T23:59+00:00/2023-12-15T23:59+00:00``). Google's feeds write ISO 8601 with
or without seconds, with ``Z``, ``+01:00`` or ``+0100``, sometimes with spaces around the slash
(https://support.google.com/merchants/answer/6324460). A date without a time is taken as the
whole day (00:00 to 23:59); a time without a zone as UTC. Times are converted to UTC; seconds
are dropped. What cannot be read is refused with the reason, never sent as it came.
"""
import datetime as dt
import re

from server.catalog.errors import CatalogError

TIKTOK_FORMAT = "%Y-%m-%dT%H:%M+00:00"
EXAMPLE = "2026-11-27T00:00+01:00/2026-11-30T23:59+01:00"
MOMENT = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2}|[+-]\d{2})?)?")


class UnreadableSaleDate(CatalogError, ValueError):
    """Raised when a sale period cannot be read; the message says what is wrong."""


def tiktok_sale_period(text):
    """The period in TikTok's form (UTC, minutes); raises UnreadableSaleDate."""
    parts = [part.strip() for part in str(text).split("/")]
    if len(parts) != 2 or not all(parts):
        raise UnreadableSaleDate("it must be a start and an end separated by '/'")
    start, end = _moment(parts[0], end=False), _moment(parts[1], end=True)
    if start >= end:
        raise UnreadableSaleDate("the sale must start before it ends")
    return f"{start.strftime(TIKTOK_FORMAT)}/{end.strftime(TIKTOK_FORMAT)}"


def _moment(text, *, end):
    match = MOMENT.fullmatch(text)
    if match is None:
        raise UnreadableSaleDate(f"{text[:40]!r} is not a date such as 2026-11-27T00:00+01:00")
    try:
        day = dt.date.fromisoformat(match["date"])
        if match["hour"] is None:
            hour, minute = (23, 59) if end else (0, 0)
        else:
            hour, minute = int(match["hour"]), int(match["minute"])
        moment = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=_zone(match["zone"]))
    except ValueError:
        raise UnreadableSaleDate(f"{text[:40]!r} is not a real date or time") from None
    return moment.astimezone(dt.UTC)


def _zone(text):
    if not text or text == "Z":
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 14 or minutes > 59:
        raise ValueError(text)
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def problems(data):
    """The finding for a product whose sale period cannot be read (``rules.check`` style)."""
    value = data.get("sale_price_effective_date")
    if not value:
        return []
    try:
        tiktok_sale_period(value)
    except UnreadableSaleDate as error:
        return [{"code": "bad_sale_date", "field": "sale_price_effective_date",
                 "message": f"sale_price_effective_date {str(value)[:80]!r} cannot be read: {error} "
                            f"(write it like {EXAMPLE})"}]
    return []
