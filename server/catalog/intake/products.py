"""Products and categories coming in (push API, feeds, webhooks), stored in bulk.

Each product is normalized, checked against TikTok's rules and mapped once, on the way in; the
hash of its outgoing payload is stored, so a sync only has to compare hashes. Unchanged products
cost one indexed lookup. Malformed items are refused one by one; the rest are kept.
"""
import logging
from dataclasses import dataclass, field

from sqlalchemy import any_, bindparam, func, select, text, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError

from server import jsontext
from server.catalog import states
from server.catalog.bookkeeping import next_mark
from server.catalog.checks.fields import MalformedItem, item_sku, source_hash
from server.catalog.checks.prepared import StoreTerms, prepare
from server.catalog.checks.secure_links import probe_for
from server.catalog.summary import ImportTally
from server.clock import utcnow
from server.models.catalog import CatalogProduct

log = logging.getLogger(__name__)

CHUNK = 1000
MAX_REPORTED_ERRORS = 1000
MAX_MESSAGE = 500  # characters of one refusal's message kept
TABLE = CatalogProduct.__table__
EXISTING_COLUMNS = (TABLE.c.id, TABLE.c.sku, TABLE.c.source_hash, TABLE.c.import_mark, TABLE.c.removed_at,
                    TABLE.c.synced_hash, TABLE.c.refused_hash, TABLE.c.state, TABLE.c.reasons,
                    TABLE.c.review_status, TABLE.c.review_reasons, TABLE.c.state_changed_at)


@dataclass
class IntakeResult:
    """What happened to a batch of incoming items."""

    received: int = 0
    accepted: int = 0
    changed: int = 0
    removed: int = 0
    errors: list = field(default_factory=list)
    error_count: int = 0
    tally: ImportTally = field(default_factory=ImportTally)  # what the stored items became

    def refuse(self, where, item_id, message):
        """Count a refused item; keep its details for the first MAX_REPORTED_ERRORS."""
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            if len(message) > MAX_MESSAGE:  # it may quote a huge field: a thousand of those add up
                message = message[:MAX_MESSAGE - 1] + "…"
            self.errors.append({**where, "id": item_id, "message": message})

    def as_dict(self):
        """Plain data for the API and the CLI."""
        return {"received": self.received, "accepted": self.accepted, "changed": self.changed,
                "removed": self.removed, "error_count": self.error_count, "errors": self.errors,
                "summary": self.tally.summary(read=self.received, refused=self.error_count, removed=self.removed)}


