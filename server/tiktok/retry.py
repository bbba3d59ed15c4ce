"""The retry decision (pure) and the jittered exponential backoff."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from .errors import TikTokError, TikTokNetworkError, TikTokPacingTimeout, TikTokRateLimited, TikTokTransientError


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry: settings, with defaults for an interactive worker."""

    max_attempts: int = 4          # attempts in total, the first one included
    base_delay: float = 0.5        # seconds before the first retry, before jitter
    max_delay: float = 30.0        # cap for any single pause
    rate_limited_delay: float = 1.0  # TikTok's QPS windows are one second: never retry sooner
    # The longest HTTP 429 ``Retry-After`` waited for in place; a longer one gives up, so the job
    # that made the call is rescheduled instead of holding a worker.
    max_retry_after: float = 60.0


def retry_after_seconds(header: str | None, *, now: float) -> float | None:
    """Seconds an HTTP ``Retry-After`` header asks to wait (delta-seconds or an HTTP date, RFC 9110
    10.2.3), never negative; None when absent or unreadable."""
    text = (header or "").strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


def should_retry(error: TikTokError, attempt: int, policy: RetryPolicy, *, idempotent: bool = True,
                 now: float | None = None) -> bool:
    """Decide whether the call that failed with ``error`` on ``attempt`` (1-based) is tried again.

    Rate-limited and transient failures are retried until ``policy.max_attempts``; request and
    auth errors never are. A non-idempotent call (one that creates an object) is retried only
    when TikTok cannot have applied it: throttled, or the connection never carried the request.
    A throttled call whose ``Retry-After`` asks for more than ``policy.max_retry_after`` is not
    retried in place. ``now`` (unix seconds) dates an HTTP-date ``Retry-After``.
    """
    now = time.time() if now is None else now
    if attempt >= policy.max_attempts or isinstance(error, TikTokPacingTimeout):
        return False
    if isinstance(error, TikTokRateLimited):
        asked = retry_after_seconds(error.retry_after_header, now=now)
        return asked is None or asked <= policy.max_retry_after
    if not isinstance(error, TikTokTransientError):
        return False
    if idempotent:
        return True
    return isinstance(error, TikTokNetworkError) and not error.maybe_processed


def backoff_delay(attempt: int, policy: RetryPolicy, *, error: TikTokError | None = None,
                  rand=random.random, now: float | None = None) -> float:
    """Seconds to wait after failed ``attempt`` (1-based): exponential, capped, equal jitter; never
    less than a ``Retry-After`` the answer carried (itself capped at ``policy.max_retry_after``)."""
    ceiling = min(policy.max_delay, policy.base_delay * (2 ** (attempt - 1)))
    if isinstance(error, TikTokRateLimited):
        ceiling = min(policy.max_delay, max(ceiling, policy.rate_limited_delay))
    # Equal jitter keeps half the pause fixed, so a throttled fleet still spreads out but never
    # comes back immediately.
    delay = ceiling / 2 + rand() * ceiling / 2
    asked = retry_after_seconds(error.retry_after_header, now=time.time() if now is None else now) \
        if error is not None else None
    if asked is not None:
        delay = max(delay, min(asked, policy.max_retry_after))
    return delay
