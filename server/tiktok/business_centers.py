"""Business Centers (``bc/get/``)."""
from __future__ import annotations

from collections.abc import Iterator

from .pagination import iter_pages
from .transport import TikTokClient


def iter_business_centers(client: TikTokClient, *, page_size: int = 50) -> Iterator[dict]:
    """Yield ``{bc_id, name, ...}`` for every Business Center the token reaches (page_size <= 50)."""
    def fetch(page, size):
        return client.get("bc/get/", {"page": page, "page_size": size})
    for item in iter_pages(fetch, page_size=min(page_size, 50)):
        # v1.3 nests the centre under bc_info; accept a flat item too.
        info = dict(item.get("bc_info") or item)
        info["bc_id"] = str(info.get("bc_id"))
        if "user_role" in item:
            info.setdefault("user_role", item["user_role"])
        yield info
