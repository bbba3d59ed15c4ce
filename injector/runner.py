"""One run of apply, remove or status over a template folder.

The walk's entries go to the run's ledger (injector.ledger, on disk), which numbers them in sorted
order. Each file is then read and examined into small Facts (in worker processes on a large
folder) and planned as soon as nothing still unexamined can change its plan; a file that changes
is re-read, spliced and written atomically there and then (several at once, since fsync waits on
the disk), so reading and classifying overlap the writes. What the run keeps of each file (its
entry, what the planner needs, its row of the table) stays in the ledger: memory does not grow
with the folder.
"""
import collections
import contextlib
import functools
import itertools
import os
import queue
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from snippets import SNIPPET_VERSION, SnippetError, render_event, render_head

from . import classify, files
from .classify import Facts, Settings
from .edit import changes, converge, decide
from .errors import FileError, InjectorError, UsageError
from .ledger import Ledger
from .markers import find_blocks, make_snippet
from .scan import scan

POOL_MIN_FILES = 256
MAX_EXAMINE_WORKERS = 4
EXAMINE_CHUNK = 32
EXAMINE_WINDOW = 8  # chunks in flight per examining process
PARENT_POLL_SECONDS = 0.2
WRITE_THREADS = 16  # fsync waits on the disk; several in flight let the journal batch them
WRITE_QUEUE = 4 * WRITE_THREADS  # files waiting for a writer thread (a queued file holds no bytes yet):
# enough that they do not run dry while the main thread waits for the interpreter lock
EVENT_BLOCKS = (("view-content", "ViewContent"), ("add-to-cart", "AddToCart"), ("order", "PlaceAnOrder"))


@dataclass(frozen=True, slots=True)
class Options:
    """How to run: what to write, where, and what to show."""

    root: str
    settings: Settings
    store: str | None = None
    server: str | None = None
    write: bool = True  # False for --dry-run, --diff, --check and status
    selection: files.Selection = field(default_factory=files.Selection)
    backup: str | None = None
    on_diff: object = None  # callable(rel, old bytes, new bytes) for --diff
    on_progress: object = None  # callable(done, total)
    jobs: int | None = None  # processes examining files; None: automatic


@dataclass(slots=True)
class Row:
    """One line of the summary table."""

    rel: str
    kind: str
    change: str = ""  # "+head +view-content", "~head", "-order" ... or what is installed (status)
    note: str = ""
    problem: str = ""
    changed: bool = False


class Outcome:
    """What a run did: its rows (read from the run's ledger, in the table's order) and totals."""

    def __init__(self, ledger, stale_temps_removed=0):
        self.ledger = ledger
        self.stale_temps_removed = stale_temps_removed
        self.total, self.changed, self.problems = ledger.totals()  # files, changed, with a problem

    @property
    def rows(self):
        """Every file's Row, in the table's order (read afresh each time)."""
        return (Row(*found) for found in self.ledger.rows())

    def close(self):
        """Drop the run's ledger."""
        self.ledger.close()


def build_snippets(platform: str, store: str | None, server: str | None) -> dict:
    """Block name -> Snippet for this store and platform (events only where they are complete)."""
    try:
        found = {}
        if store is not None and server is not None:
            found["head"] = make_snippet("head", SNIPPET_VERSION, render_head(store, server), store)
        if platform == "vtex-legacy":
            # Generic event snippets hold placeholders a developer fills in: never injected.
            for name, event in EVENT_BLOCKS:
                found[name] = make_snippet(name, SNIPPET_VERSION, render_event(event, platform))
    except SnippetError as exc:
        raise UsageError(str(exc)) from exc
    return found


def run(options: Options) -> Outcome:
    """Walk, examine and plan every file, writing each as soon as its plan is final (unless it is a
    dry run); returns the Outcome, which the caller reads and then closes."""
    if not os.path.isdir(options.root):
        raise UsageError(f"{options.root} is not a folder")
    by_name = build_snippets(options.settings.platform, options.store, options.server)
    ledger = Ledger()
    try:
        stale = []
        ledger.add_entries(files.walk(options.root, options.selection, stale))
        _check_head_template(ledger, by_name, options)
        removed = files.remove_stale_temps(stale) if options.write else 0
        _plan_and_write(ledger, by_name, options)
        return Outcome(ledger, stale_temps_removed=removed)
    except BaseException:
        ledger.close()
        raise


