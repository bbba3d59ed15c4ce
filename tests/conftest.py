"""Fixtures every test package may use; the plugins below bring the database, browsers and emulators."""
import uuid

import pytest
import redis

from tests.tcp import Listener

pytest_plugins = ["tests.browser", "tests.database", "tests.live_server", "tests.tiktok_emulator.pytest_plugin",
                  "tests.vtex_emulator.pytest_plugin", "tests.ecwid_emulator.pytest_plugin",
                  "tests.url_builders"]

TEST_REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_client():
    """A connection to Redis, a service the tests require (`make services` starts it): the test fails,
    saying so, when Redis is not there."""
    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        pytest.fail(f"Redis is not reachable at {TEST_REDIS_URL} ({error}); start it with `make services`")
    yield client
    client.close()


@pytest.fixture
def silent_server():
    """A TCP server on loopback that accepts connections and never answers (a service that hangs)."""
    listener = Listener()
    yield listener
    listener.cut()


@pytest.fixture
def redis_prefix(redis_client):
    """A key prefix of this test's own in ``redis_client``; its keys are removed afterwards."""
    prefix = f"ttc-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    for key in redis_client.scan_iter(f"{prefix}:*"):
        redis_client.delete(key)
