"""Campaigns: list, pause/resume, and budget changes."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from .errors import TikTokRequestError
from .pagination import iter_pages
from .transport import TikTokClient

ENABLE = "ENABLE"
DISABLE = "DISABLE"
MAX_STATUS_IDS = 20


def iter_campaigns(client: TikTokClient, advertiser_id: str, *,
                   campaign_ids: Sequence[str] | None = None, page_size: int = 100) -> Iterator[dict]:
    """Yield the advertiser's campaigns (``campaign_id``, ``campaign_name``, ``operation_status``,
    ``budget``, ``budget_mode``...)."""
    filtering = {"campaign_ids": [str(c) for c in campaign_ids]} if campaign_ids else None
    def fetch(page, size):
        return client.get("campaign/get/", {"advertiser_id": advertiser_id, "filtering": filtering,
                                            "page": page, "page_size": size})
    for item in iter_pages(fetch, page_size=max(1, min(page_size, 1000))):
        item = dict(item)
        item["campaign_id"] = str(item.get("campaign_id"))
        yield item


def set_campaign_status(client: TikTokClient, advertiser_id: str, campaign_ids: Sequence[str],
                        status: str) -> list[str]:
    """Set ``ENABLE`` (resume) or ``DISABLE`` (pause) on up to 20 campaigns; returns their ids."""
    if status not in (ENABLE, DISABLE):
        raise TikTokRequestError(f"campaign status must be ENABLE or DISABLE, not {status!r}")
    ids = [str(c) for c in campaign_ids]
    if not ids or len(ids) > MAX_STATUS_IDS:
        raise TikTokRequestError(f"1 to {MAX_STATUS_IDS} campaign ids per status change, not {len(ids)}")
    data = client.post("campaign/status/update/", {"advertiser_id": advertiser_id, "campaign_ids": ids,
                                                   "operation_status": status})
    return [str(c) for c in data.get("campaign_ids") or ids]


def pause_campaigns(client: TikTokClient, advertiser_id: str, campaign_ids: Sequence[str]) -> list[str]:
    """Pause campaigns (``operation_status=DISABLE``)."""
    return set_campaign_status(client, advertiser_id, campaign_ids, DISABLE)


def resume_campaigns(client: TikTokClient, advertiser_id: str, campaign_ids: Sequence[str]) -> list[str]:
    """Resume campaigns (``operation_status=ENABLE``)."""
    return set_campaign_status(client, advertiser_id, campaign_ids, ENABLE)


def update_campaign_budget(client: TikTokClient, advertiser_id: str, campaign_id: str,
                           budget: Decimal | float | str) -> dict:
    """Set a campaign's budget (in the account currency) through ``campaign/update/``."""
    body = {"advertiser_id": advertiser_id, "campaign_id": str(campaign_id), "budget": float(Decimal(str(budget)))}
    return client.post("campaign/update/", body)
