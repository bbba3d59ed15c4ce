"""One run of apply, remove or status over a template folder.

The walk's entries go to the run's ledger (injector.ledger, on disk), which numbers them in sorted
order. Each file is then read and examined into small Facts (in worker processes on a large
folder) and planned as soon as nothing still unexamined can change its plan; a file that changes
is spliced there and then (from the bytes just examined, or read again) and its new bytes handed
to the writer (injector.writer), which replaces several at once, since fsync waits on the disk: so
reading and classifying overlap the writes. What the run keeps of each file (its
entry, what the planner needs, its row of the table) stays in the ledger: memory does not grow
with the folder.
"""
import collections
import contextlib
import functools
import itertools
import os
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
from .writer import Writer

POOL_MIN_FILES = 256
MAX_EXAMINE_WORKERS = 4
EXAMINE_CHUNK = 32
EXAMINE_WINDOW = 8  # chunks in flight per examining process
PARENT_POLL_SECONDS = 0.2
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
    """Each file is planned as soon as nothing still unexamined can change its plan, and spliced
    and handed to the writer then (apply, remove), so reading and classifying overlap the disk's
    fsyncs. --diff shows its diffs once the folder is planned, in the table's order."""
    planner = classify.FolderPlanner(options.settings, ledger)
    workers = _workers(options.jobs, ledger.count, options.write)
    # Examined in this process, the writer's threads get the other CPUs to themselves (injector.writer).
    with _Rewriter(options, ledger, place=workers == 1) as rewriter:
        for number, entry, facts, data in _examined(ledger, by_name, options, workers):
            for ready, wanted in planner.add(facts):
                fresh = ready is facts
                at, where = (number, entry) if fresh else ledger.entry(ready.rel)
                row, names = _plan_row(ready, wanted, options)
                if not row.changed or not (options.write or options.on_diff):
                    ledger.add_row(at, row)
                    continue
                job = (row, where, ready, {name: by_name[name] for name in names}, wanted)
                if options.write:
                    rewriter.rewrite(at, job, data if fresh else None)
                else:
                    ledger.defer(at, job)
    if planner.waiting():  # cannot happen: every template id waited for is examined by now
        raise InjectorError("some files were never planned")
    for number, job in ledger.deferred():  # --diff: compute, show, write nothing
        _spliced(job, options)
        ledger.add_row(number, job[0])


def _examined(ledger, snippets, options, workers):
    """(number, Entry, Facts, bytes or None) for each file, in the table's order, reporting
    progress; the bytes as read come along where the file was examined in this process."""
    max_bytes = options.selection.max_bytes
    with contextlib.ExitStack() as stack:
        if workers > 1:
            # Examining is pure and CPU-bound: on a large folder, spread it over the cores.
            examine = functools.partial(examine_entry, snippets=snippets, max_bytes=max_bytes)
            pool = ProcessPoolExecutor(workers, initializer=_leave_with, initargs=(os.getpid(),))
            stack.enter_context(pool)
            results = _in_chunks(pool, examine, ledger.entries(), window=EXAMINE_WINDOW * workers)
        else:
            results = ((number, entry, *_read_and_examine(entry, snippets, max_bytes))
                       for number, entry in ledger.entries())
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
                yield number, entry, facts, None


def _examine_all(examine, entries):
    return [examine(entry) for entry in entries]


def examine_entry(entry, snippets, max_bytes):
    """Facts for one walked entry: read it (unless it is skipped) and examine its bytes."""
    return _read_and_examine(entry, snippets, max_bytes)[0]


def _read_and_examine(entry, snippets, max_bytes):
    """(Facts, the bytes read or None) for one walked entry."""
    if entry.skip_kind:
        return classify.skipped(entry.rel, entry.skip_kind, entry.reason), None
    try:
        data, signature = files.read(entry.path, max_bytes)
    except FileError as exc:
        return Facts(rel=entry.rel, kind=classify.SKIPPED, problem=str(exc)), None
    return classify.examine(entry.rel, data, snippets, signature), data


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


def _workers(jobs, count, writing):
    """Processes examining files. Automatic: a pool only where it pays for its start, and not when
    the run writes: the writer's threads need the other cores, and the bytes examined here are
    spliced without being read again (on two cores a pool made apply about a third slower)."""
    if jobs is None:
        big = count >= POOL_MIN_FILES and not writing
        jobs = min(MAX_EXAMINE_WORKERS, os.cpu_count() or 1) if big else 1
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


class _Rewriter:
    """Splices each file that changes, in the planning thread, and hands its new bytes to a Writer
    (started with the first such file); each file's row goes to the ledger once it is written."""

    def __init__(self, options, ledger, place):
        self.options = options
        self.ledger = ledger
        self.place = place  # keep this thread and the writer's threads on CPUs of their own
        self.writer = None
        self.rows = {}  # number -> Row of each file in the writer's hands

    def __enter__(self):
        return self

    def rewrite(self, number, job, data=None):
        """Splice one file (``data``: its bytes as examined, or None to read them again) and queue
        its replacement; waits while the writer's queue is full."""
        row, entry, facts = job[:3]
        new = _spliced(job, self.options, data)
        if new is None:
            self.ledger.add_row(number, row)
            return
        if self.writer is None:
            self.writer = Writer(self.options.backup, place=self.place)
        self.rows[number] = row
        self.writer.submit(number, entry.path, new, facts.signature, entry.rel)
        self._record(self.writer.finished())

    def _record(self, done):
        for number, problem in done:
            row = self.rows.pop(number)
            if problem:
                row.problem, row.changed = problem, False
            self.ledger.add_row(number, row)

    def __exit__(self, *exc_info):
        if self.writer is not None:
            self._record(self.writer.close())
        return False


def _offsets_hold(data, blocks, anchors):
    """True when the offsets found when the file was first read still point at the same things."""
    head, body = anchors
    return (
        (head is None or data[head : head + 6].lower() == b"</head")
        and (body is None or data[body : body + 6].lower() == b"</body")
        and all(data.startswith(b"<!-- tiktok-connector:", block.start) for block in blocks)
    )


def _spliced(job, options, data=None):
    """One file's new bytes, to be written over the bytes it was examined with (None when nothing
    is to be written); shows the diff for --diff. ``data`` is the file's bytes as examined, or None
    to read them again. A file's problem goes to its row."""
    row, entry, facts, snippets, wanted = job
    try:
        if data is None:
            data, signature = files.read(entry.path, options.selection.max_bytes)
            if signature != facts.signature:  # inode, size, mtime and mode as first read
                raise FileError(files.CHANGED)
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
        return new if options.write else None
    except InjectorError as exc:
        row.problem = str(exc)
        row.changed = False
    return None
