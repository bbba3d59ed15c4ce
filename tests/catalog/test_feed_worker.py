"""Big feeds read and prepared by a worker process: the same catalog as reading them in-process,
and an import that cannot finish (a killed worker, a broken download) removes nothing."""
import io
import os
import signal
from pathlib import Path

import pytest
from flask import current_app

from server.catalog import service
from server.catalog.intake import feed_worker
from server.catalog.intake.feeds import FeedError
from server.extensions import db
from server.models.catalog import CatalogProduct
from tests.catalog.helpers import states
from tests.factories import make_store

HEADER = "id,title,description,link,image_link,additional_image_link,price,sale_price,availability,condition,status\n"
COMPARED = ("sku", "item_group_id", "data", "category_ids", "visibility", "image_url", "problems", "source_hash",
            "payload_hash", "state", "reasons", "removed_at")


def feed(count, *, price="59.90 BRL", skip=()):
    """A CSV feed of ``count`` products, with every kind of trouble a feed has along the way."""
    rows = []
    for n in range(count):
        if n in skip:
            continue
        sku, link = f"P-{n:05d}", f"https://loja.example.com/p/{n}"
        description = "<p>Camiseta <b>algodão</b> &amp; linho</p>" if n % 3 else "Camiseta lisa"
        row = [sku, f"Camiseta {n}", description, link, f"https://loja.example.com/{n}.jpg",
               f"https://loja.example.com/{n}-b.jpg", price, "", "in stock", "new", ""]
        if n % 97 == 1:
            row[6] = "cheap"  # malformed: refused with its line
        elif n % 89 == 2:
            row[3] = "http://loja.example.com/p"  # breaks a rule: kept as invalid
        elif n % 83 == 3:
            row[10] = "draft"  # excluded
        elif n % 79 == 4:
            row[0] = ""  # no id
        elif n % 73 == 5:
            row[0] = "P-00000"  # a duplicate id
        elif n % 71 == 6:
            row = row[:4]  # a broken line
        elif n % 67 == 7:
            row[7] = "49.90 BRL"
        rows.append(",".join(f'"{v}"' if "," in v else v for v in row))
    return (HEADER + "\n".join(rows) + "\n").encode()


def catalog(store):
    """The store's products as a merchant and the sync see them."""
    columns = [getattr(CatalogProduct, name) for name in COMPARED]
    return {row.sku: (*row[:-1], row.removed_at is not None) for row in db.session.execute(
        db.select(*columns).where(CatalogProduct.store_id == store.id).order_by(CatalogProduct.sku))}


def import_with(mode, store, data, **options):
    current_app.config["TTC_CATALOG_IMPORT_WORKER"] = mode
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    result = service.import_feed(db.session, store, stream, **options)
    result.pop("sync", None)
    return result


def test_a_worker_builds_the_same_catalog_as_reading_in_process(session):
    here, worker = make_store(name="Loja A"), make_store(name="Loja A")
    first = feed(2600)
    assert import_with("never", here, first) == import_with("always", worker, first)
    assert catalog(here) == catalog(worker)
    assert {p[9] for p in catalog(here).values()} >= {"queued", "invalid", "excluded"}

    # Then a new price for all, some products gone: updates and removals, both ways alike.
    second = feed(2600, price="64.90 BRL", skip=range(100, 300))
    assert import_with("never", here, second) == import_with("always", worker, second)
    assert catalog(here) == catalog(worker)
    result = import_with("always", worker, second)  # unchanged: nothing to write
    assert (result["changed"], result["removed"]) == (0, 0) and catalog(here) == catalog(worker)


class Source(io.RawIOBase):
    """A feed source that does ``then`` once ``after`` bytes were read from it."""

    def __init__(self, data, after, then):
        self.data, self.after, self.then, self.position = data, after, then, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.position >= self.after and self.then:
            then, self.then = self.then, None
            then()
        end = len(self.data) if self.position >= self.after else self.after
        size = min(len(buffer), end - self.position)
        buffer[:size] = self.data[self.position:self.position + size]
        self.position += size
        return size


def kill_the_worker():
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid() and b"server.catalog.intake.feed_worker" in command:
            os.kill(int(entry.name), signal.SIGKILL)
            return
    raise AssertionError("no feed worker is running")


def broken_download():
    raise ConnectionResetError("the connection was reset")


@pytest.mark.parametrize("trouble, error, message", [
    (kill_the_worker, feed_worker.WorkerFailed, "the feed worker was killed by signal 9"),
    (broken_download, ConnectionResetError, "the connection was reset"),
])
def test_an_import_that_cannot_finish_removes_nothing(session, trouble, error, message):
    store = make_store()
    import_with("never", store, feed(500))
    before = states(store)
    data = feed(3000, price="79.90 BRL")

    with pytest.raises(error, match=message):
        import_with("always", store, Source(data, len(data) // 2, trouble))
    # Killed mid-feed, or with its last bytes lost, it never replaces the catalog: nothing removed.
    assert "deleted" not in set(states(store).values()) and set(states(store)) >= set(before)


def test_the_feeds_own_error_comes_back_with_its_line(session):
    store = make_store()
    import_with("never", store, feed(50))
    items = "".join(f"<item><g:id>X-{n}</g:id><title>Bolsa {n}</title><g:price>9.90 BRL</g:price></item>\n"
                    for n in range(2500))
    broken = (f'<?xml version="1.0"?>\n<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel>\n'
              f"{items}<item><g:id>X-bad</g:id></itemm>\n</channel></rss>\n").encode()
    with pytest.raises(FeedError) as raised_here:
        import_with("never", store, broken)
    with pytest.raises(FeedError) as raised_by_worker:
        import_with("always", store, broken)
    assert str(raised_by_worker.value) == str(raised_here.value) == (
        "line 2503, column 25: the XML is malformed (mismatched tag): </itemm> does not close the element opened "
        "last (an element left open, or a typo in a name)")
    assert "deleted" not in set(states(store).values())


@pytest.mark.parametrize("mode, feed_bytes, cores, expected", [
    ("always", 10, 1, True),  # asked for: even a small feed on one core
    ("never", 10 << 20, 8, False),
    ("auto", 4 << 20, 2, True),  # big enough, and a second core to run it on
    ("auto", (4 << 20) - 1, 8, False),  # smaller than the threshold: the worker costs more than it saves
    ("auto", 4 << 20, 1, False),  # one core: nothing to gain
])
def test_the_worker_is_wanted_for_big_feeds_with_a_spare_core(mode, feed_bytes, cores, expected):
    assert feed_worker.wanted(mode, feed_bytes, 4 << 20, cores) is expected
