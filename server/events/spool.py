"""Group writes: the collector hands each accepted beacon to the spool, whose writer reads them and
appends them to the stores' buffers (``event_batches``) once per interval, kicking one relay job per
store.

With ``interval`` 0 every event is written before its 204 (one transaction per event). With an
interval (the default, 250 ms), a worker answers at once and writes what it gathered each
interval: far fewer transactions, at the price of losing at most one interval of accepted events
if the process is killed outright (a graceful stop writes them first). A beacon is fire-and-forget
on the browser's side too: the trade is the same one the browser already makes.
"""
import atexit
import logging
import os
import threading
import weakref

from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)
_SPOOLS = weakref.WeakSet()  # every spool of this process, told when the process forks


def _forked():
    # The flusher thread does not survive a fork (gunicorn workers): each child starts its own on
    # its first row. Told once per fork here, so taking a row needs no getpid() system call.
    for spool in list(_SPOOLS):
        spool._running = False


os.register_at_fork(after_in_child=_forked)


class Spool:
    """Rows waiting to be written; ``write(rows)`` does the writing (in an app context)."""

    def __init__(self, write, *, interval, limit=20_000):
        self.write = write
        self.interval = interval
        self.limit = limit  # rows kept while the database is unreachable; later ones are refused
        self._rows = []
        self._lock = threading.Lock()
        self._pid = None
        self._running = False  # this process has its flusher thread
        self._stop = threading.Event()
        _SPOOLS.add(self)

    def add(self, row):
        """Take one row; False when it cannot be kept (the database is down and the spool is full)."""
        if self.interval <= 0:
            return self._write([row])
        with self._lock:
            if len(self._rows) >= self.limit:
                return False
            self._rows.append(row)
        if not self._running:
            self._start()
        return True

    def flush(self):
        """Write what is waiting now; returns how many rows were written."""
        with self._lock:
            rows, self._rows = self._rows, []
        if not rows:
            return 0
        if self._write(rows):
            return len(rows)
        with self._lock:  # keep them for the next try, oldest first, within the limit
            self._rows = (rows + self._rows)[: self.limit]
        return 0

    def pending(self):
        """How many rows wait in memory."""
        return len(self._rows)

    def stop(self):
        """Stop the flusher thread after a last flush (tests, shutdown)."""
        self._stop.set()
        self.flush()

    def _write(self, rows):
        try:
            self.write(rows)
        except SQLAlchemyError:
            log.exception("could not write %d server events; keeping them in memory", len(rows))
            return False
        return True

    def _start(self):
        # A thread per process: after a fork (gunicorn workers) the parent's thread is not there.
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid, self._running = os.getpid(), True
            self._stop.clear()
        threading.Thread(target=self._run, name="ttc-events-spool", daemon=True).start()
        atexit.register(self.flush)

    def _run(self):
        while not self._stop.wait(self.interval):
            try:
                self.flush()
            except Exception:  # the outer edge of the flusher thread: it must keep running
                log.exception("server events spool flush failed")