def _plan_and_write(ledger, by_name, options):
    """Each file is planned as soon as nothing still unexamined can change its plan, and written
    then (apply, remove), so reading and classifying overlap the disk's fsyncs. --diff shows its
    diffs once the folder is planned, in the table's order."""
    planner = classify.FolderPlanner(options.settings, ledger)
    with _Writer(options, ledger) as writer:
        for number, entry, facts in _examined(ledger, by_name, options):
            for ready, wanted in planner.add(facts):
                at, where = (number, entry) if ready is facts else ledger.entry(ready.rel)
                row, names = _plan_row(ready, wanted, options)
                if not row.changed or not (options.write or options.on_diff):
                    ledger.add_row(at, row)
                    continue
                job = (row, where, ready, {name: by_name[name] for name in names}, wanted)
                if options.write:
                    writer.submit(at, job)
                else:
                    ledger.defer(at, job)
    if planner.waiting():  # cannot happen: every template id waited for is examined by now
        raise InjectorError("some files were never planned")
    for number, job in ledger.deferred():  # --diff: compute, show, write nothing
        _rewrite_one(job, options)
        ledger.add_row(number, job[0])


def _examined(ledger, snippets, options):
    """(number, Entry, Facts) for each file, in the table's order, reporting progress."""
    examine = functools.partial(examine_entry, snippets=snippets, max_bytes=options.selection.max_bytes)
    workers = _workers(options.jobs, ledger.count)
    with contextlib.ExitStack() as stack:
        if workers > 1:
            # Examining is pure and CPU-bound: on a large folder, spread it over the cores.
            pool = ProcessPoolExecutor(workers, initializer=_leave_with, initargs=(os.getpid(),))
            stack.enter_context(pool)
            results = _in_chunks(pool, examine, ledger.entries(), window=EXAMINE_WINDOW * workers)
        else:
            results = ((number, entry, examine(entry)) for number, entry in ledger.entries())
        for done, result in enumerate(results, 1):
            if options.on_progress:
                options.on_progress(done, ledger.count)
            yield result


def _in_chunks(pool, examine, numbered, window):
    """Examine in the pool a chunk of files at a time, at most ``window`` chunks in flight (an
    executor's map would queue the whole folder at once); results in order."""
    pending = collections.deque()
    chunk = []
    for item in itertools.chain(numbered, [None]):
        if item is not None:
            chunk.append(item)
            if len(chunk) < EXAMINE_CHUNK:
                continue
        if chunk:
            pending.append((chunk, pool.submit(_examine_all, examine, [entry for _n, entry in chunk])))
            chunk = []
        while pending and (len(pending) >= window or item is None):
            done, future = pending.popleft()
            for (number, entry), facts in zip(done, future.result(), strict=True):
                yield number, entry, facts


def _examine_all(examine, entries):
    return [examine(entry) for entry in entries]


def examine_entry(entry, snippets, max_bytes):
    """Facts for one walked entry: read it (unless it is skipped) and examine its bytes."""
    if entry.skip_kind:
        return classify.skipped(entry.rel, entry.skip_kind, entry.reason)
    try:
        data, signature = files.read(entry.path, max_bytes)
    except FileError as exc:
        return Facts(rel=entry.rel, kind=classify.SKIPPED, problem=str(exc))
    return classify.examine(entry.rel, data, snippets, signature)


def _leave_with(parent):
    """In a pool worker: exit as soon as the command line process is gone (even if killed -9).

    A forked worker holds both ends of its task pipe, so it would otherwise wait forever.
    """
    def watch():
        """Poll for the parent; a changed parent id means it died and we were adopted."""
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _workers(jobs, count):
    if jobs is None:  # automatic: only where a pool pays for its start
        jobs = min(MAX_EXAMINE_WORKERS, os.cpu_count() or 1) if count >= POOL_MIN_FILES else 1
    return max(1, jobs)


def _check_head_template(ledger, snippets, options):
    """A bad --head-template stops the run before anything is written."""
    name = options.settings.head_template
    if name is None:
        return
    found = ledger.entry(name)
    if found is None:
        raise UsageError(f"--head-template {name}: no such template in the folder")
    facts = examine_entry(found[1], snippets, options.selection.max_bytes)
    if facts.kind in classify.UNTOUCHED_KINDS:
        raise UsageError(f"--head-template {name}: {facts.reason or facts.kind}")


