"""What one run remembers of each file, kept on disk so that memory stays flat however large the folder.

A run needs, for every file, its walk entry (the table lists files in a stable order, so the folder
is sorted), what the planner must remember of it (any file read later may include it as a
sub-template), the files waiting for a sub-template not yet examined, and its row of the summary
table. Held in lists and dicts those grow with the folder, about 1 KB a file; here they live in a
private temporary SQLite database, which keeps a small page cache and spills the rest to a file
that SQLite deletes when the run's ledger is closed.

Files are examined in the table's order, so whether a template id still has files to come is known
from the walk (each entry says whether it is the last with its id).

Each step SQLite takes lets go of Python's interpreter lock (the sqlite3 module releases it around
every row inserted or fetched), and where other Python threads run (apply's writer threads, where
``_fastio`` is not built) getting it back costs far more than the step itself. So what apply's loop
sends or reads takes one step a page: records are inserted a page at a time in one statement, and
the walk's entries, once numbered, are read back as pickled pages.
"""
import pickle
import sqlite3
from collections import OrderedDict, deque
from typing import NamedTuple

from .classify import template_id
from .files import Entry

CACHE_KIB = 1024  # SQLite's page cache; the rest of the ledger is on disk
STEMS_CACHED = 512  # sub-templates whose planning facts stay in memory (pages include the same few)
PAGE = 128  # rows inserted or read at once: a few objects alive at a time, few calls into SQLite
WAITED_FOR_KEPT = 4096  # template ids files wait for, known in memory (beyond: asked of the ledger)

_SCHEMA = """
CREATE TABLE walked (key BLOB NOT NULL, rel BLOB NOT NULL, path BLOB NOT NULL, skip TEXT NOT NULL,
                     reason BLOB NOT NULL, stem BLOB NOT NULL);
CREATE TABLE entries (n INTEGER PRIMARY KEY, rel BLOB NOT NULL, stem BLOB NOT NULL);
CREATE TABLE pages (first INTEGER PRIMARY KEY, entries BLOB NOT NULL);
CREATE TABLE examined (stem BLOB NOT NULL, facts BLOB NOT NULL);
CREATE INDEX examined_by_stem ON examined (stem);
CREATE TABLE parked (id INTEGER PRIMARY KEY, waits_for BLOB NOT NULL, facts BLOB NOT NULL);
CREATE INDEX parked_by_stem ON parked (waits_for);
CREATE TABLE later (n INTEGER PRIMARY KEY, job BLOB NOT NULL);
CREATE TABLE rows (n INTEGER PRIMARY KEY, rel BLOB NOT NULL, kind TEXT NOT NULL, change BLOB NOT NULL,
                   note BLOB NOT NULL, problem BLOB NOT NULL, changed INTEGER NOT NULL);
"""
_ORDER_SUBS = b"\0"  # waits_for value of the files waiting for every orderplaced-* sub-template


def sort_key(rel: str) -> bytes:
    """A key that sorts relative paths as a walk sorting each folder by name does: "/" below any
    character, so a folder's files come before a sibling whose name extends the folder's."""
    return rel.replace("/", "\0").encode("utf-32-be", "surrogatepass")


