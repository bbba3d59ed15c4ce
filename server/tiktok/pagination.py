"""Page-number pagination (TikTok has no cursors) as a generator."""
from __future__ import annotations

from collections.abc import Callable, Iterator


def iter_pages(fetch: Callable[[int, int], dict], *, page_size: int, list_key: str = "list",
               first_page: int = 1) -> Iterator[dict]:
    """Yield every item across pages; ``fetch(page, page_size)`` returns one page's data.

    Stops at ``data.page_info.total_page``, or, without page info, at the first short page.
    """
    page = first_page
    while True:
        data = fetch(page, page_size) or {}
        items = data.get(list_key) or []
        yield from items
        info = data.get("page_info") or {}
        total_pages = info.get("total_page")
        if not items:
            return
        if total_pages is not None:
            if page >= int(total_pages):
                return
        elif len(items) < page_size:
            return
        page += 1
