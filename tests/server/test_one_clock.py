"""One clock: every module reads the time and normalises stored times the same way."""
import ast
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from server import clock
from server.jobs import queue

SERVER = Path(__file__).resolve().parents[2] / "server"


def test_only_the_clock_module_defines_the_time_helpers():
    defined = []
    for path in SERVER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef) and node.name in ("utcnow", "as_utc"):
                defined.append(f"{path.relative_to(SERVER.parent)}:{node.lineno} {node.name}")
    assert sorted(defined) == ["server/clock.py:10 as_utc", "server/clock.py:5 utcnow"], defined


def test_the_job_queue_converts_an_aware_time_to_utc():
    # A lease or run_after written by a client in another zone is the same instant, told in UTC.
    paris = datetime(2026, 12, 6, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    converted = queue.as_utc(paris)
    assert converted.utcoffset() == timedelta(0)
    assert converted == paris and converted.hour == 9


def test_a_naive_time_from_sqlite_is_taken_as_utc():
    naive = datetime(2026, 12, 6, 9, 0)
    assert clock.as_utc(naive) == datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    assert clock.utcnow().utcoffset() == timedelta(0)
