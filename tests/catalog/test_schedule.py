"""When things happen without anyone asking: twice-daily reconciles spread over the day, and TikTok's
review read back until every product has its verdict."""
import time

from server.catalog import bookkeeping, service
from server.catalog.sync import reviews, schedule
from server.catalog.sync.runs import REVIEW_JOB
from server.extensions import db
from server.jobs.runner import run_due
from server.models.catalog import SyncRun
from server.models.job import Job
from tests.catalog.helpers import connect_store, item, states
from tests.factories import make_store

DAY = 86_400


def test_reconciles_are_spread_over_the_day_by_store_key(app):
    with app.app_context():
        offsets = {bookkeeping.offset_seconds(f"store-key-{n}", DAY // 2) for n in range(200)}
        assert bookkeeping.period_seconds() == DAY // 2
    assert len(offsets) > 190 and min(offsets) < DAY // 8 and max(offsets) > DAY // 2 - DAY // 8


def test_each_connected_store_reconciles_twice_a_day_exactly_once(app, session, store, tiktok_emulator):
    idle = make_store(name="Never connected")
    now = time.time()
    service.push_products(session, store, [item("A")])  # creates the store's catalog row
    assert schedule.enqueue_due_reconciles(app, db.session, now=now) == 0  # not due yet

    later = now + DAY // 2 + 1
    assert schedule.enqueue_due_reconciles(app, db.session, now=later) == 1
    assert schedule.enqueue_due_reconciles(app, db.session, now=later) == 0  # another scheduler: nothing more
    # The sync the push queued was still waiting: it became the reconcile (one run, not two).
    runs = db.session.execute(db.select(SyncRun)).scalars().all()
    assert [(run.store_id, run.kind, run.status) for run in runs] == [(store.id, "reconcile", "queued")]
    assert idle.id not in {run.store_id for run in runs}
    assert schedule.enqueue_due_reconciles(app, db.session, now=later + DAY) == 1  # two slots later: once


def test_review_is_read_back_until_every_product_has_a_verdict(app, runner, session, store, tiktok_emulator):
    tiktok_emulator.configure(review_delay_seconds=3600)  # TikTok takes its time
    service.push_products(session, store, [item("A"), item("VAPE", title="Vape")])
    runner.invoke(args=["catalog", "sync", "--store", store.public_key])
    assert states(store) == {"A": "pending_review", "VAPE": "pending_review"}
    follow_up = db.session.execute(db.select(Job).where(Job.kind == REVIEW_JOB)).scalar_one()
    assert follow_up.status == "queued" and follow_up.run_after is not None

    tiktok_emulator.advance_clock(3601)
    db.session.execute(db.update(Job).where(Job.id == follow_up.id).values(run_after=db.func.now()))
    db.session.commit()
    run_due(app, "test-runner")

    assert states(store) == {"A": "listed", "VAPE": "rejected"}
    assert db.session.execute(db.select(db.func.count()).select_from(Job).where(
        Job.kind == REVIEW_JOB, Job.status == "queued")).scalar_one() == 0  # nothing left to ask


def test_big_catalogs_read_reviews_by_listing_the_smaller_set(monkeypatch, runner, session, store, tiktok_emulator):
    monkeypatch.setattr(reviews, "BY_SKU_LIMIT", 2)  # as if there were more than 5,000 waiting
    tiktok_emulator.configure(review_delay_seconds=3600)
    service.push_products(session, store, [item(f"P-{n}") for n in range(6)] + [item("VAPE", title="Vape")])
    runner.invoke(args=["catalog", "sync", "--store", store.public_key, "--no-review"])
    tiktok_emulator.advance_clock(3601)
    tiktok_emulator.clear_requests()

    result = runner.invoke(args=["catalog", "sync", "--store", store.public_key, "--delta"])

    assert "Review: 6 listed, 1 rejected, 0 waiting for TikTok." in result.output
    asked = [r["params"] for r in tiktok_emulator.requests("catalog/product/get/")]
    assert asked and all("sku_ids" not in params for params in asked)


def test_a_second_store_on_its_own_catalog_syncs_apart(runner, session, store, tiktok_emulator):
    other = connect_store(make_store(name="Outra Loja"), tiktok_emulator)
    service.push_products(session, store, [item("A")])
    service.push_products(session, other, [item("B")])
    runner.invoke(args=["catalog", "sync", "--store", other.public_key])
    assert states(other) == {"B": "listed"} and states(store) == {"A": "queued"}
