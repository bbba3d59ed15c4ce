"""Many safe replacements in flight at once, each reported when done.

A file's replacement (files.write_atomic: temp file, fdatasync, rename) mostly waits on the disk,
so several are kept in flight and the journal batches their flushes. Where ``_fastio`` is built
they run on its native threads, which never take Python's interpreter lock: the thread that
examines, plans and splices the folder keeps its core to itself, and no hand-over of the lock is
paid per file. Elsewhere (no C compiler on install, or a backup asked for) Python threads call
files.write_atomic. Either way the queue is bounded, so memory stays flat however many files
change, and each file's outcome comes back by its token: None, or what went wrong.

Where the machine lets it (Linux, two CPUs or more allowed), a Writer asked to ``place`` its
threads keeps the calling thread on one CPU and its threads on the others while it is open. Left
to the scheduler, a writer woken by the disk would preempt the thread feeding the queue, about
once a file, and the two would keep trading cores and caches: on two cores that cost apply a
quarter of its speed (bench/FINDINGS.md).
"""
import collections
import contextlib
import os
import queue
import threading

from . import files
from .errors import FileError

THREADS = 16  # fsync waits on the disk; several in flight let the journal batch them
QUEUED = 2 * THREADS  # files waiting for a thread, their new bytes held meanwhile


class Writer:
    """Replaces files on several threads; ``finished`` hands back (token, problem or None)."""

    def __init__(self, backup: str | None = None, threads: int = THREADS, capacity: int = QUEUED, place=True):
        self.backup = backup
        self._restore, cpus = _place_caller() if place else (None, None)
        try:
            compiled = files._fastio is not None and backup is None
            self._native = files._fastio.Writer(threads, capacity, cpus) if compiled else None
            self._python = None if compiled else _PythonWriter(threads, capacity, cpus)
        except BaseException:
            self._unplace()
            raise
        self._paths = {}  # token -> path, while in flight
        self.folders = set()  # every folder a file was replaced in

    def submit(self, token: int, path: str, data: bytes, signature: tuple, rel: str = "") -> None:
        """Queue one replacement (waits while the queue is full). ``rel`` names the backup copy."""
        self._paths[token] = path
        if self._native is not None:
            self._native.submit(token, path, data, signature)
        else:
            backup = os.path.join(self.backup, *rel.split("/")) if self.backup else None
            self._python.submit(token, path, data, signature, backup)

    def finished(self) -> list:
        """[(token, problem or None)] for the replacements done since the last call; never waits."""
        done = self._native.finished() if self._native is not None else self._python.finished()
        return [self._outcome(*result) for result in done]

    def close(self) -> list:
        """Wait for every queued replacement; returns what ``finished`` would, then syncs each
        folder written in once, so the renames survive a power cut."""
        try:
            done = self._native.close() if self._native is not None else self._python.close()
            return [self._outcome(*result) for result in done]
        finally:
            self._unplace()
            files.sync_directories(self.folders)

    def _unplace(self):
        """Give the calling thread back the CPUs it had (close from the thread that opened it)."""
        if self._restore is not None:
            with contextlib.suppress(OSError):  # a CPU taken offline meanwhile: the run still succeeded
                os.sched_setaffinity(0, self._restore)
            self._restore = None

    def _outcome(self, token, status, error=0):
        path = self._paths.pop(token)
        if self._native is None:  # the Python threads report the problem itself
            problem = status
        elif status == files._fastio.REPLACED:
            problem = None
        elif status == files._fastio.CHANGED:
            problem = files.CHANGED
        elif status == files._fastio.TEMP_TAKEN:
            problem = files.NO_TEMP_NAME
        else:
            problem = f"cannot write: {os.strerror(error)}"
        if problem is None:
            self.folders.add(os.path.dirname(path))
        return token, problem


def _place_caller():
    """(the CPUs the calling thread had, the CPUs for the writer's threads), after keeping the
    calling thread on one of them; (None, None) where there are not two to share or it cannot."""
    try:
        allowed = os.sched_getaffinity(0)
        if len(allowed) < 2:
            return None, None
        os.sched_setaffinity(0, {min(allowed)})
    except (AttributeError, OSError):  # not Linux, or not allowed here
        return None, None
    return allowed, sorted(allowed - {min(allowed)})


class _PythonWriter:
    """The same on Python threads calling files.write_atomic. Anything but a FileError raised in a
    thread (a bug, not a file's problem) is raised again in the caller's thread."""

    def __init__(self, threads, capacity, cpus=None):
        self.cpus = cpus
        self.queue = queue.Queue(capacity)
        self.done = collections.deque()
        self.failures = []
        self.threads = [threading.Thread(target=self._work, name=f"injector-writer-{n}", daemon=True)
                        for n in range(threads)]
        for thread in self.threads:
            thread.start()

    def submit(self, token, path, data, signature, backup):
        self._raise_failure()
        self.queue.put((token, path, data, signature, backup))

    def finished(self):
        self._raise_failure()
        done = []
        while self.done:
            done.append(self.done.popleft())
        return done

    def close(self):
        for _thread in self.threads:
            self.queue.put(None)
        for thread in self.threads:
            thread.join()
        return self.finished()

    def _work(self):
        if self.cpus:
            with contextlib.suppress(OSError):
                os.sched_setaffinity(0, self.cpus)
        while (item := self.queue.get()) is not None:
            token, path, data, signature, backup = item
            problem = None
            try:
                files.write_atomic(path, data, signature, backup)
            except FileError as exc:
                problem = str(exc)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                self.failures.append(exc)
                problem = "not written"
            self.done.append((token, problem))

    def _raise_failure(self):
        if self.failures:
            raise self.failures[0]
