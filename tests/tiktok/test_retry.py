"""Which failures are retried, how long the client waits, and what the emulator sees."""
from __future__ import annotations

import pytest

from server.tiktok import (
    RetryPolicy,
    TikTokAuthError,
    TikTokNetworkError,
    TikTokPacingTimeout,
    TikTokRateLimited,
    TikTokRequestError,
    TikTokTransientError,
    backoff_delay,
    should_retry,
)
from server.tiktok.errors import ErrorTable

from .conftest import FAST_RETRY, make_client

POLICY = RetryPolicy(max_attempts=4, base_delay=0.5, max_delay=8.0)

# code -> retried? The table the rest of the product relies on.
RETRY_TABLE = [
    (40100, True), (40133, True), (40132, True), (40016, True), (61000, True),
    (50000, True), (50002, True), (60001, True), (40200, True), (40201, True), (40202, True),
    (40102, False), (40104, False), (40105, False), (40106, False), (40130, False), (40001, False),
    (40110, False), (40101, False), (40113, False),
    (40000, False), (40002, False), (40007, False), (40011, False), (40061, False), (40062, False),
]


def error_for(code: int):
    return ErrorTable().class_for_code(code)("x", code=code)


@pytest.mark.parametrize("code, retried", RETRY_TABLE)
def test_retry_decision_table(code, retried):
    assert should_retry(error_for(code), 1, POLICY) is retried


@pytest.mark.parametrize("code, retried", RETRY_TABLE)
def test_retry_over_http_matches_the_table(tiktok_emulator, http, token, code, retried):
    client = make_client(tiktok_emulator, http, token=token, retry=FAST_RETRY)
    tiktok_emulator.add_fault("code", path="bc/get/", code=code, count=1)
    if retried:
        client.get("bc/get/")
    else:
        with pytest.raises(ErrorTable().class_for_code(code)):
            client.get("bc/get/")
    assert len(tiktok_emulator.requests("bc/get/")) == (2 if retried else 1)


def test_http_5xx_and_timeouts_are_retried_until_success(tiktok_emulator, http, token):
    client = make_client(tiktok_emulator, http, token=token, retry=FAST_RETRY, timeout=(1.0, 0.2))
    tiktok_emulator.add_fault("http_error", status=503, count=1)
    tiktok_emulator.add_fault("timeout", seconds=0.5, count=1)
    assert client.get("bc/get/")["list"]
    assert tiktok_emulator.stats()["fault_http_error"] == 1 and tiktok_emulator.stats()["fault_timeout"] == 1


def test_attempts_stop_at_the_maximum(tiktok_emulator, http, token):
    client = make_client(tiktok_emulator, http, token=token, retry=FAST_RETRY)
    tiktok_emulator.add_fault("code", code=50002)
    with pytest.raises(TikTokTransientError):
        client.get("bc/get/")
    assert len(tiktok_emulator.requests("bc/get/")) == FAST_RETRY.max_attempts


def test_create_calls_are_not_resent_after_a_timeout(tiktok_emulator, http, token):
    client = make_client(tiktok_emulator, http, token=token, retry=FAST_RETRY, timeout=(1.0, 0.2))
    tiktok_emulator.add_fault("timeout", path="pixel/create/", seconds=0.5, count=1)
    with pytest.raises(TikTokNetworkError):
        client.post("pixel/create/", {"advertiser_id": tiktok_emulator.advertiser_ids[0], "pixel_name": "x"},
                    idempotent=False)
    assert len(tiktok_emulator.requests("pixel/create/")) == 1


def test_non_idempotent_calls_are_retried_when_throttled():
    assert should_retry(error_for(40100), 1, POLICY, idempotent=False)
    assert not should_retry(error_for(50000), 1, POLICY, idempotent=False)
    assert should_retry(TikTokNetworkError("refused", maybe_processed=False), 1, POLICY, idempotent=False)
    assert not should_retry(TikTokNetworkError("timeout", maybe_processed=True), 1, POLICY, idempotent=False)