class Intake:
    """Writes normalized products of one store in chunks; create one per import or request."""

    def __init__(self, session, store, *, result=None):
        self.session = session
        self.store = store
        self.store_id = store.id
        self.terms = StoreTerms(store.currency, tuple(store.domains or ()), store.name, probe_for(store))
        self.hidden = states.hidden_categories(session, store.id)
        self.mark = next_mark(session, store)
        self.result = result or IntakeResult()
        self.rows = ProductRows(session, store.id)
        self.planner_stats = PlannerStats(session)

    def add_raw(self, items, *, recheck=False):
        """Store raw items: ``items`` is [(position dict, raw dict)] (not committed). Items equal to
        what was stored are only marked as seen, unless ``recheck``."""
        for start in range(0, len(items), CHUNK):
            keyed = []
            for position, raw in items[start:start + CHUNK]:
                self.result.received += 1
                try:
                    keyed.append((position, item_sku(raw), source_hash(raw), raw))
                except MalformedItem as error:
                    self.result.refuse(position, None, str(error))
            self._store(keyed, recheck)

    def add_entries(self, entries, *, recheck=False):
        """Store the items of a feed (not committed): ``entries`` is [(position text, sku, source
        hash, the raw item, or already ``Prepared`` or known malformed by a feed worker)]; an entry
        without a source hash was refused as it was read (its sku: the id it showed, if any)."""
        keyed = []
        for position, sku, digest, prepared in entries:
            self.result.received += 1
            where = {"position": position}
            if digest is None:
                self.result.refuse(where, sku, prepared)
            else:
                keyed.append((where, sku, digest, prepared))
        for start in range(0, len(keyed), CHUNK):
            self._store(keyed[start:start + CHUNK], recheck)

    def _store(self, keyed, recheck):
        """Write ``keyed``: (position, sku, source hash, raw dict | ``Prepared`` | malformed message)."""
        states.lock_catalog(self.session, self.store_id)
        skus = [sku for _, sku, _, _ in keyed]
        existing = {row.sku: row for row in self.session.execute(
            select(*EXISTING_COLUMNS).where(TABLE.c.store_id == self.store_id, self.rows.sku_among(skus)))}
        inserts, updates, touched, seen = [], [], [], {}
        for position, sku, digest, source in keyed:
            row = existing.get(sku)
            if sku in seen or (row is not None and row.import_mark == self.mark):
                self.result.refuse(position, sku, "duplicate id: the same SKU appears earlier "
                                   f"({seen.get(sku) or 'in an earlier item'})")
                continue
            seen[sku] = _describe(position)
            if not recheck and row is not None and row.source_hash == digest and row.removed_at is None:
                self.result.accepted += 1
                self.result.tally.add(row.state, row.reasons)
                touched.append(row.id)
                continue
            if source.__class__ is dict:  # a raw item: prepared only now that it is known to have changed
                try:
                    source = prepare(source, self.terms)
                except MalformedItem as error:
                    source = str(error)
            if source.__class__ is str:
                self.result.refuse(position, sku, source)
                continue
            self.result.accepted += 1
            self.result.changed += 1
            values = self._row_values(source, digest, row)
            self.result.tally.add(values[9], values[10], source.notes)  # its state and reasons
            if row is None:
                inserts.append(values)
            else:
                updates.append((values, row.id))
        self.rows.write(inserts, updates, mark=self.mark)
        self.planner_stats.grew(len(inserts))
        if touched:
            self.session.execute(update(TABLE).where(TABLE.c.id.in_(touched)).values(import_mark=self.mark))

    def _row_values(self, prepared, source_hash, row):
        """The row's values in ``ProductRows.VALUES`` order (``state_changed_at`` None: now)."""
        digest = prepared.payload_hash
        verdict = states.store_verdict(removed=False, visibility=prepared.visibility, hidden=self.hidden,
                                       category_ids=prepared.category_ids, problems=prepared.problems)
        if verdict is None:
            state, reasons, _ = states.candidate_state(
                payload_hash=digest, synced_hash=row.synced_hash if row else None,
                refused_hash=row.refused_hash if row else None, current_state=row.state if row else None,
                current_reasons=row.reasons if row else [], review_status=row.review_status if row else None,
                review_reasons=row.review_reasons if row else None)
        else:
            state, reasons = verdict
        changed_at = None if row is None or row.state != state else row.state_changed_at
        return (prepared.sku, prepared.item_group_id, prepared.data, prepared.category_ids, prepared.visibility,
                prepared.image_url, prepared.problems, source_hash, digest, state, reasons, changed_at)

    def _unseen(self):
        return (TABLE.c.store_id == self.store_id, TABLE.c.import_mark != self.mark, TABLE.c.removed_at.is_(None))

    def count_unseen(self):
        """How many products ``remove_unseen`` would remove now."""
        return self.session.execute(select(func.count()).select_from(TABLE).where(*self._unseen())).scalar_one()

    def remove_unseen(self):
        """Mark every product this intake did not see as removed (a full feed replaced the catalog)."""
        removed = self.session.execute(
            update(TABLE).where(*self._unseen())
            .values(removed_at=utcnow(), state="deleted", state_changed_at=utcnow(), updated_at=utcnow(),
                    reasons=[states.reason("removed", "the product was removed from the store")])).rowcount
        self.result.removed += removed
        return removed


