"""HTTP to a store platform (VTEX, Ecwid): one session, timeouts, 429 and 5xx retried with backoff.

The decision to retry is a pure function (``should_retry``); waits honour ``Retry-After`` and are
capped, so a 429 storm ends in ``SourceUnavailable`` rather than a pull that never returns.
Credentials travel in headers only; error messages carry the path, never the query or headers.
"""
import random
import threading
import time
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from server.catalog.sources.errors import SourceAuthError, SourceError, SourceSuspended, SourceUnavailable

MAX_ATTEMPTS = 6
MAX_WAIT = 60.0  # seconds; Ecwid's Java client caps Retry-After at 60 s too (ECWID_API.md 1.3)
RETRY_STATUSES = {408, 429, 500, 502, 503, 504}


def should_retry(status, attempt, *, max_attempts=MAX_ATTEMPTS):
    """Whether a request that got HTTP ``status`` (None: no answer) on ``attempt`` (1-based) is tried again."""
    return attempt < max_attempts and (status is None or status in RETRY_STATUSES)


def retry_wait(attempt, retry_after=None, *, base=0.5, rand=random.random):
    """Seconds to wait before the next attempt: ``Retry-After`` when given, else jittered doubling."""
    if retry_after is not None:
        try:
            return min(MAX_WAIT, max(0.0, float(retry_after)))
        except ValueError:
            pass  # an HTTP date: fall back to our own backoff
    return min(MAX_WAIT, base * 2 ** (attempt - 1) * (0.5 + rand()))


def platform_session(threads=8):
    """A session for one pull: pooled connections for ``threads`` workers, no proxies from the environment."""
    session = requests.Session()
    session.trust_env = False
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(4, threads * 2))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "tiktok-connector catalog source"
    return session


class Pacer:
    """Spaces requests evenly at ``per_minute`` across threads, so a pull stays under the platform's
    limit instead of bouncing off it (0: no pacing)."""

    CATCH_UP = 0.5  # seconds of lateness made up for by sending sooner (limits count per minute)

    def __init__(self, per_minute, *, clock=time.monotonic, sleep=time.sleep):
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self.clock, self.sleep = clock, sleep
        self.next_at = None
        self._lock = threading.Lock()

    def wait(self):
        """Block until the next request may go."""
        if not self.interval:
            return
        with self._lock:
            now = self.clock()
            scheduled = now if self.next_at is None else max(self.next_at, now - self.CATCH_UP)
            at = max(now, scheduled)
            self.next_at = scheduled + self.interval
        if at > now:
            self.sleep(at - now)


class Counter:
    """Requests made by one pull (for its summary and the benchmarks); thread-safe."""

    def __init__(self):
        self.requests = 0
        self.retries = 0
        self._lock = threading.Lock()

    def add(self, retry=False):
        """Count one request."""
        with self._lock:
            self.requests += 1
            self.retries += bool(retry)


def call(session, method, url, *, platform, headers=None, timeout=30.0, counter=None, describe=None,
         pacer=None, retry_base=0.5, sleep=time.sleep, **kwargs):
    """Send one request with retries; returns the response (2xx or 404) or raises a ``SourceError``."""
    where = describe or urlsplit(url).path
    for attempt in range(1, MAX_ATTEMPTS + 1):
        if pacer is not None:
            pacer.wait()
        if counter is not None:
            counter.add(retry=attempt > 1)
        try:
            response = session.request(method, url, headers=headers, timeout=(min(10.0, timeout), timeout), **kwargs)
        except requests.RequestException as error:
            if should_retry(None, attempt):
                sleep(retry_wait(attempt, base=retry_base))
                continue
            raise SourceUnavailable(f"{platform} did not answer {where} ({type(error).__name__})") from None
        status = response.status_code
        if status < 300 or status == 404:
            return response
        if should_retry(status, attempt):
            wait = retry_wait(attempt, response.headers.get("Retry-After"), base=retry_base)
            response.close()
            sleep(wait)
            continue
        raise failure(platform, where, response)
    raise SourceError(f"{platform}: gave up on {where}")  # not reached: the last attempt raises


def failure(platform, where, response):
    """The ``SourceError`` for a final non-2xx answer, with the platform's own words."""
    status = response.status_code
    said = platform_message(response)
    text = f"{platform} answered HTTP {status} to {where}" + (f": {said}" if said else "")
    if status in (401, 403):
        return SourceAuthError(text)
    if status == 402:
        return SourceSuspended(text)
    if status == 429:
        return SourceUnavailable(text + " (still throttled after several waits; the next pull retries)")
    if status >= 500:
        return SourceUnavailable(text)
    return SourceError(text)


def platform_message(response):
    """The error text a platform put in its body (Ecwid ``errorMessage``, VTEX ``Message``), short."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("errorMessage", "Message", "message", "error"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                code = body.get("errorCode")
                return (f"{value.strip()} ({code})" if isinstance(code, str) else value.strip())[:300]
    return (response.reason or "")[:300]
