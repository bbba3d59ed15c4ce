"""An import is all or nothing: kill -9 the importing process at random points, or fail it at an
item, and the catalog is the old feed or the new one exactly, never a mix."""
import io
import os
import random
import signal
import subprocess
import sys
import time

import pytest
from flask import current_app

from server.catalog import service
from server.catalog.intake.feeds import FeedError
from server.extensions import db
from server.models.catalog import CatalogProduct
from tests.catalog.test_crash import ROOT, ask, environment

KILLS = 12  # per database: 24 over SQLite and PostgreSQL; each feed is two chunks of the importer
HEADER = "id,title,description,link,image_link,price,availability,condition,brand\n"
FEEDS = {  # two catalogs: every price differs, a tenth of the products differ
    "old": (range(0, 1500), "59.90"),
    "new": (range(150, 1650), "64.90"),
}


def feed_text(version, *, long_field_at=None):
    skus, price = FEEDS[version]
    return HEADER + "".join(
        f"P-{n},Camiseta {n},{'y' * 200_000 if n == long_field_at else 'Algodao'},https://loja.example.com/p/{n},"
        f"https://loja.example.com/{n}.jpg,{price} BRL,in stock,new,Acme\n" for n in skus)


def expected(version):
    skus, price = FEEDS[version]
    return {f"P-{n}": price for n in skus}


def catalog_now(store):
    """{sku: price} of the products on sale, as a reader (or a sync) sees them now."""
    db.session.rollback()  # a fresh snapshot; and no lock kept while the next import runs
    rows = db.session.execute(db.select(CatalogProduct.sku, CatalogProduct.data).where(
        CatalogProduct.store_id == store.id, CatalogProduct.removed_at.is_(None))).all()
    db.session.rollback()
    return {sku: data["price"] for sku, data in rows}


@pytest.fixture
def importer(app_config, store, tiktok_emulator, tmp_path):
    """A process forking ``catalog import`` processes on demand (see sync_forker)."""
    env = {**environment(app_config, tiktok_emulator), "SYNC_LOG": str(tmp_path / "import.log")}
    process = subprocess.Popen([sys.executable, "-m", "tests.catalog.sync_forker", store.public_key], cwd=ROOT,
                               env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    yield process
    process.stdin.close()
    process.wait(30)
    process.stdout.close()


@pytest.mark.slow
def test_kill_9_at_random_points_leaves_the_old_catalog_or_the_new_one(session, store, importer, tmp_path):
    paths = {}
    for version in FEEDS:
        paths[version] = tmp_path / f"{version}.csv"
        paths[version].write_text(feed_text(version))
    service.import_feed(session, store, io.BytesIO(feed_text("old").encode()))
    current = "old"

    # How long an import takes, start-up included: the kills land anywhere in that span.
    started = time.monotonic()
    ask(importer, f"import {paths['new']} never")
    assert ask(importer, "wait") == 0, (tmp_path / "import.log").read_text()
    span = (time.monotonic() - started) * 1.2
    assert catalog_now(store) == expected("new")
    current = "new"

    rng, interrupted = random.Random(4321), 0
    for round_number in range(KILLS):
        target = "old" if current == "new" else "new"
        worker = ("never", "always")[round_number % 2]
        pid = ask(importer, f"import {paths[target]} {worker}")
        time.sleep(rng.uniform(0, span))
        os.kill(pid, signal.SIGKILL)
        status = ask(importer, "wait")
        now = catalog_now(store)
        assert now in (expected(current), expected(target)), f"a mix after the kill of round {round_number}"
        if now == expected(current):
            assert status == -signal.SIGKILL
            interrupted += 1
        current = target if now == expected(target) else current
    assert interrupted >= 1  # some kills really landed before the import was complete

    # Whatever was killed, the next import runs and completes.
    target = "old" if current == "new" else "new"
    ask(importer, f"import {paths[target]} always")
    assert ask(importer, "wait") == 0, (tmp_path / "import.log").read_text()
    assert catalog_now(store) == expected(target)


@pytest.mark.parametrize("worker", ["never", "always"])
def test_an_item_that_fails_the_feed_leaves_the_old_catalog_whole(session, store, worker):
    current_app.config.update(TTC_CATALOG_IMPORT_WORKER=worker, TTC_CATALOG_FEED_MAX_FIELD_KB=100)
    service.import_feed(session, store, io.BytesIO(feed_text("old").encode()))

    with pytest.raises(FeedError, match=r"^line 152: a field is longer than 100 KB"):
        service.import_feed(session, store, io.BytesIO(feed_text("new", long_field_at=300).encode()))

    assert catalog_now(store) == expected("old")
