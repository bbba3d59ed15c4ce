"""A big feed read and prepared in a second process while the importing one writes to the database.

Reading, normalizing, checking and mapping a product costs about as much as storing it, and one
Python process does one at a time. With two cores, an import hands the feed's bytes to a worker
(this module's ``main``, in a new Python process) that reads and prepares the items, and only stores
what comes back: the two halves run side by side.

The worker is a child of the importing process, wherever that runs (the command line, the
server's job thread, a Celery worker); it gets the feed on its standard input, after a frame with
the store's terms, and answers with frames of entries, then an end or the feed's error. It reads
every item and prepares as many as it can while the importer is busy; the importer prepares the
rest (only those that changed), so the two share the work whatever the feed's format.
Nothing it sends is acted on before the importer has it whole, and a feed is only taken as
complete when the worker read it to its end and the importer's source had no error: a worker
that dies, or a download that breaks, fails the import and removes nothing.
"""
import fcntl
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import termios
import threading
from dataclasses import astuple
from pathlib import Path

from server.catalog.checks.fields import MalformedItem, item_sku, source_hash
from server.catalog.checks.limits import FeedLimits
from server.catalog.checks.prepared import StoreTerms, prepare
from server.catalog.errors import CatalogError
from server.catalog.intake.feeds import FeedError, read_feed

FRAME = struct.Struct("!I")
BATCH = 1000  # entries per frame: one database chunk of the importer
BATCH_TEXT = 32 << 20  # characters of item text per frame at most: big items come in smaller frames
PIPE_BYTES = 1 << 20  # lets the worker run about one frame ahead of the importer
FEED_CHUNK = 1 << 20  # one write per GIL turn of the feeding thread: a big one
ROOT = Path(__file__).resolve().parents[3]
# The worker needs only the modules that read and check a feed. It starts with ``server.catalog`` as
# a bare package, so the package's __init__ (the pages, the API and the jobs it wires into an app)
# is not loaded: the worker holds about half the memory the whole package would take.
WORKER_START = ("import sys, types\n"
                "catalog = types.ModuleType('server.catalog')\n"
                f"catalog.__path__ = [{str(ROOT / 'server' / 'catalog')!r}]\n"
                "sys.modules['server.catalog'] = catalog\n"
                "from server.catalog.intake.feed_worker import main\n"
                "main()\n")


class WorkerFailed(CatalogError, RuntimeError):
    """Raised when the feed worker stopped without finishing (killed, out of memory, a bug)."""


def _send(out, kind, value):
    data = pickle.dumps((kind, value), protocol=pickle.HIGHEST_PROTOCOL)
    out.write(FRAME.pack(len(data)))
    out.write(data)
    out.flush()


def _receive(source):
    """The next (kind, value) frame, or None at the end of the stream."""
    header = source.read(FRAME.size)
    if len(header) < FRAME.size:
        return None
    (size,) = FRAME.unpack(header)
    data = source.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)


# --- in the worker --------------------------------------------------------------------------------

def main():
    """Read terms and then a feed on stdin; write frames of entries on stdout."""
    source, out = sys.stdin.buffer, sys.stdout.buffer
    _, (terms, limits) = _receive(source)
    terms, limits = StoreTerms(*terms), FeedLimits(*limits)
    notices = []

    def send(entries):
        # Prepare items while the importer is still busy with the last frame; once it has taken
        # everything (it waits), send at once: it prepares the rest itself. Neither side idles.
        for index, (position, sku, digest, raw) in enumerate(entries):
            if index % 50 == 0 and not _unread(out):
                break
            if digest is not None:
                try:
                    entries[index] = (position, sku, digest, prepare(raw, terms))
                except MalformedItem as error:
                    entries[index] = (position, sku, digest, str(error))
        _send(out, "entries", entries)

    try:
        for entries in batches(read_feed(source, limits, notices), BATCH):
            send(entries)
    except FeedError as error:  # the import fails as a whole: what was read before is of no use
        _send(out, "failed", str(error))
        return
    _send(out, "notices", notices)
    _send(out, "end", None)


def batches(items, size):
    """Lists of intake entries (see ``entry``) for ``FeedItem``s: ``size`` of them, or fewer big
    ones (``BATCH_TEXT`` characters at most), so memory does not grow with the items' size."""
    entries, text = [], 0
    for item in items:
        entries.append(entry(item))
        if item.fields:
            text += sum(len(value) if value.__class__ is str else sum(map(len, value))
                        for value in item.fields.values())
        if len(entries) >= size or text > BATCH_TEXT:
            yield entries
            entries, text = [], 0
    yield entries