class Ledger:
    """The per-file records of one run: entries, planning facts, waiting files, table rows."""

    def __init__(self):
        # "" is a private temporary database on disk, deleted on close; one transaction for the
        # run, no journal (nothing here outlives the run, so nothing needs rolling back).
        self.db = sqlite3.connect("", isolation_level=None)
        self.db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.execute("PRAGMA temp_store = FILE")
        self.db.executescript(_SCHEMA)
        self.db.execute("BEGIN")
        self.count = 0
        self.position = -1  # the number of the last file examined
        self._in_flight = {}  # rel -> (number, last with its template id) for entries handed out, not yet examined
        self._cached = OrderedDict()  # stem -> [Planning], only for stems every file of which is examined
        self._examined = []  # planning facts not yet sent to SQLite
        self._rows = []  # rows not yet sent to SQLite
        self._waited_for = set()  # template ids some parked file waits for; None once too many to keep
        self._parked = 0
        self._ahead, self._read_to = deque(), -1  # entries read from SQLite, not yet handed out; the last n read

    def close(self):
        """Drop the ledger (its file goes with it)."""
        if self.db is not None:
            self.db.close()
            self.db = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    # The walk: entries in any order, numbered in the table's order once the walk is over.

    def add_entries(self, entries):
        """Record every walked entry; then number them in sorted order and mark the last of each template id."""
        insert = "INSERT INTO walked VALUES (?, ?, ?, ?, ?, ?)"
        batch = []
        for entry in entries:
            batch.append((sort_key(entry.rel), _b(entry.rel), _b(entry.path), entry.skip_kind, _b(entry.reason),
                          _b(template_id(entry.rel).lower())))
            if len(batch) == PAGE:
                self.db.executemany(insert, batch)
                batch.clear()
        self.db.executemany(insert, batch)
        # Each entry goes to a page, for `entries` to read a page in one step, and its name and
        # template id to `entries`, for look-ups. No writer thread runs yet: these row-by-row steps
        # cost no wait for the interpreter lock.
        numbered = self.db.execute(
            "SELECT n, rel, path, skip, reason, n = max(n) OVER (PARTITION BY stem), stem"
            " FROM (SELECT row_number() OVER (ORDER BY key) - 1 AS n, rel, path, skip, reason, stem FROM walked)"
            " ORDER BY n")
        self.count = 0
        while page := numbered.fetchmany(PAGE):
            entries = pickle.dumps([found[:6] for found in page])
            self.db.execute("INSERT INTO pages VALUES (?, ?)", (page[0][0], entries))
            self._insert("entries", [(found[0], found[1], found[6]) for found in page])
            self.count += len(page)
        self.db.execute("DROP TABLE walked")
        self.db.execute("CREATE UNIQUE INDEX entries_by_rel ON entries (rel)")
        self.db.execute("CREATE INDEX entries_by_stem ON entries (stem, n)")

    def entries(self):
        """(number, Entry) for every file, in the table's order; each is to be examined in that order."""
        self._ahead, self._read_to = deque(), -1
        while self._ahead or self._read_ahead():
            n, rel, path, skip, reason, last = self._ahead.popleft()
            entry = Entry(_s(rel), _s(path), skip, _s(reason))
            self._in_flight[entry.rel] = (n, last)
            yield n, entry

    def _read_ahead(self):
        """Read the next page of entries; False when there are no more."""
        if self._read_to is None:
            return False
        page = self._page("first > ? ORDER BY first", self._read_to)
        if page is None:
            self._read_to = None
            return False
        self._ahead.extend(page)
        self._read_to = page[-1][0]
        return True

    def _page(self, where, n):
        """The first page of entries (n, rel, path, skip, reason, last) matching ``where``, or None."""
        found = self.db.execute(f"SELECT entries FROM pages WHERE {where} LIMIT 1", (n,)).fetchone()
        return found and pickle.loads(found[0])

    def entry(self, rel):
        """(number, Entry) of the file at ``rel``, or None."""
        found = self.db.execute("SELECT n FROM entries WHERE rel = ?", (_b(rel),)).fetchone()
        if found is None:
            return None
        page = self._page("first <= ? ORDER BY first DESC", found[0])
        n, _rel, path, skip, reason, _last = page[found[0] - page[0][0]]
        return n, Entry(rel, _s(path), skip, _s(reason))

    # What FolderPlanner remembers (see classify.FolderPlanner).

    def unexamined(self, stem):
        """How many files with this template id are not examined yet."""
        if stem in self._cached:
            return 0
        return self.db.execute("SELECT count(*) FROM entries WHERE stem = ? AND n > ?",
                               (_b(stem), self.position)).fetchone()[0]

    def examined(self, facts, stem):
        """Take one examined file (handed out by ``entries``, in order); returns how many files with
        its template id are still unexamined."""
        n, last = self._in_flight.pop(facts.rel)
        if n <= self.position:
            raise ValueError(f"{facts.rel} examined out of the table's order")
        self.position = n
        if facts.controls or facts.includes:  # what a file including this one may need of it
            self._examined.append((_b(stem), pickle.dumps(_planning(facts))))
            if len(self._examined) == PAGE:
                self._flush_examined()
        return 0 if last else self.unexamined(stem)

    def get(self, stem, default=()):
        """The planning facts of the examined files with this template id (as dict.get)."""
        cached = self._cached.get(stem)
        if cached is not None:
            self._cached.move_to_end(stem)
            return cached
        self._flush_examined()
        found = [pickle.loads(blob) for (blob,) in
                 self.db.execute("SELECT facts FROM examined WHERE stem = ? ORDER BY rowid", (_b(stem),))]
        if not self.unexamined(stem):  # final: no file still to come can add to it
            self._cached[stem] = found
            if len(self._cached) > STEMS_CACHED:
                self._cached.popitem(last=False)
        return found or default

    def park(self, waits_for, facts):
        """Keep a file that waits for the template id ``waits_for`` (None: the order sub-templates)."""
        self.db.execute("INSERT INTO parked (waits_for, facts) VALUES (?, ?)",
                        (_ORDER_SUBS if waits_for is None else _b(waits_for), pickle.dumps(facts)))
        self._parked += 1
        if self._waited_for is not None:
            self._waited_for.add(waits_for)
            if len(self._waited_for) > WAITED_FOR_KEPT:
                self._waited_for = None

    def release(self, waits_for):
        """The files that waited for ``waits_for``, in the order they were parked; they wait no more."""
        if not self._parked or (self._waited_for is not None and waits_for not in self._waited_for):
            return []
        if self._waited_for is not None:
            self._waited_for.discard(waits_for)
        key = _ORDER_SUBS if waits_for is None else _b(waits_for)
        found = self.db.execute("DELETE FROM parked WHERE waits_for = ? RETURNING id, facts", (key,)).fetchall()
        self._parked -= len(found)
        return [pickle.loads(blob) for _id, blob in sorted(found)]

    def waiting(self):
        """How many files are still waiting for another one."""
        return self._parked

    # Work left for after planning (--diff shows diffs in the table's order), and the table's rows.

    def defer(self, n, job):
        """Keep one file's job (picklable) for ``deferred``."""
        self.db.execute("INSERT INTO later VALUES (?, ?)", (n, pickle.dumps(job)))

    def deferred(self):
        """(number, job) for every deferred job, in the table's order."""
        for n, blob in self._paged("SELECT n, job FROM later WHERE n > ? ORDER BY n LIMIT ?"):
            yield n, pickle.loads(blob)

    def add_row(self, n, row):
        """Record the finished row of file ``n``."""
        self._rows.append((n, _b(row.rel), row.kind, _b(row.change), _b(row.note), _b(row.problem), int(row.changed)))
        if len(self._rows) == PAGE:
            self._flush_rows()

    def rows(self):
        """(rel, kind, change, note, problem, changed) of every row, in the table's order."""
        self._flush_rows()
        for _n, rel, kind, change, note, problem, changed in self._paged(
                "SELECT n, rel, kind, change, note, problem, changed FROM rows WHERE n > ? ORDER BY n LIMIT ?"):
            yield _s(rel), kind, _s(change), _s(note), _s(problem), bool(changed)

    def totals(self):
        """(files, changed, with a problem) over the rows."""
        self._flush_rows()
        return self.db.execute("SELECT count(*), coalesce(sum(changed), 0), coalesce(sum(length(problem) > 0), 0)"
                               " FROM rows").fetchone()

    def _flush_examined(self):
        if self._examined:
            self._insert("examined", self._examined)

    def _flush_rows(self):
        if self._rows:
            self._insert("rows", self._rows)

    def _insert(self, table, records):
        """Insert ``records`` (at most a page, all of one width) in one statement, one step of
        SQLite's (executemany would take one a record), and empty the list."""
        values = "(" + ", ".join("?" * len(records[0])) + ")"
        self.db.execute(f"INSERT INTO {table} VALUES " + ", ".join([values] * len(records)),
                        [value for record in records for value in record])
        records.clear()

    def _paged(self, query):
        """Rows of ``query`` (keyed by n, which it must select first), a page at a time: a cursor left
        open while the ledger is written to could see rows written after it started."""
        last = -1
        while True:
            page = self.db.execute(query, (last, PAGE)).fetchall()
            if not page:
                return
            yield from page
            last = page[-1][0]


class Planning(NamedTuple):
    """What planning needs of an examined file that another one includes."""

    kind: str
    controls: frozenset
    includes: tuple


def _b(text):
    """Text as stored: file names may hold bytes that are not UTF-8 (kept as surrogates)."""
    return text.encode("utf-8", "surrogateescape")


def _s(blob):
    return blob.decode("utf-8", "surrogateescape")


def _planning(facts):
    return Planning(facts.kind, facts.controls, facts.includes)
