"""The per-shopper limit: in memory per worker, or in Redis shared by every worker and host."""

from server.events.ratelimit import MemoryLimiter, RedisLimiter, limiter_for

REDIS_URL = "redis://127.0.0.1:6379/0"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_each_address_gets_its_share_per_store_per_minute():
    clock = Clock()
    limiter = MemoryLimiter(3, clock=clock)

    first = [limiter.allow(1, "203.0.113.7") for _ in range(5)]
    others = [limiter.allow(2, "203.0.113.7"), limiter.allow(1, "198.51.100.1")]
    clock.now += 60
    later = limiter.allow(1, "203.0.113.7")

    assert first == [True, True, True, False, False]
    assert others == [True, True] and later is True


def test_memory_stays_bounded_under_a_flood_of_addresses():
    limiter = MemoryLimiter(2, max_keys=100, clock=Clock())

    assert all(limiter.allow(1, f"10.0.{n // 256}.{n % 256}") for n in range(1000))
    assert len(limiter._counts) == 100


def test_with_redis_the_limit_holds_across_workers(redis_client, redis_prefix):
    prefix = redis_prefix
    one, two = (RedisLimiter(redis_client, 3, prefix=prefix, clock=Clock()) for _ in range(2))

    answers = [one.allow(1, "203.0.113.7"), two.allow(1, "203.0.113.7"), one.allow(1, "203.0.113.7"),
               two.allow(1, "203.0.113.7"), two.allow(2, "203.0.113.7")]

    assert answers == [True, True, True, False, True]
    assert 0 < redis_client.ttl(f"{prefix}:16:1:203.0.113.7") <= 61


def test_without_redis_events_are_let_through(caplog):
    # Built as the app builds it: short timeouts, so a beacon never waits on a Redis that is gone.
    limiter = limiter_for({"TTC_EVENTS_RATE_PER_MINUTE": 1, "TTC_REDIS_URL": "redis://127.0.0.1:1/0"})

    assert limiter.allow(1, "203.0.113.7") and limiter.allow(1, "203.0.113.7")
    assert "Redis is unreachable" in caplog.text


def test_the_settings_choose_the_limiter():
    base = {"TTC_EVENTS_RATE_PER_MINUTE": 50, "TTC_REDIS_URL": ""}

    assert isinstance(limiter_for(base), MemoryLimiter)
    chosen = limiter_for({**base, "TTC_REDIS_URL": REDIS_URL})
    assert isinstance(chosen, RedisLimiter) and chosen.per_minute == 50
    chosen.client.close()
