"""How many events one shopper (an IP address) may send one store per minute.

Per store and IP, so a flood against one store, or from one address, never costs another store
its events. In memory (per worker process: the limit holds per worker) unless Redis is configured,
where it holds across every worker and host.
"""
import logging
import threading
import time

import redis

log = logging.getLogger(__name__)
WINDOW = 60


class MemoryLimiter:
    """Fixed one-minute windows in this process; bounded memory (``max_keys`` addresses per window)."""

    def __init__(self, per_minute, *, max_keys=200_000, clock=time.monotonic):
        self.per_minute = per_minute
        self.max_keys = max_keys
        self.clock = clock
        self._window = None
        self._counts = {}
        self._lock = threading.Lock()

    def allow(self, store_id, ip):
        """Count one event; False when this address already sent its share this minute."""
        window = int(self.clock() // WINDOW)
        key = (store_id, ip)
        with self._lock:
            if window != self._window:
                self._window, self._counts = window, {}
            count = self._counts.get(key, 0) + 1
            if count > self.per_minute:
                return False
            if count > 1 or len(self._counts) < self.max_keys:
                self._counts[key] = count
            return True


class RedisLimiter:
    """The same windows in Redis: one INCR (and EXPIRE) round trip per event. If Redis cannot be
    reached, events are let through: losing shoppers' events is worse than a missed limit."""

    def __init__(self, client, per_minute, *, prefix="ttc:events:rate", clock=time.time):
        self.client = client
        self.per_minute = per_minute
        self.prefix = prefix
        self.clock = clock
        self._warned = 0.0

    def allow(self, store_id, ip):
        """Count one event; False when this address already sent its share this minute."""
        key = f"{self.prefix}:{int(self.clock() // WINDOW)}:{store_id}:{ip}"
        try:
            pipe = self.client.pipeline(transaction=False)
            pipe.incr(key)
            pipe.expire(key, WINDOW + 1)
            count, _ = pipe.execute()
        except redis.RedisError as error:
            if time.monotonic() - self._warned > 60:
                self._warned = time.monotonic()
                log.warning("events rate limit not enforced: Redis is unreachable (%s)", error)
            return True
        return count <= self.per_minute


def limiter_for(config):
    """The limiter the settings ask for: Redis when TTC_REDIS_URL is set, else in memory."""
    per_minute = config["TTC_EVENTS_RATE_PER_MINUTE"]
    if config.get("TTC_REDIS_URL"):
        return RedisLimiter(redis.Redis.from_url(config["TTC_REDIS_URL"], socket_timeout=0.2,
                                                 socket_connect_timeout=0.2), per_minute)
    return MemoryLimiter(per_minute)
