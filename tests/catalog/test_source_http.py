"""The pure parts of talking to a platform: when to retry, how long to wait, how requests are paced."""
from server.catalog.sources.http import Pacer, retry_wait, should_retry


def test_retries_429_5xx_and_no_answer_but_not_auth_or_bad_requests():
    assert should_retry(429, 1) and should_retry(503, 5) and should_retry(None, 1)
    assert not should_retry(503, 6) and not should_retry(401, 1) and not should_retry(400, 1)


def test_waits_as_told_by_retry_after_capped_else_doubling():
    assert retry_wait(1, "7") == 7.0 and retry_wait(1, "3600") == 60.0
    assert retry_wait(3, None, base=1.0, rand=lambda: 0.5) == 4.0
    assert retry_wait(2, "Wed, 21 Oct 2026 07:28:00 GMT", base=1.0, rand=lambda: 0.5) == 2.0


class FakeClock:
    def __init__(self):
        self.now, self.slept = 100.0, []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(round(seconds, 3))
        self.now += seconds


def test_the_pacer_spaces_requests_and_makes_up_a_short_delay():
    clock = FakeClock()
    pacer = Pacer(600, clock=clock, sleep=clock.sleep)  # one request every 0.1 s
    for _ in range(3):
        pacer.wait()
    assert clock.slept == [0.1, 0.1]
    clock.now += 0.35  # the caller was busy: what it owes goes at once, then the pace resumes
    for _ in range(4):
        pacer.wait()
    assert clock.slept == [0.1, 0.1, 0.05]
    clock.now += 5  # a long pause is not a licence for a burst: at most half a second is made up
    for _ in range(7):
        pacer.wait()
    assert clock.slept[3:] == [0.1]  # six at once (half a second of them), then the pace
