"""A Pacer backed by Redis: Lua scripts make each window check-and-record atomic for every
worker process on every host that shares the Redis."""
from __future__ import annotations

import logging

import redis

from server.logs import redact

from .errors import TikTokTransientError
from .pacing import Bucket, Pacer, RateLimits

log = logging.getLogger(__name__)

# KEYS: bucket keys. ARGV[1]: member; ARGV[2]: hold (us); ARGV[3]: in-flight poll (us); then
# limit, window (us) per key. A member in flight is scored now + hold; returns 0 when added,
# else the microseconds to wait.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local hold = tonumber(ARGV[2])
local wait = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i + 2])
  local window = tonumber(ARGV[2 * i + 3])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count >= limit then
    local first = tonumber(redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')[2])
    local w = tonumber(ARGV[3])
    if first <= now then w = first + window - now end
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + hold, ARGV[1])
  redis.call('PEXPIRE', key, math.ceil((hold + tonumber(ARGV[2 * i + 3])) / 1000) + 1000)
end
return 0
"""

# KEYS: bucket keys; ARGV[1]: member. Re-scores the member with the time of its answer.
_COMMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', now, ARGV[1])
end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisPacer(Pacer):
    """Pacing shared through Redis; build with ``RedisPacer(redis.Redis.from_url(url), limits,
    namespace=app_id)``. Catalog leases are ``SET NX PX`` keys, so they expire on their own."""

    def __init__(self, client, limits: RateLimits | None = None, *, namespace: str = "ttc", **kwargs):
        super().__init__(limits, namespace=f"{namespace}:pace", **kwargs)
        self._redis = client
        self._take_script = client.register_script(_TAKE)
        self._release_script = client.register_script(_RELEASE)
        self._commit_script = client.register_script(_COMMIT)

    def _take(self, buckets: list[Bucket], member: str, hold: float) -> float:
        args = [member, int(hold * 1_000_000), int(self.in_flight_poll * 1_000_000)]
        for bucket in buckets:
            args += [bucket.limit, int(bucket.window * 1_000_000)]
        try:
            wait = int(self._take_script(keys=[b.key for b in buckets], args=args))
        except redis.RedisError as error:
            raise _unavailable(error) from None
        return wait / 1_000_000

    def _commit(self, buckets: list[Bucket], member: str) -> None:
        try:
            self._commit_script(keys=[b.key for b in buckets], args=[member])
        except redis.RedisError as error:
            # The call has been made: failing it now could send a write twice. The slot stays
            # counted as in flight until its hold ends, which only paces more cautiously.
            log.warning("TikTok pacing: the call's end was not recorded in Redis (%s)", redact(str(error)))

    def _try_lease(self, key: str, token: str, ttl: float) -> bool:
        try:
            return bool(self._redis.set(key, token, nx=True, px=int(ttl * 1000)))
        except redis.RedisError as error:
            raise _unavailable(error) from None

    def _release(self, key: str, token: str) -> None:
        try:
            self._release_script(keys=[key], args=[token])
        except redis.RedisError as error:
            log.warning("TikTok pacing: a catalog lease was not released; it lapses on its own (%s)",
                        redact(str(error)))


def _unavailable(error):
    """Nothing was sent: the call fails as a transient error (retried, or the job tries again later)."""
    return TikTokTransientError(f"the Redis that paces TikTok calls did not answer ({type(error).__name__}: "
                                f"{redact(str(error))})")
