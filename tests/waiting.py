"""One way for a test to wait for what another thread or process does."""
import time


def wait_until(predicate, timeout=30.0, interval=0.05, message="the condition never became true"):
    """Call ``predicate`` until it returns a truthy value, and return that value.

    After ``timeout`` seconds the test fails with ``message`` (text, or a function giving it, called
    only then) and the predicate's last value. A guard against hanging, not a measure of speed."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            said = message() if callable(message) else message
            raise AssertionError(f"{said} (waited {timeout:g} s; last value: {value!r})")
        time.sleep(interval)
