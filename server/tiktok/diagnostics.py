"""Catalog and pixel diagnostics: catalog issues, the pixel's catalog match, pixel event counts."""
from __future__ import annotations

import datetime as dt

from .pagination import iter_pages
from .transport import TikTokClient

EVENT_TYPES = ("VIEW_CONTENT", "ADD_TO_CART", "PURCHASE")


def catalog_issues(client: TikTokClient, bc_id: str, catalog_id: str, *, page_size: int = 20,
                   limit: int = 100) -> dict:
    """``{diagnostic_date, issues[]}``: TikTok's catalog diagnostics (a day behind), up to ``limit`` issues."""
    first = {}

    def fetch(page, size):
        data = client.get("diagnostic/catalog/", {"bc_id": bc_id, "catalog_id": catalog_id, "page": page,
                                                  "page_size": size, "lang": "en"})
        first.setdefault("date", data.get("diagnostic_date"))
        return data
    issues = []
    for issue in iter_pages(fetch, page_size=page_size, list_key="issues"):
        issues.append(issue)
        if len(issues) >= limit:
            break
    return {"diagnostic_date": first.get("date"), "issues": issues}


def event_source_issues(client: TikTokClient, bc_id: str, catalog_id: str, pixel_code: str,
                        event_type: str) -> list[dict]:
    """The pixel-to-catalog findings for one event type over the last 7 days (``level`` ERROR/WARNING/INFO)."""
    data = client.get("diagnostic/catalog/eventsource/issue/", {
        "bc_id": bc_id, "catalog_id": catalog_id, "event_source_type": "PIXEL", "pixel_code": pixel_code,
        "event_type": event_type, "time_range": "LAST_7_DAYS"})
    return list(data.get("list") or [])


def pixel_event_counts(client: TikTokClient, advertiser_id: str, pixel_id: str, start: dt.date,
                       end: dt.date) -> dict[str, int]:
    """``{event name: total count}`` the pixel received between ``start`` and ``end`` (UTC days)."""
    data = client.get("pixel/event/stats/", {"advertiser_id": advertiser_id, "pixel_ids": [str(pixel_id)],
                                             "date_range": {"start_date": start.isoformat(),
                                                            "end_date": end.isoformat()}})
    counts = {}
    for item in data.get("list") or []:
        if str(item.get("pixel_id")) != str(pixel_id):
            continue
        for row in item.get("statistics") or []:
            name = row.get("pixel_event_type") or row.get("custom_event_type")
            if name:
                counts[name] = counts.get(name, 0) + int(row.get("total_count") or 0)
    return counts