def entry(item):
    """A ``FeedItem`` as an intake entry: (position, sku, source hash, raw fields), or (position,
    the id it showed, None, why it was refused) when it has no usable id or could not be read."""
    if item.error:
        return item.position, (item.fields or {}).get("id"), None, item.error
    try:
        return item.position, item_sku(item.fields), source_hash(item.fields), item.fields
    except MalformedItem as error:
        return item.position, None, None, str(error)


def _unread(out):
    """Bytes written to ``out`` (a pipe) that its reader has not taken yet."""
    return struct.unpack("i", fcntl.ioctl(out.fileno(), termios.FIONREAD, b"\0\0\0\0"))[0]


# --- in the importing process ---------------------------------------------------------------------

def wanted(mode, feed_bytes, threshold, cores):
    """Whether a feed is read by a worker. ``mode`` is TTC_CATALOG_IMPORT_WORKER: "always", "never",
    or "auto": only for a feed of at least ``threshold`` bytes (``feed_bytes``: how many its start
    held, read up to the threshold) and with two cores or more (with one, there is nothing to gain)."""
    return mode == "always" or (mode == "auto" and feed_bytes >= threshold and cores >= 2)


def prepared_batches(stream, terms, *, head=b"", limits, notices=None):
    """Yield lists of entries (see ``Intake.add_entries``) for the feed ``head`` + ``stream``, read
    under ``limits`` (``FeedLimits``); what the reader noticed is appended to ``notices``.

    Raises the feed's ``FeedError``, the source's own error if reading ``stream`` failed, or
    ``WorkerFailed``; the worker is stopped whenever the caller stops early.
    """
    with tempfile.TemporaryFile() as errors:
        worker = subprocess.Popen([sys.executable, "-c", WORKER_START], cwd=ROOT,
                                  env=_worker_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors)
        _widen(worker.stdout)
        _widen(worker.stdin)
        feeder = _Feeder(worker.stdin, stream, head, (tuple(terms), astuple(limits)))
        try:
            while True:
                frame = _receive(worker.stdout)
                if frame is None:  # the worker died: a broken source may have been why
                    raise feeder.source_error(timeout=5) or WorkerFailed(_failure(worker, errors))
                kind, value = frame
                if kind == "entries":
                    if value:
                        yield value
                    continue
                if kind == "notices":
                    if notices is not None:
                        notices.extend(value)
                    continue
                error = feeder.source_error()
                if error is not None:  # the worker saw a short feed: the download broke
                    raise error
                if kind == "failed":
                    raise FeedError(value)
                return
        finally:
            if worker.poll() is None:
                worker.kill()
            worker.wait()
            worker.stdout.close()
            feeder.join(timeout=5)


class _Feeder(threading.Thread):
    """Copies the terms and the feed into the worker's stdin (reading the source may block)."""

    def __init__(self, pipe, stream, head, terms):
        super().__init__(name="feed-worker-input", daemon=True)
        self.pipe, self.stream, self.head, self.terms = pipe, stream, head, terms  # terms: (store's, limits)
        self.error = None  # what reading the source raised: the feed is not complete
        self.start()

    def run(self):
        try:
            _send(self.pipe, "terms", self.terms)
            if self.head:
                self.pipe.write(self.head)
            while True:
                try:
                    chunk = self.stream.read(FEED_CHUNK)
                except BaseException as error:
                    self.error = error
                    return
                if not chunk:
                    return
                self.pipe.write(chunk)
        except (OSError, ValueError):
            pass  # the worker stopped, or was stopped: the importer says why
        finally:
            try:
                self.pipe.close()
            except OSError:
                pass

    def source_error(self, timeout=None):
        """Wait for the source to be read (up to ``timeout``); what reading it raised, if anything."""
        self.join(timeout)
        return self.error


def _worker_env():
    """The worker's environment: ours without the application's settings (it needs none)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("TTC_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _widen(pipe):
    try:
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (AttributeError, OSError):
        pass  # not Linux, or above the system's limit: the default size works, only slower


def _failure(worker, errors):
    status = worker.wait()
    errors.seek(0)
    lines = errors.read()[-4000:].decode("utf-8", "replace").strip().splitlines()
    last = lines[-1] if lines else "no message"
    how = f"was killed by signal {-status}" if status < 0 else f"exited with status {status}"
    return f"the feed worker {how} before the end of the feed ({last}); nothing was removed"


if __name__ == "__main__":
    main()