def _plan_row(facts, wanted, options):
    row = Row(rel=facts.rel, kind=wanted.kind, note=wanted.note, problem=wanted.problem or facts.problem)
    existing = [(block[0], _is_current(block, options)) for block in facts.blocks]
    if options.settings.command == "status":
        row.change = ", ".join(_describe(block) for block in facts.blocks)
    if wanted.names is None:
        return row, ()
    actions, inserts = decide(existing, wanted.names)
    todo = changes(existing, actions, inserts)
    if options.settings.command == "status":
        row.changed = bool(todo)
        if todo:
            row.note = _join(row.note, "apply would: " + " ".join(todo))
    else:
        row.change = " ".join(todo)
        row.changed = bool(todo)
    return row, wanted.names


def _is_current(block, options):
    name, version, store, exact = block
    if options.store is not None and options.server is not None:
        return exact
    # status without --store/--server: current means this snippet version (and store, if given)
    return version == SNIPPET_VERSION and (name != "head" or options.store in (None, store))


def _describe(block):
    name, version, store, _ = block
    return f"{name} v{version}" + (f" (store {store})" if store else "")


def _join(*parts):
    return "; ".join(part for part in parts if part)


class _Writer:
    """Writes files on a few threads (fsync waits on the disk), each taking the next file from a
    bounded queue so memory stays flat however many change; hands each written file's row to the
    ledger; on leaving, fsyncs each folder written in, once.

    A thread takes the next file as soon as it is done with one: one slow fsync never leaves the
    others idle. No future, lock or condition is made per file."""

    def __init__(self, options, ledger):
        self.options = options
        self.ledger = ledger
        self.queue = queue.Queue(WRITE_QUEUE)
        self.threads = []  # started with the first file to write
        self.folders = set()
        self.failures = []
        self.finished = collections.deque()  # (number, Row) written, for the ledger (main thread only)

    def __enter__(self):
        return self

    def submit(self, number, job):
        """Queue one file's rewrite; waits while the queue is full."""
        if self.failures:
            raise self.failures[0]
        if not self.threads:
            self.threads = [threading.Thread(target=self._work, name=f"injector-writer-{n}")
                            for n in range(WRITE_THREADS)]
            for thread in self.threads:
                thread.start()
        self._record()
        try:
            self.queue.put_nowait((number, job))
        except queue.Full:  # every thread is busy: read the next entries meanwhile, then wait
            self.ledger.read_ahead()
            self.queue.put((number, job))

    def _work(self):
        while (item := self.queue.get()) is not None:
            number, job = item
            try:
                path = _rewrite_one(job, self.options)
                if path:
                    self.folders.add(os.path.dirname(path))
            except BaseException as exc:  # not a file's problem (those are rows): handed to the main thread
                self.failures.append(exc)
            finally:
                self.finished.append((number, job[0]))

    def _record(self):
        while self.finished:
            self.ledger.add_row(*self.finished.popleft())

    def __exit__(self, *exc_info):
        try:
            for _thread in self.threads:
                self.queue.put(None)
            for thread in self.threads:
                thread.join()
        finally:
            files.sync_directories(self.folders)
        self._record()
        if self.failures and exc_info[0] is None:
            raise self.failures[0]
        return False


def _offsets_hold(data, blocks, anchors):
    """True when the offsets found when the file was first read still point at the same things."""
    head, body = anchors
    return (
        (head is None or data[head : head + 6].lower() == b"</head")
        and (body is None or data[body : body + 6].lower() == b"</body")
        and all(data.startswith(b"<!-- tiktok-connector:", block.start) for block in blocks)
    )


def _rewrite_one(job, options):
    row, entry, facts, snippets, wanted = job
    try:
        data, signature = files.read(entry.path, options.selection.max_bytes)
        if signature != facts.signature:  # inode, size, mtime and mode as first read
            raise FileError("changed while the injector was running: not written")
        blocks, anchors = facts.marks, facts.anchors
        if not _offsets_hold(data, blocks, anchors):  # belt and braces: scan again
            found = scan(data)
            blocks, anchors = find_blocks(data, found.comment_starts), (found.head_close, found.body_close)
        new, done = converge(data, blocks, snippets, wanted.head_at_end, anchors)
        row.change = " ".join(done)
        row.changed = new != data
        if not row.changed:
            return None
        if options.on_diff:
            options.on_diff(entry.rel, data, new)
        if options.write:
            backup = os.path.join(options.backup, *entry.rel.split("/")) if options.backup else None
            files.write_atomic(entry.path, new, signature, backup)
            return entry.path
    except InjectorError as exc:
        row.problem = str(exc)
        row.changed = False
    return None
