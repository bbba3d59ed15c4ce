"""One run of apply, remove or status over a template folder.

Phase 1 reads and examines every file, keeping only small Facts; phase 2 re-reads each file that
changes, splices it and writes it atomically (several at once, since fsync waits on the disk).
apply and remove overlap the two: a file is written as soon as nothing still unexamined can change
its plan. Dry runs, --diff and status plan the folder as a whole, then stop (or show the diffs).
"""
import contextlib
import functools
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field

from snippets import SNIPPET_VERSION, SnippetError, render_event, render_head

from . import classify, files
from .classify import Facts, Settings
from .edit import changes, converge, decide
from .errors import FileError, InjectorError, UsageError
from .markers import find_blocks, make_snippet
from .scan import scan

POOL_MIN_FILES = 256
MAX_EXAMINE_WORKERS = 4
EXAMINE_CHUNK = 32
PARENT_POLL_SECONDS = 0.2
WRITE_THREADS = 16  # fsync waits on the disk; several in flight let the journal batch them
WRITE_WINDOW = 4 * WRITE_THREADS  # files queued for writing (a queued file holds no bytes yet)
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


@dataclass(slots=True)
class Outcome:
    """What a run did, for the table and the exit code."""

    rows: list
    stale_temps_removed: int = 0

    @property
    def changed(self):
        """How many files changed (or would change)."""
        return sum(row.changed for row in self.rows)

    @property
    def problems(self):
        """How many files have a problem the user must look at."""
        return sum(bool(row.problem) for row in self.rows)


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
    """Examine, plan and (unless it is a dry run) write; returns the rows of the summary."""
    settings = options.settings
    if not os.path.isdir(options.root):
        raise UsageError(f"{options.root} is not a folder")
    by_name = build_snippets(settings.platform, options.store, options.server)
    stale = []
    entries = list(files.walk(options.root, options.selection, stale))
    if options.write:
        return _write_as_planned(entries, by_name, stale, options)
    all_facts = list(_examined(entries, by_name, options))
    _check_head_template(all_facts, settings)
    wanted = classify.plan_folder(all_facts, settings)
    rows, jobs = [], []
    for facts, entry in zip(all_facts, entries, strict=True):
        row, names = _plan_row(facts, wanted[facts.rel], options)
        rows.append(row)
        if row.changed and options.on_diff:
            jobs.append((row, entry, facts, {name: by_name[name] for name in names}, wanted[facts.rel]))
    for job in jobs:  # --diff: compute, show, write nothing
        _rewrite_one(job, options)
    return Outcome(rows=rows)


def _write_as_planned(entries, by_name, stale, options):
    """apply/remove: each file is written as soon as its plan is final, while the rest of the
    folder is still being examined, so reading and classifying overlap the disk's fsyncs."""
    head = options.settings.head_template
    if head is not None:  # a bad --head-template stops the run before anything is written
        entry = next((entry for entry in entries if entry.rel == head), None)
        found = [examine_entry(entry, by_name, options.selection.max_bytes)] if entry else []
        _check_head_template(found, options.settings)
    planner = classify.FolderPlanner([entry.rel for entry in entries], options.settings)
    index = {entry.rel: number for number, entry in enumerate(entries)}
    rows = [None] * len(entries)
    outcome = Outcome(rows=rows, stale_temps_removed=files.remove_stale_temps(stale))
    with _Writer(options) as writer:
        for facts in _examined(entries, by_name, options):
            for ready, wanted in planner.add(facts):
                number = index[ready.rel]
                row, names = _plan_row(ready, wanted, options)
                rows[number] = row
                if row.changed:
                    writer.submit((row, entries[number], ready, {name: by_name[name] for name in names}, wanted))
    if planner.waiting():  # cannot happen: every stem waited for is examined by now
        raise InjectorError("some files were never planned")
    return outcome


def _examined(entries, snippets, options):
    """Facts for each entry, in order, reporting progress."""
    examine = functools.partial(examine_entry, snippets=snippets, max_bytes=options.selection.max_bytes)
    workers = _workers(options.jobs, len(entries))
    with contextlib.ExitStack() as stack:
        if workers > 1:
            # Examining is pure and CPU-bound: on a large folder, spread it over the cores.
            pool = ProcessPoolExecutor(workers, initializer=_leave_with, initargs=(os.getpid(),))
            stack.enter_context(pool)
            results = pool.map(examine, entries, chunksize=EXAMINE_CHUNK)
        else:
            results = map(examine, entries)
        seen = {}
        for done, facts in enumerate(results, 1):
            if options.on_progress:
                options.on_progress(done, len(entries))
            yield classify.shared(facts, seen)


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


def _check_head_template(all_facts, settings):
    name = settings.head_template
    if name is None:
        return
    facts = next((f for f in all_facts if f.rel == name), None)
    if facts is None:
        raise UsageError(f"--head-template {name}: no such template in the folder")
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
    """Writes files on a few threads (fsync waits on the disk), at most a window of them queued so
    memory stays flat however many change; on leaving, fsyncs each folder written in, once.

    A queue slot frees as soon as any write finishes: one slow fsync never leaves the other threads
    idle, and nothing is polled or scanned per file."""

    def __init__(self, options):
        self.options = options
        self.pool = ThreadPoolExecutor(WRITE_THREADS)
        self.slots = threading.Semaphore(WRITE_WINDOW)
        self.folders = set()
        self.failures = []

    def __enter__(self):
        return self

    def submit(self, job):
        """Queue one file's rewrite; waits while the window is full."""
        if self.failures:
            raise self.failures[0]
        self.slots.acquire()
        self.pool.submit(self._write, job)

    def _write(self, job):
        try:
            path = _rewrite_one(job, self.options)
            if path:
                self.folders.add(os.path.dirname(path))
        except BaseException as exc:  # not a file's problem (those are rows): handed to the main thread
            self.failures.append(exc)
        finally:
            self.slots.release()

    def __exit__(self, *exc_info):
        try:
            self.pool.shutdown(wait=True)
        finally:
            files.sync_directories(self.folders)
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
