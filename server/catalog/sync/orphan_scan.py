"""Finding SKUs on TikTok that the store does not know (orphans) without paging past TikTok's
100,000-product listing cap (``server.tiktok.products.LISTING_CAP``).

Each review status is one listing. Its count (a one-product request) is compared with the SKUs
of the store already found there: equal means no orphan, and nothing is listed. A listing with
more than the store's and at most ``READ_AT_MOST`` products is read whole; a bigger one (and
always one over the cap) is narrowed by a ``PREFIX`` condition on ``sku_id`` (TikTok's
product/get ``conditions``: OFFICIAL-DOC 1740564136678402, operators EQ ... PREFIX, fields
audit_status and sku_id), one character more each time, with the next characters taken from
the SKUs seen (and, at the first level, every letter and digit). A narrowing that misses some
products (their next character was never seen) reads its listing whole when that fits under the
cap; what still cannot be reached is counted as ``unreachable``, never guessed at.
"""
import string
from collections import defaultdict
from itertools import islice

from server.tiktok import products as api

PAGE = 500
# A listing of more than this is narrowed even under the cap: one more level costs about a dozen
# one-product counts, reading it whole one request per 500 products.
READ_AT_MOST = 5_000
PARTITIONS = ("approved", "processing", "rejected")
MAX_DEPTH = 40  # SKUs are at most 100 characters; real prefixes part long before this


class OrphanScan:
    """A bounded scan of a catalog for SKUs outside ``known`` ({review status: set of SKUs})."""

    def __init__(self, target, known):
        self.target = target
        self.known = known
        self.unreachable = 0

    def pages(self):
        """Yield {sku: product} pages of the SKUs outside ``known`` that the scan can reach."""
        for status in PARTITIONS:
            yield from self._partition(status, "", self.known.get(status, set()))

    def _conditions(self, status, prefix):
        clauses = [{"field": "audit_status", "operator": "EQ", "values": [status]}]
        if prefix:
            # Case-sensitive matching is assumed (UNCONFIRMED: the doc's flag is spelled
            # "case_senstive"); were it not, a narrowing only lists some SKUs twice.
            clauses.append({"field": "sku_id", "operator": "PREFIX", "values": [prefix]})
        return {"and": clauses}

    def _count(self, status, prefix):
        target = self.target
        return api.count_products(target.client, target.bc_id, target.catalog_id, self._conditions(status, prefix))

    def _partition(self, status, prefix, known, total=None):
        total = self._count(status, prefix) if total is None else total
        if total <= len(known):
            return
        if total > min(api.LISTING_CAP, READ_AT_MOST):
            yield from self._narrow(status, prefix, known, total)
            return
        yield from self._read(status, prefix, known)

    def _read(self, status, prefix, known):
        page = {}
        for item in self._listing(status, prefix):
            sku = str(item.get("sku_id"))
            if sku not in known:
                page[sku] = item
                if len(page) >= PAGE:
                    yield page
                    page = {}
        if page:
            yield page

    def _listing(self, status, prefix):
        target = self.target
        return api.iter_products(target.client, target.bc_id, target.catalog_id,
                                 conditions=self._conditions(status, prefix), page_size=min(PAGE, api.LISTING_CAP))

    def _narrow(self, status, prefix, known, total):
        """A listing too big to read, split by the character after ``prefix``."""
        depth = len(prefix)
        if depth >= MAX_DEPTH:
            self.unreachable += total - len(known)
            return
        first_page = min(PAGE, api.LISTING_CAP)
        seen = {str(item.get("sku_id")) for item in islice(self._listing(status, prefix), first_page)}
        known_by_next = defaultdict(set)  # the store's SKUs here, by the character after the prefix
        for sku in known:
            if len(sku) > depth:
                known_by_next[sku[depth]].add(sku)
        following = set(known_by_next) | {sku[depth] for sku in seen if len(sku) > depth}
        if not prefix:
            following |= set(string.ascii_letters + string.digits)
        reached = 1 if prefix and (prefix in known or prefix in seen) else 0  # a SKU that is the prefix itself
        found = []
        for char in sorted(following):
            child = prefix + char
            child_total = self._count(status, child)
            reached += child_total
            if child_total:
                found.append((child, child_total))
        if reached < total and total <= api.LISTING_CAP:
            yield from self._read(status, prefix, known)  # some next character was never seen
            return
        self.unreachable += max(0, total - reached)
        for child, child_total in found:
            yield from self._partition(status, child, known_by_next.get(child[-1], set()), child_total)
