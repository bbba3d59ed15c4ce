"""A Pacer for one host without a broker: a SQLite file that every worker process opens, with
``BEGIN IMMEDIATE`` transactions making each check-and-record atomic."""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from pathlib import Path

from .pacing import Bucket, Pacer, RateLimits

_SCHEMA = """
CREATE TABLE IF NOT EXISTS hits (bucket TEXT NOT NULL, member TEXT NOT NULL, ts REAL NOT NULL);
CREATE INDEX IF NOT EXISTS hits_bucket_ts ON hits (bucket, ts);
CREATE INDEX IF NOT EXISTS hits_member ON hits (member);
CREATE TABLE IF NOT EXISTS leases (key TEXT PRIMARY KEY, token TEXT NOT NULL, expires REAL NOT NULL);
"""


class LocalPacer(Pacer):
    """Pacing shared by the processes of one host through ``<directory>/tiktok-pacer.sqlite3``;
    build with ``LocalPacer(directory, limits, namespace=app_id)``."""

    def __init__(self, directory: str | os.PathLike, limits: RateLimits | None = None, *,
                 namespace: str = "ttc", **kwargs):
        super().__init__(limits, namespace=namespace, **kwargs)
        self.path = Path(directory) / "tiktok-pacer.sqlite3"
        self._local = threading.local()
        self._opened: list[tuple[int, sqlite3.Connection]] = []
        self._opened_lock = threading.Lock()

    def close(self) -> None:
        """Close the connections this process opened."""
        with self._opened_lock:
            mine = [c for pid, c in self._opened if pid == os.getpid()]
            self._opened = []
        for conn in mine:
            conn.close()
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        # One connection per process and thread: a connection inherited through fork is unsafe.
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            # Switching to WAL does not wait on a busy database, so processes opening the file
            # at the same moment take turns through a lock file.
            with open(self.path.with_suffix(".lock"), "a") as guard:
                fcntl.flock(guard, fcntl.LOCK_EX)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(_SCHEMA)
            # Pacing state is worthless after a crash, so durability is not worth an fsync.
            conn.execute("PRAGMA synchronous=OFF")
            self._local.conn, self._local.pid = conn, os.getpid()
            with self._opened_lock:
                self._opened.append((os.getpid(), conn))
        return conn

    def _transaction(self, work):
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = work(conn, time.time())
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result

    def _take(self, buckets: list[Bucket], member: str, hold: float) -> float:
        def work(conn, now):
            wait = 0.0
            for b in buckets:
                conn.execute("DELETE FROM hits WHERE bucket = ? AND ts <= ?", (b.key, now - b.window))
                (count,) = conn.execute("SELECT COUNT(*) FROM hits WHERE bucket = ?", (b.key,)).fetchone()
                if count >= b.limit:
                    (first,) = conn.execute(
                        "SELECT ts FROM hits WHERE bucket = ? ORDER BY ts LIMIT 1 OFFSET ?",
                        (b.key, count - b.limit)).fetchone()
                    # An entry still in flight (stamped in the future) frees up when answered.
                    wait = max(wait, first + b.window - now if first <= now else self.in_flight_poll)
            if wait > 0:
                return wait
            conn.executemany("INSERT INTO hits (bucket, member, ts) VALUES (?, ?, ?)",
                             [(b.key, member, now + hold) for b in buckets])
            return 0.0
        return self._transaction(work)

    def _commit(self, buckets: list[Bucket], member: str) -> None:
        self._transaction(lambda conn, now: conn.executemany(
            "UPDATE hits SET ts = ? WHERE bucket = ? AND member = ?", [(now, b.key, member) for b in buckets]))

    def _try_lease(self, key: str, token: str, ttl: float) -> bool:
        def work(conn, now):
            row = conn.execute("SELECT expires FROM leases WHERE key = ?", (key,)).fetchone()
            if row is not None and row[0] > now:
                return False
            conn.execute("INSERT OR REPLACE INTO leases (key, token, expires) VALUES (?, ?, ?)",
                         (key, token, now + ttl))
            return True
        return self._transaction(work)

    def _release(self, key: str, token: str) -> None:
        self._transaction(lambda conn, now: conn.execute(
            "DELETE FROM leases WHERE key = ? AND token = ?", (key, token)))
