"""Client-side pacing: TikTok's request rates and the one-writer-per-catalog rule, shared by
every worker process through a backend (Redis, or a SQLite file for a single host)."""
from __future__ import annotations

import random
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

from .errors import TikTokPacingTimeout

UPLOAD = "catalog/product/upload/"
FILE = "catalog/product/file/"
UPDATE = "catalog/product/update/"
DELETE = "catalog/product/delete/"
EVENTS = "event/track/"

# Basic-tier endpoint limits in requests per second (TIKTOK_API.md section 6).
BASIC_ENDPOINT_RATES = {UPLOAD: 5, FILE: 5, UPDATE: 2, DELETE: 2,
                        EVENTS: 1000, "pixel/track/": 1000, "pixel/batch/": 1000}


@dataclass(frozen=True)
class Bucket:
    """A sliding window: at most ``limit`` requests in any ``window`` seconds."""

    key: str
    limit: int
    window: float


@dataclass(frozen=True)
class RateLimits:
    """Request rates to stay under; defaults are TikTok's documented Basic tier."""

    app_per_second: int = 10
    endpoint_per_second: dict = field(default_factory=lambda: dict(BASIC_ENDPOINT_RATES))
    # The Events API has its own 1,000 QPS at every tier, outside the app-wide budget.
    outside_app_limit: frozenset = frozenset({EVENTS, "pixel/track/", "pixel/batch/"})
    catalog_per_hour: int = 1000
    catalog_writes: frozenset = frozenset({UPLOAD, FILE, UPDATE, DELETE})
    # Added to every window for clock granularity. Network jitter needs no margin: a request is
    # stamped with the time its answer came back, which is never before TikTok received it.
    margin: float = 0.005
    # Longest a writer holds a catalog; a killed worker's lease lapses after this.
    lease_seconds: float = 120.0
    # Longest a caller waits for a slot before giving up with TikTokPacingTimeout.
    max_wait: float = 600.0

    @classmethod
    def from_settings(cls, settings: dict | None = None) -> RateLimits:
        """Build from a settings mapping; ``endpoint_per_second`` entries override the defaults."""
        values = dict(settings or {})
        endpoints = dict(BASIC_ENDPOINT_RATES)
        endpoints.update(values.pop("endpoint_per_second", None) or {})
        for name in ("outside_app_limit", "catalog_writes"):
            if name in values:
                values[name] = frozenset(values[name])
        return cls(endpoint_per_second=endpoints, **values)

    def is_catalog_write(self, path: str) -> bool:
        """True when ``path`` writes to a catalog (one at a time per catalog, hourly budget)."""
        return path in self.catalog_writes

    def buckets(self, path: str, catalog_id: str | None = None) -> list[Bucket]:
        """The windows a request to ``path`` (for ``catalog_id``) must fit in."""
        window = 1.0 + self.margin
        buckets = []
        if path not in self.outside_app_limit:
            buckets.append(Bucket("app", self.app_per_second, window))
        if path in self.endpoint_per_second:
            buckets.append(Bucket(f"path:{path}", int(self.endpoint_per_second[path]), window))
        if catalog_id and self.is_catalog_write(path):
            buckets.append(Bucket(f"catalog:{catalog_id}:hour", self.catalog_per_hour, 3600.0 + self.margin))
        return buckets


class Pacer:
    """Grants request slots. Subclasses provide the shared store; this class does the waiting."""

    lease_poll = 0.01
    # How long to look again when the window is full of requests still in flight.
    in_flight_poll = 0.005

    def __init__(self, limits: RateLimits | None = None, *, namespace: str = "ttc", sleep=time.sleep):
        self.limits = limits or RateLimits()
        self.namespace = namespace
        self._sleep = sleep

    @contextmanager
    def slot(self, path: str, catalog_id: str | None = None, *, hold_seconds: float | None = None):
        """Wait until a request to ``path`` may be sent, and hold the catalog while it runs."""
        lease = None
        deadline = time.monotonic() + self.limits.max_wait
        if catalog_id and self.limits.is_catalog_write(path):
            ttl = max(self.limits.lease_seconds, hold_seconds or 0.0)
            lease = self._wait_for_lease(f"writer:{catalog_id}", ttl, deadline)
        try:
            # The rate slot is taken last, right before sending, so a long wait for the lease
            # cannot leave a stale stamp in the window.
            buckets = [Bucket(self._key(b.key), b.limit, b.window) for b in self.limits.buckets(path, catalog_id)]
            member = self._wait_for_rate(buckets, (hold_seconds or self.limits.lease_seconds), deadline)
            try:
                yield
            finally:
                if buckets:
                    self._commit(buckets, member)
        finally:
            if lease:
                self._release(*lease)

    def _wait_for_lease(self, name: str, ttl: float, deadline: float) -> tuple[str, str]:
        key, token = self._key(name), uuid.uuid4().hex
        while not self._try_lease(key, token, ttl):
            self._pause_or_give_up(self.lease_poll * (0.5 + random.random()), deadline, name)
        return key, token

    def _wait_for_rate(self, buckets: list[Bucket], hold: float, deadline: float) -> str:
        member = uuid.uuid4().hex
        while buckets:
            wait = self._take(buckets, member, hold)
            if wait <= 0:
                break
            self._pause_or_give_up(wait, deadline, ",".join(b.key for b in buckets))
        return member

    def _pause_or_give_up(self, wait: float, deadline: float, what: str) -> None:
        if time.monotonic() + wait > deadline:
            raise TikTokPacingTimeout(f"no request slot for {what} within {self.limits.max_wait:g}s",
                                      retry_after=wait)
        self._sleep(wait)

    def _key(self, name: str) -> str:
        return f"{self.namespace}:{name}"

    # Backend primitives: each must be atomic across processes.
    #
    # Why in-flight requests count and completed ones are stamped with their completion time:
    # TikTok counts arrivals, which fall somewhere between our send and the answer. If every
    # request sent counts until ``window`` after its answer came back, no ``limit + 1`` arrivals
    # can ever share one window, whatever the network jitter.
    def _take(self, buckets: list[Bucket], member: str, hold: float) -> float:
        """Add ``member`` as in flight to every bucket if all have room (return 0), else return
        the seconds until they might, recording nothing. An in-flight entry lapses after
        ``hold`` seconds if its worker dies before committing it."""
        raise NotImplementedError

    def _commit(self, buckets: list[Bucket], member: str) -> None:
        """Stamp ``member`` with the current time: its request has been answered (or failed)."""
        raise NotImplementedError

    def _try_lease(self, key: str, token: str, ttl: float) -> bool:
        """Take the lease ``key`` for ``ttl`` seconds unless someone else holds it."""
        raise NotImplementedError

    def _release(self, key: str, token: str) -> None:
        """Give the lease back if ``token`` still holds it."""
        raise NotImplementedError


class NullPacer(Pacer):
    """Paces nothing: for tools and tests that must reach TikTok's limits on purpose."""

    def _take(self, buckets, member, hold):
        return 0.0

    def _commit(self, buckets, member):
        return None

    def _try_lease(self, key, token, ttl):
        return True

    def _release(self, key, token):
        return None