def test_last_attempt_and_pacing_timeouts_are_not_retried():
    assert not should_retry(error_for(50000), POLICY.max_attempts, POLICY)
    assert not should_retry(TikTokPacingTimeout("no slot", retry_after=10), 1, POLICY)
    assert not should_retry(TikTokRequestError("bad"), 1, POLICY)
    assert not should_retry(TikTokAuthError("gone"), 1, POLICY)


@pytest.mark.parametrize("attempt", range(1, 12))
def test_backoff_is_bounded_by_the_cap(attempt):
    for rand in (0.0, 0.5, 0.999):
        delay = backoff_delay(attempt, POLICY, rand=lambda rand=rand: rand)
        assert 0 < delay <= POLICY.max_delay


def test_backoff_grows_then_plateaus():
    ceilings = [backoff_delay(a, POLICY, rand=lambda: 1.0) for a in range(1, 10)]
    assert ceilings[:5] == [0.5, 1.0, 2.0, 4.0, 8.0]
    assert set(ceilings[5:]) == {POLICY.max_delay}


def test_backoff_is_jittered_within_half_to_full():
    delays = {backoff_delay(3, POLICY, rand=lambda r=r: r) for r in (0.0, 0.25, 0.5, 0.75)}
    assert len(delays) == 4
    assert min(delays) == 1.0 and max(delays) < 2.0


def test_rate_limited_backoff_waits_at_least_half_a_second_window():
    delay = backoff_delay(1, POLICY, error=TikTokRateLimited("slow down", code=40100), rand=lambda: 0.0)
    assert delay >= POLICY.rate_limited_delay / 2


# HTTP 429 Retry-After: honoured up to the policy's cap, as a pure decision.

def throttled(header):
    error = TikTokRateLimited("HTTP 429 without a TikTok envelope", http_status=429)
    error.retry_after_header = header
    return error


@pytest.mark.parametrize("header, expected", [
    ("7", 7.0), (" 0 ", 0.0), ("Sun, 06 Dec 2026 03:00:10 GMT", 10.0),
    ("Sun, 06 Dec 2026 02:59:00 GMT", 0.0), ("soon", None), ("", None), (None, None), ("-3", None),
])
def test_retry_after_is_read_as_seconds_or_an_http_date(header, expected):
    from email.utils import parsedate_to_datetime

    from server.tiktok.retry import retry_after_seconds
    now = parsedate_to_datetime("Sun, 06 Dec 2026 03:00:00 GMT").timestamp()
    assert retry_after_seconds(header, now=now) == expected


def test_a_429_waits_at_least_as_long_as_retry_after_asks():
    policy = RetryPolicy(max_attempts=4, base_delay=0.5, max_delay=8.0, max_retry_after=60.0)
    assert backoff_delay(1, policy, error=throttled("20"), rand=lambda: 0.0, now=0.0) == 20.0
    # Shorter than the backoff: the backoff stands.
    assert backoff_delay(1, policy, error=throttled("0"), rand=lambda: 0.0, now=0.0) == 0.5


def test_a_retry_after_beyond_the_cap_is_not_waited_for_in_place():
    policy = RetryPolicy(max_attempts=4, max_retry_after=60.0)
    assert should_retry(throttled("60"), 1, policy, now=0.0) is True
    assert should_retry(throttled("3600"), 1, policy, now=0.0) is False
    assert should_retry(throttled(None), 1, policy, now=0.0) is True


def test_the_client_sleeps_for_the_retry_after_of_a_429(tiktok_emulator, http, token):
    from server.tiktok import NullPacer, TikTokClient
    slept = []
    client = TikTokClient(http, base_url=tiktok_emulator.url, access_token=token, app_id=tiktok_emulator.app_id,
                          app_secret=tiktok_emulator.app_secret, timeout=(2.0, 2.0), pacer=NullPacer(),
                          retry=RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05, rate_limited_delay=0.01),
                          sleep=slept.append)
    tiktok_emulator.add_fault("http_error", path="bc/get/", status=429, retry_after=3, count=1)
    assert client.get("bc/get/")["list"]
    assert slept == [3.0]
    tiktok_emulator.add_fault("http_error", path="bc/get/", status=429, retry_after=7200, count=1)
    with pytest.raises(TikTokRateLimited):
        client.get("bc/get/")
    assert slept == [3.0]
