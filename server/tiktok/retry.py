"""The retry decision (pure) and the jittered exponential backoff."""
from __future__ import annotations

import random
from dataclasses import dataclass

from .errors import (TikTokError, TikTokNetworkError, TikTokPacingTimeout, TikTokRateLimited,
                     TikTokTransientError)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry: settings, with defaults for an interactive worker."""

    max_attempts: int = 4          # attempts in total, the first one included
    base_delay: float = 0.5        # seconds before the first retry, before jitter
    max_delay: float = 30.0        # cap for any single pause
    rate_limited_delay: float = 1.0  # TikTok's QPS windows are one second: never retry sooner


def should_retry(error: TikTokError, attempt: int, policy: RetryPolicy, *, idempotent: bool = True) -> bool:
    """Decide whether the call that failed with ``error`` on ``attempt`` (1-based) is tried again.

    Rate-limited and transient failures are retried until ``policy.max_attempts``; request and
    auth errors never are. A non-idempotent call (one that creates an object) is retried only
    when TikTok cannot have applied it: throttled, or the connection never carried the request.
    """
    if attempt >= policy.max_attempts or isinstance(error, TikTokPacingTimeout):
        return False
    if isinstance(error, TikTokRateLimited):
        return True
    if not isinstance(error, TikTokTransientError):
        return False
    if idempotent:
        return True
    return isinstance(error, TikTokNetworkError) and not error.maybe_processed


def backoff_delay(attempt: int, policy: RetryPolicy, *, error: TikTokError | None = None,
                  rand=random.random) -> float:
    """Seconds to wait after failed ``attempt`` (1-based): exponential, capped, equal jitter."""
    ceiling = min(policy.max_delay, policy.base_delay * (2 ** (attempt - 1)))
    if isinstance(error, TikTokRateLimited):
        ceiling = min(policy.max_delay, max(ceiling, policy.rate_limited_delay))
    # Equal jitter keeps half the pause fixed, so a throttled fleet still spreads out but never
    # comes back immediately.
    return ceiling / 2 + rand() * ceiling / 2