class ProductRows:
    """Inserts and updates of product rows, handed to the database driver as they are.

    A Core ``insert`` converts every value of every row through its column's type, which was the
    largest single cost of importing a product. Here JSON is written once per value
    (``jsontext``) and the values a whole chunk shares (times, flags, the store) are converted once.
    Rows come from ``Intake._row_values`` in ``VALUES`` order, ``data`` already JSON text.
    """

    VALUES = ("sku", "item_group_id", "data", "category_ids", "visibility", "image_url", "problems",
              "source_hash", "payload_hash", "state", "reasons", "state_changed_at")
    JSON = ("data", "category_ids", "problems", "reasons")
    INSERT = VALUES + ("store_id", "import_mark", "updated_at", "removed_at", "created_at", "force_sync",
                       "seen_mark")
    UPDATE = VALUES + ("import_mark", "updated_at", "removed_at")

    def __init__(self, session, store_id):
        self.session = session
        self.store_id = store_id
        dialect = session.get_bind().dialect
        if dialect.paramstyle == "qmark":
            marker = "?"
        elif dialect.paramstyle in ("format", "pyformat"):
            marker = "%s"
        else:
            raise NotImplementedError(f"the {dialect.name} driver's {dialect.paramstyle} parameters")
        self.time = self._processor(dialect, "updated_at")
        self.false = self._processor(dialect, "force_sync")(False)
        self.insert_sql = (f"INSERT INTO {TABLE.name} ({', '.join(self.INSERT)}) "
                           f"VALUES ({', '.join(marker for _ in self.INSERT)})")
        self.update_sql = (f"UPDATE {TABLE.name} SET {', '.join(f'{c} = {marker}' for c in self.UPDATE)} "
                           f"WHERE id = {marker}")
        self.on_postgresql = dialect.name == "postgresql"
        # psycopg (PostgreSQL) copies new rows in: a quarter of the cost of an executemany.
        self.copy_sql = (f"COPY {TABLE.name} ({', '.join(self.INSERT)}) FROM STDIN"
                         if self.on_postgresql and dialect.driver == "psycopg" else None)

    def sku_among(self, skus):
        """``sku IN skus``; on PostgreSQL one array parameter rather than a thousand of them (which
        the driver would have to parse out of the query text every time)."""
        if self.on_postgresql:
            return TABLE.c.sku == any_(bindparam("skus", skus, type_=postgresql.ARRAY(TABLE.c.sku.type)))
        return TABLE.c.sku.in_(skus)

    @staticmethod
    def _processor(dialect, column):
        process = TABLE.c[column].type.dialect_impl(dialect).bind_processor(dialect)
        return process or (lambda value: value)

    def write(self, inserts, updates, *, mark):
        """Insert ``inserts`` (value tuples) and apply ``updates`` ((value tuple, row id) pairs)."""
        if not inserts and not updates:
            return
        dumps, time = jsontext.dumps, self.time
        now = time(utcnow())

        def converted(values):
            (sku, group, data, categories, visibility, image, problems, source, payload, state, reasons,
             changed) = values
            return (sku, group, data, dumps(categories), visibility, image, dumps(problems), source, payload,
                    state, dumps(reasons), now if changed is None else time(changed))

        connection = self.session.connection()
        if inserts:
            constant = (self.store_id, mark, now, None, now, self.false, 0)
            rows = [converted(values) + constant for values in inserts]
            if self.copy_sql:
                with connection.connection.driver_connection.cursor() as cursor, cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                connection.exec_driver_sql(self.insert_sql, rows)
        if updates:
            connection.exec_driver_sql(self.update_sql, [converted(values) + (mark, now, None, row_id)
                                                         for values, row_id in updates])


class PlannerStats:
    """Keeps PostgreSQL's statistics of the products table up to date while an import fills it.

    Until the table is analyzed again, the planner believes a store that is importing has as few
    products as when it started, and looks its SKUs up through the (store, state) index, reading
    every product of the store for every chunk: a first import of 100,000 products slowed to
    under 1,000 a second. Analyzing after 5,000 new rows, then each time they grew fourfold,
    keeps the lookups on the (store, sku) index; it costs a fraction of a second per million.
    """

    FIRST = 5000
    GROWTH = 4

    def __init__(self, session):
        self.session = session
        self.enabled = session.get_bind().dialect.name == "postgresql"
        self.added = 0
        self.next = self.FIRST

    def grew(self, rows):
        """Count ``rows`` new products; analyze the table when they have grown enough."""
        if not self.enabled or not rows:
            return
        self.added += rows
        if self.added < self.next:
            return
        self.next = self.added * self.GROWTH
        try:
            with self.session.begin_nested():  # a refusal (not the table's owner) must not end the import
                self.session.execute(text(f"ANALYZE {TABLE.name}"))
        except DBAPIError as error:
            log.warning("could not analyze %s (%s); big imports may slow down", TABLE.name, error.orig)
            self.enabled = False


def count_products(session, store):
    """How many products the store has (not removed)."""
    return session.execute(select(func.count()).select_from(TABLE).where(
        TABLE.c.store_id == store.id, TABLE.c.removed_at.is_(None))).scalar_one()


def remove_products(session, store, skus):
    """Mark products removed from the store (they leave TikTok at the next sync); returns how many."""
    count = 0
    skus = [str(s) for s in skus]
    for start in range(0, len(skus), CHUNK):
        count += session.execute(
            update(TABLE).where(TABLE.c.store_id == store.id, TABLE.c.sku.in_(skus[start:start + CHUNK]),
                                TABLE.c.removed_at.is_(None))
            .values(removed_at=utcnow(), state="deleted", state_changed_at=utcnow(), updated_at=utcnow(),
                    reasons=[states.reason("removed", "the product was removed from the store")])).rowcount
    return count


def _describe(position):
    if "index" in position:
        return f"index {position['index']}"
    return position.get("position", "earlier")
