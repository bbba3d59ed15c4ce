"""kill -9 the sync process at random points, twenty times: nothing is lost, nothing duplicated."""
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from server.catalog import service
from server.extensions import db
from server.models.catalog import CatalogProduct, SyncBatch
from tests.catalog.helpers import item, remote
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
KILLS = 20
PRODUCTS = 240


def environment(app_config, emulator):
    """What each sync process runs with: the test's database, instance folder and emulator."""
    return {**os.environ, "TTC_DATABASE_URL": app_config["TTC_DATABASE_URL"], "TTC_AUTO_MIGRATE": "false",
            "TTC_INSTANCE_PATH": app_config["INSTANCE_PATH"], "TTC_TIKTOK_API_BASE": emulator.url,
            "TTC_IMAGE_CHECKS": "false", "TTC_CATALOG_UPLOAD_BATCH": "40", "TTC_CATALOG_LOG_POLL_SECONDS": "0.05",
            "TTC_TIKTOK_TIMEOUT": "3", "TTC_TIKTOK_RETRY_BASE_DELAY": "0.05", "TTC_LOG_LEVEL": "ERROR"}


@pytest.fixture
def forker(app_config, store, tiktok_emulator, tmp_path):
    """A process that forks ``tiktok-connector catalog sync`` processes on demand (see sync_forker)."""
    env = {**environment(app_config, tiktok_emulator), "SYNC_LOG": str(tmp_path / "sync.log")}
    process = subprocess.Popen([sys.executable, "-m", "tests.catalog.sync_forker", store.public_key], cwd=ROOT,
                               env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    yield process
    process.stdin.close()
    process.wait(30)
    process.stdout.close()


def ask(forker, command):
    forker.stdin.write(command + "\n")
    forker.stdin.flush()
    return int(forker.stdout.readline())


def let_the_lease_lapse(instance_path, emulator):
    """What two minutes do for a writer killed mid-call: its last request finishes at TikTok, then
    its catalog lease lapses. The test waits for the first and moves the pacer's clock for the second."""
    quiet, seen = time.monotonic(), None
    while time.monotonic() - quiet < 0.1:
        count = emulator.stats().get("requests", 0)
        if count != seen or any(r["http_status"] is None for r in emulator.requests()):
            quiet, seen = time.monotonic(), count
        time.sleep(0.02)
    path = Path(instance_path) / "tiktok-pacer.sqlite3"
    if path.exists():
        with closing(sqlite3.connect(path)) as pacer, pacer:
            pacer.execute("UPDATE leases SET expires = 0")


def change_the_store(session, store, rng, round_number):
    """Between crashes the merchant keeps working: prices change, products come and go, categories hide."""
    changed = [item(f"P-{n}", price=f"{rng.randint(10, 99)}.90", categories=[f"cat-{n % 3}"])
               for n in rng.sample(range(PRODUCTS), 15)]
    added = [item(f"NEW-{round_number}-{n}", categories=["cat-1"]) for n in range(5)]
    service.push_products(session, store, changed + added)
    for sku in rng.sample(range(PRODUCTS), 3):
        service.delete_product(session, store, f"P-{sku}")
    service.put_categories(session, store, [{"id": "cat-2", "name": "Sale", "hidden": round_number % 4 == 1}])


@pytest.mark.slow
def test_kill_9_at_random_points_loses_and_duplicates_nothing(app_config, session, store, tiktok_emulator, forker,
                                                              tmp_path):
    tiktok_emulator.configure(write_window_ms=100)  # a slow-ish TikTok
    rng = random.Random(1234)
    service.put_categories(session, store, [{"id": f"cat-{n}", "name": f"Category {n}"} for n in range(3)])
    service.push_products(session, store, [item(f"P-{n}", categories=[f"cat-{n % 3}"]) for n in range(PRODUCTS)])
    killed_mid_sync = 0
    for round_number in range(KILLS):
        change_the_store(session, store, rng, round_number)
        before = tiktok_emulator.stats().get("requests", 0)
        pid = ask(forker, "run")
        wait_until(lambda before=before: tiktok_emulator.stats().get("requests", 0) != before,
                   timeout=30, interval=0.005, message="the sync never reached TikTok")
        time.sleep(rng.uniform(0, 0.4))
        os.kill(pid, signal.SIGKILL)
        killed_mid_sync += ask(forker, "wait") == -signal.SIGKILL
        let_the_lease_lapse(app_config["INSTANCE_PATH"], tiktok_emulator)
    assert killed_mid_sync >= KILLS * 3 // 4  # the kills really landed in the middle of syncs

    ask(forker, "run")
    assert ask(forker, "wait") == 0, (tmp_path / "sync.log").read_text()

    db.session.expire_all()
    products = db.session.execute(db.select(CatalogProduct).where(CatalogProduct.store_id == store.id)).scalars().all()
    sale_hidden = (KILLS - 1) % 4 == 1
    wanted = {p.sku: p for p in products if p.removed_at is None and not (sale_hidden and "cat-2" in p.category_ids)}
    assert len(products) == PRODUCTS + 5 * KILLS  # nothing lost, nothing twice
    on_tiktok = remote(tiktok_emulator, store)
    extra = {s: (p.state, p.removed_at, p.synced_hash, p.category_ids, p.reasons) for s, p in
             ((p.sku, p) for p in products) if s in on_tiktok and s not in wanted}
    missing = {s: (p.state, p.removed_at, p.synced_hash, p.category_ids)
               for s, p in wanted.items() if s not in on_tiktok}
    assert sorted(on_tiktok) == sorted(wanted), (extra, missing,
                                                 [s for s in on_tiktok if s not in {p.sku for p in products}])
    for sku, product in wanted.items():
        assert on_tiktok[sku]["price_info"]["price"] == float(product.data["price"]), sku
    assert {p.state for p in products} <= {"pending_review", "listed", "excluded", "deleted"}
    assert all((p.synced_hash is not None) == (p.sku in wanted) for p in products)
    assert db.session.execute(db.select(SyncBatch).where(SyncBatch.status.in_(("pending", "sending", "sent")))
                              ).first() is None
    assert tiktok_emulator.stats().get("write_conflicts", 0) == 0

    tiktok_emulator.clear_requests()
    ask(forker, "run")
    assert ask(forker, "wait") == 0
    assert [r for r in tiktok_emulator.requests() if r["path"] in ("catalog/product/upload/",
                                                                   "catalog/product/delete/")] == []
