"""A Redis that stops answering: a TikTok call fails with a clear error that is retried later, instead
of holding its job forever; and a call already made is never failed because its end could not be
recorded (a write could otherwise be sent twice)."""
import logging
import threading

import pytest
import redis

from server.connect.clients import tiktok_client
from server.tiktok import RateLimits, RedisPacer, TikTokTransientError
from tests.database import make_test_config
from tests.tcp import Listener


@pytest.fixture
def app_config(database_url, tmp_path, tiktok_emulator, silent_server):
    return make_test_config(database_url, tmp_path / "instance", **tiktok_emulator.app_settings(
        TTC_JOB_RUNNER="off", TTC_REDIS_URL=f"redis://127.0.0.1:{silent_server.port}/0", TTC_REDIS_TIMEOUT=0.3,
        TTC_TIKTOK_MAX_ATTEMPTS=1))


def test_a_redis_that_does_not_answer_fails_the_call_and_tiktok_is_not_asked(app, tiktok_emulator):
    tiktok_emulator.clear_requests()
    outcome = {}

    def call():
        with app.app_context():
            client = tiktok_client(app).with_token(tiktok_emulator.seed_token()["access_token"])
            try:
                client.get("bc/get/")
            except Exception as error:  # what the caller (a job) gets
                outcome["error"] = error

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(60)  # a guard against the hang this test is about, not a measure of speed

    assert not worker.is_alive(), "the TikTok call was still waiting on a Redis that never answers"
    assert isinstance(outcome.get("error"), TikTokTransientError), outcome
    assert "the Redis that paces TikTok calls did not answer (TimeoutError" in str(outcome["error"])
    assert tiktok_emulator.requests() == []


def test_a_call_made_is_not_failed_when_redis_goes_away_before_its_end_is_recorded(redis_client, redis_prefix,
                                                                                  caplog):
    proxy = Listener(forward_to=redis_client.connection_pool.connection_kwargs["port"])
    client = redis.Redis.from_url(f"redis://127.0.0.1:{proxy.port}/0", socket_timeout=0.5,
                                  socket_connect_timeout=0.5)
    pacer = RedisPacer(client, RateLimits(), namespace=redis_prefix)
    caplog.set_level(logging.WARNING, logger="server.tiktok.pacer_redis")

    with pacer.slot("catalog/product/upload/", "CAT-1"):
        lease = f"{redis_prefix}:pace:writer:CAT-1"
        assert redis_client.exists(lease)  # the catalog is held while the call runs
        proxy.cut()  # the call is made; then Redis is gone

    assert "the call's end was not recorded in Redis" in caplog.text
    assert "a catalog lease was not released; it lapses on its own" in caplog.text
    assert 0 < redis_client.pttl(lease)  # and it does lapse
    client.close()
