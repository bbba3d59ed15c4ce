"""TikTok Business API client: one transport, typed errors, pacing, one module per API family.

Importing this package does nothing but define names; build a ``TikTokClient`` with plain
settings and pass it to the functions in ``oauth``, ``business_centers``, ``pixels``,
``catalogs``, ``products``, ``events``, ``campaigns`` and ``reports``.
"""
from server.logs import Redactor, redact

from .errors import (
                     ErrorTable,
                     TikTokAppAuthError,
                     TikTokAuthError,
                     TikTokError,
                     TikTokNetworkError,
                     TikTokPacingTimeout,
                     TikTokRateLimited,
                     TikTokRequestError,
                     TikTokTransientError,
)
from .pacer_local import LocalPacer
from .pacer_redis import RedisPacer
from .pacing import NullPacer, Pacer, RateLimits
from .retry import RetryPolicy, backoff_delay, should_retry
from .transport import DEFAULT_HOST, TikTokClient, api_base

__all__ = [
    "DEFAULT_HOST", "ErrorTable", "LocalPacer", "NullPacer", "Pacer", "RateLimits", "RedisPacer",
    "Redactor", "RetryPolicy", "TikTokAppAuthError", "TikTokAuthError", "TikTokClient", "TikTokError",
    "TikTokNetworkError", "TikTokPacingTimeout", "TikTokRateLimited", "TikTokRequestError",
    "TikTokTransientError", "api_base", "backoff_delay", "redact", "should_retry",
]
