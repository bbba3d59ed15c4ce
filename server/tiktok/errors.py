"""The TikTok client's exception tree and the table that maps TikTok's codes onto it."""
from __future__ import annotations

from dataclasses import dataclass, field

# Codes meaning "the advertiser must connect again". Which code a revoked token returns is
# unconfirmed, so the whole family counts (see TIKTOK_API.md section 8, item 1).
AUTH_CODES = frozenset({40001, 40102, 40103, 40104, 40105, 40106, 40107, 40110, 40130})
# The app's own id/secret are wrong or the app is blocked: reconnecting cannot help.
APP_AUTH_CODES = frozenset({40101, 40113})
RATE_LIMIT_CODES = frozenset({40100, 40016, 40132, 40133, 61000})
TRANSIENT_CODES = frozenset({40200, 40201, 40202, 40700, 50000, 50002, 60001})
# 20001 (partial success) carries data the caller must inspect, so it is not an error here.
SUCCESS_CODES = frozenset({0, 20001})


class TikTokError(Exception):
    """Root of every error the TikTok client raises.

    Keeps TikTok's ``code``, ``message`` and ``request_id`` and the HTTP status. Messages are
    redacted before they reach the exception, so ``str(error)`` is safe to log.
    """

    # The raw HTTP ``Retry-After`` header of the answer, when it had one (retry.py reads it).
    retry_after_header: str | None = None

    def __init__(self, message: str, *, code: int | None = None, request_id: str | None = None,
                 http_status: int | None = None, path: str | None = None):
        self.message = message
        self.code = code
        self.request_id = request_id
        self.http_status = http_status
        self.path = path
        super().__init__(message)

    def __str__(self) -> str:
        parts = [self.message]
        if self.code is not None:
            parts.append(f"code={self.code}")
        if self.http_status is not None:
            parts.append(f"http={self.http_status}")
        if self.path:
            parts.append(f"path={self.path}")
        if self.request_id:
            parts.append(f"request_id={self.request_id}")
        return " ".join(parts)


class TikTokAuthError(TikTokError):
    """Raised when the access token is expired, empty, invalid or revoked, does not match the
    advertiser, lacks a scope or asset permission, or an auth code is spent: the advertiser must
    connect again (codes 40001, 40102-40107, 40110, 40130)."""


class TikTokAppAuthError(TikTokAuthError):
    """Raised when TikTok rejects the app itself (40101 app_id/secret mismatch, 40113 app
    blocked): fix the app settings; reconnecting an advertiser will not help."""


class TikTokRateLimited(TikTokError):
    """Raised when TikTok throttles the call (40100 app QPS, 40133 advertiser QPS, 40132 per
    field value, 40016 too frequent, 61000, HTTP 429); safe to retry after a pause."""


class TikTokPacingTimeout(TikTokRateLimited):
    """Raised when no request slot frees up within ``RateLimits.max_wait`` (e.g. a catalog's
    hourly budget is spent); ``retry_after`` says when to try again. Not retried in place."""

    def __init__(self, message: str, *, retry_after: float, **kwargs):
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class TikTokTransientError(TikTokError):
    """Raised for failures that may pass on their own: TikTok system errors (50000, 50002),
    maintenance (60001), task/write conflicts (40200-40202, 40700), HTTP 5xx, and bodies that
    are not a TikTok envelope."""


class TikTokNetworkError(TikTokTransientError):
    """Raised when the call timed out or the connection failed. ``maybe_processed`` is true when
    the request may have reached TikTok (a read timeout), so a write may have been applied."""

    def __init__(self, message: str, *, maybe_processed: bool, **kwargs):
        self.maybe_processed = maybe_processed
        super().__init__(message, **kwargs)


class TikTokRequestError(TikTokError):
    """Raised when TikTok refuses the request itself (invalid parameters, missing object, too
    many ids, HTTP 4xx...): retrying the same request cannot succeed."""


@dataclass(frozen=True)
class ErrorTable:
    """Which TikTok codes fall into which error family; a setting, since some are unconfirmed."""

    auth: frozenset = field(default=AUTH_CODES)
    app_auth: frozenset = field(default=APP_AUTH_CODES)
    rate_limited: frozenset = field(default=RATE_LIMIT_CODES)
    transient: frozenset = field(default=TRANSIENT_CODES)

    def class_for_code(self, code: int) -> type[TikTokError]:
        """Return the exception class for a non-zero envelope code."""
        if code in self.app_auth:
            return TikTokAppAuthError
        if code in self.auth:
            return TikTokAuthError
        if code in self.rate_limited:
            return TikTokRateLimited
        if code in self.transient:
            return TikTokTransientError
        return TikTokRequestError

    @staticmethod
    def class_for_status(http_status: int) -> type[TikTokError]:
        """Return the exception class for an HTTP status that carried no envelope."""
        if http_status == 429:
            return TikTokRateLimited
        if http_status == 401:
            return TikTokAuthError
        if http_status >= 500:
            return TikTokTransientError
        return TikTokRequestError
