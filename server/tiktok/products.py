"""Catalog products: upload, update, delete, read back (with review status) and upload logs.

Writes to one catalog go one at a time and within the hourly budget: the client's pacer sees
``catalog_id`` on every write. Upload and update are upserts keyed by ``sku_id`` and delete is
by ``sku_id``, so re-sending one after a timeout is safe: at worst TikTok applies it twice.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from .errors import TikTokRequestError
from .pagination import iter_pages
from .transport import TikTokClient

MAX_UPLOAD = 5000
MAX_DELETE = 1000
MAX_PAGE_SIZE = 500
MAX_SKU_FILTER = 1000
# catalog/product/get serves at most page x page_size = 100,000 products of one listing
# (OFFICIAL-DOC 1740564136678402; BUBUBA model/catalog/product/get.go, GetRequest.Page): a
# bigger catalog is read by sku_ids (1,000 a request) or in narrower listings.
LISTING_CAP = 100_000
FINISHED = frozenset({"SUCCESS", "FAILED"})


@dataclass(frozen=True)
class ProductIssue:
    """One problem TikTok found in an upload: a field, what is wrong, and examples."""

    field: str | None
    issue: str | None
    suggestion: str | None
    affected_count: int
    items: list[dict]  # [{index (1-based position in the upload), sku_id, title, value}]


@dataclass(frozen=True)
class FeedLog:
    """The processing log of one upload, update or delete (``catalog/product/log/``)."""

    feed_log_id: str
    status: str  # WAITING | PROCESSING | SUCCESS | FAILED
    add_count: int = 0
    update_count: int = 0
    delete_count: int = 0
    error_count: int = 0
    warn_count: int = 0
    errors: list[ProductIssue] = field(default_factory=list)
    warnings: list[ProductIssue] = field(default_factory=list)
    raw: dict = field(default_factory=dict, repr=False)

    @property
    def finished(self) -> bool:
        """True once TikTok has finished processing (SUCCESS or FAILED)."""
        return self.status in FINISHED


def _write(client: TikTokClient, path: str, bc_id: str, catalog_id: str, key: str, items: list,
           limit: int, feed_id: str | None) -> str:
    if not items:
        raise TikTokRequestError(f"{path}: nothing to send", path=path)
    if len(items) > limit:
        raise TikTokRequestError(f"{path}: {len(items)} items, at most {limit} per request", path=path)
    body = {"bc_id": bc_id, "catalog_id": catalog_id, key: items}
    if feed_id:
        body["feed_id"] = feed_id
    data = client.post(path, body, catalog_id=catalog_id)
    return str(data["feed_log_id"])


def upload_products(client: TikTokClient, bc_id: str, catalog_id: str, products: Sequence[dict],
                    *, feed_id: str | None = None) -> str:
    """Upsert up to 5,000 products by ``sku_id``; returns the ``feed_log_id`` to poll."""
    return _write(client, "catalog/product/upload/", bc_id, catalog_id, "products", list(products),
                  MAX_UPLOAD, feed_id)


def update_products(client: TikTokClient, bc_id: str, catalog_id: str, products: Sequence[dict],
                    *, feed_id: str | None = None) -> str:
    """Partially update up to 5,000 existing products; returns the ``feed_log_id``."""
    return _write(client, "catalog/product/update/", bc_id, catalog_id, "products", list(products),
                  MAX_UPLOAD, feed_id)


def delete_products(client: TikTokClient, bc_id: str, catalog_id: str, sku_ids: Sequence[str],
                    *, feed_id: str | None = None) -> str:
    """Delete up to 1,000 products by ``sku_id``; returns the ``feed_log_id``."""
    return _write(client, "catalog/product/delete/", bc_id, catalog_id, "sku_ids",
                  [str(s) for s in sku_ids], MAX_DELETE, feed_id)


def iter_products(client: TikTokClient, bc_id: str, catalog_id: str, *,
                  sku_ids: Sequence[str] | None = None, conditions: dict | None = None,
                  page_size: int = MAX_PAGE_SIZE) -> Iterator[dict]:
    """Yield catalog products with ``audit.audit_status`` and ``audit.rejected_info``.

    ``sku_ids`` (any number; sent 1,000 at a time) or ``conditions`` narrow the result (TikTok
    ignores ``conditions`` when ``sku_ids`` are given). A listing longer than ``LISTING_CAP``
    raises TikTokRequestError before asking for a page TikTok would refuse.
    """
    size = max(1, min(page_size, MAX_PAGE_SIZE))
    chunks = ([list(sku_ids[i:i + MAX_SKU_FILTER]) for i in range(0, len(sku_ids), MAX_SKU_FILTER)]
              if sku_ids is not None else [None])
    for chunk in chunks:
        if chunk == []:
            continue
        def fetch(page, page_size, chunk=chunk):
            if chunk is None and page * page_size > LISTING_CAP:
                raise TikTokRequestError(f"catalog/product/get/: page {page} x {page_size} is past the "
                                         f"{LISTING_CAP:,}-product listing cap", path="catalog/product/get/")
            return client.get("catalog/product/get/", {
                "bc_id": bc_id, "catalog_id": catalog_id, "sku_ids": chunk, "conditions": conditions,
                "page": page, "page_size": page_size})
        yield from iter_pages(fetch, page_size=size)


def count_products(client: TikTokClient, bc_id: str, catalog_id: str, conditions: dict) -> int:
    """How many products match ``conditions`` (one request for a one-product page)."""
    data = client.get("catalog/product/get/", {"bc_id": bc_id, "catalog_id": catalog_id, "conditions": conditions,
                                               "page": 1, "page_size": 1})
    return int((data.get("page_info") or {}).get("total_number") or 0)


def review_of(product: dict) -> dict:
    """A product's review in plain terms: ``{sku_id, status, reasons: [{reason, suggestion...}]}``."""
    audit = product.get("audit") or {}
    return {"sku_id": str(product.get("sku_id")),
            "status": (audit.get("audit_status") or "processing").lower(),
            "reasons": list(audit.get("rejected_info") or []),
            "eligible": product.get("ad_creation_eligible") == "AVAILABLE"}


def _issues(entries) -> list[ProductIssue]:
    return [ProductIssue(field=e.get("field"), issue=e.get("issue"), suggestion=e.get("suggestion"),
                         affected_count=int(e.get("affected_product_count") or 0),
                         items=list(e.get("affected_product_item_list") or []))
            for e in entries or []]


def product_log(client: TikTokClient, bc_id: str, catalog_id: str, feed_log_id: str,
                *, language: str = "en") -> FeedLog:
    """Read an upload/update/delete processing log, with per-product errors and warnings."""
    data = client.get("catalog/product/log/", {"bc_id": bc_id, "catalog_id": catalog_id,
                                               "feed_log_id": feed_log_id, "language": language})
    entry = data.get("product_feed_log") or data
    details = entry.get("feed_log_data") or {}
    return FeedLog(
        feed_log_id=str(feed_log_id), status=str(entry.get("process_status") or "WAITING"),
        add_count=int(entry.get("add_count") or 0), update_count=int(entry.get("update_count") or 0),
        delete_count=int(entry.get("delete_count") or 0), error_count=int(entry.get("error_count") or 0),
        warn_count=int(entry.get("warn_count") or 0),
        errors=_issues(details.get("error_affected_products")),
        warnings=_issues(details.get("warn_affected_products")), raw=entry)
