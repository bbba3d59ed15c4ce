"""An Ecwid store as the catalog source, against the Ecwid emulator over HTTP: the full pull with
combinations, hidden categories and disabled products (reversibly), deltas, faults, and webhooks
signed as Ecwid signs them (replays ignored, uninstall disconnects)."""
import pytest
from sqlalchemy import func, select

from server.events.ecwid_orders import signature as ecwid_signature
from server.extensions import db
from server.jobs.runner import run_due
from server.models.catalog import ImageCheck
from server.models.job import Job
from tests.catalog.sources_helpers import FAST, products, pull, set_ecwid, source_row


@pytest.fixture
def app_config(app_config):
    """Unpaced requests, no notification delay, the emulator's app secret."""
    return {**app_config, **FAST}


def test_the_reference_signature_vector():
    assert ecwid_signature("my_client_secret", 1700000000, "5a1c1a8e-3f2b-4c47-9d0e-1e2f3a4b5c6d") == \
        "Q3m7bHSENqHtJyn53xM26avAl+kJ+GZtWTVkNaXKhvU="


def test_a_pull_reads_100_a_page_and_makes_combinations_variants(runner, store, ecwid_emulator):
    ecwid_emulator.reset(products=250)
    result = runner.invoke(args=["catalog", "source", "test", "--store", store.public_key])
    assert result.exit_code == 1  # no source yet
    set_ecwid(runner, store, ecwid_emulator)
    tested = runner.invoke(args=["catalog", "source", "test", "--store", store.public_key])
    assert '"name": "Loja Emulada"' in tested.output and '"product_count": 250' in tested.output

    output = pull(runner, store)

    # 84 of the 250 products have two combinations each: 166 + 168 SKUs.
    assert "334 read: 334 ready for TikTok, 0 invalid, 0 refused (malformed), 0 removed (334 new or changed" in output
    assert ecwid_emulator.stats()["requests"]["products"] == 3 + 1  # three pages (and the test's count)
    rows = products(store)
    first = ecwid_emulator.first_product
    small, large = rows[f"{first}-{first * 10 + 1}"], rows[f"{first}-{first * 10 + 2}"]
    assert small.item_group_id == large.item_group_id == str(first)
    assert small.data["title"] == "Caneca 0 (P)" and small.data["availability"] == "OUT_OF_STOCK"
    assert large.data["price"] == "41.90" and large.data["availability"] == "IN_STOCK"
    single = rows[str(first + 1)]
    assert single.data["brand"] == "Cerâmica Emulada" and single.data["link"].endswith(f"-p{first + 1}")
    image = db.session.execute(select(ImageCheck).where(ImageCheck.url == single.image_url)).scalar_one()
    assert (image.outcome, image.width, image.height) == ("ok", 1200, 1200)  # known without a download


def test_a_hidden_category_or_disabled_product_is_excluded_and_comes_back(runner, store, ecwid_emulator):
    set_ecwid(runner, store, ecwid_emulator)
    first = ecwid_emulator.first_product
    ecwid_emulator.set_category(101, False)  # products first+1, first+4, ...
    ecwid_emulator.change_product(first + 2, enabled=False)
    pull(runner, store)
    rows = products(store)
    assert rows[str(first + 1)].state == "excluded" and rows[str(first + 4)].state == "excluded"
    assert rows[str(first + 2)].state == "excluded" and rows[str(first + 5)].state == "queued"

    ecwid_emulator.set_category(101, True)
    ecwid_emulator.change_product(first + 2, enabled=True)
    pull(runner, store)
    assert {row.state for row in products(store).values()} == {"queued"}


@pytest.mark.parametrize("fault, words", [({"revoked": True}, "INVALID_API_TOKEN"),
                                          ({"suspended": True}, "STORE_IS_SUSPENDED"),
                                          ({"fail_5xx": 10_000}, "HTTP 500"),
                                          ({"storm_429": 10_000, "retry_after": 0}, "HTTP 429")])
def test_a_failed_pull_changes_nothing_and_says_why(runner, store, ecwid_emulator, fault, words):
    set_ecwid(runner, store, ecwid_emulator)
    pull(runner, store)
    before = {sku: row.data for sku, row in products(store).items()}
    ecwid_emulator.delete_product(ecwid_emulator.first_product + 1)
    ecwid_emulator.faults(**fault)
    assert words in pull(runner, store, expect=1)
    assert {sku: row.data for sku, row in products(store).items()} == before
    source = source_row(store)
    assert source.state == "broken" and words in source.state_reason


def test_a_delta_takes_changes_and_deletions_since_the_last_pull(app, runner, store, ecwid_emulator):
    set_ecwid(runner, store, ecwid_emulator)
    pull(runner, store)
    first = ecwid_emulator.first_product
    ecwid_emulator.change_product(first + 1, name="Caneca renomeada")
    ecwid_emulator.delete_product(first + 2)
    from server import jobs

    jobs.enqueue(db.session, "catalog.source.delta", {"store_id": store.id})
    db.session.commit()
    run_due(app, "test-runner")
    db.session.expire_all()
    rows = products(store)
    assert rows[str(first + 1)].data["title"] == "Caneca renomeada" and str(first + 2) not in rows


def _hook(live_server, store):
    return f"{live_server.url}/hooks/{store.public_key}/ecwid"


def test_webhooks_refetch_the_product_and_a_replay_is_ignored(live_server, store, ecwid_emulator):
    app = live_server.app
    runner = app.test_cli_runner()
    set_ecwid(runner, store, ecwid_emulator)
    pull(runner, store)
    first = ecwid_emulator.first_product
    ecwid_emulator.change_product(first + 1, name="Caneca nova", defaultDisplayedPrice=10.0)

    sent = ecwid_emulator.webhook(_hook(live_server, store), "product.updated", first + 1)
    assert sent["status"] == 200, sent["body"]
    replayed = ecwid_emulator.replay(_hook(live_server, store), sent)
    assert replayed["status"] == 200 and "already received" in replayed["body"]
    forged = ecwid_emulator.webhook(_hook(live_server, store), "product.deleted", first + 4,
                                    client_secret="someone_else")
    assert forged["status"] == 401
    assert db.session.execute(select(func.count()).select_from(Job).where(
        Job.kind == "catalog.source.refresh")).scalar_one() == 1
    run_due(app, "test-runner")
    db.session.expire_all()
    assert products(store)[str(first + 1)].data["title"] == "Caneca nova"
    assert str(first + 4) in products(store)


def test_a_category_webhook_restores_its_products_and_deletion_removes(live_server, store, ecwid_emulator):
    app = live_server.app
    runner = app.test_cli_runner()
    set_ecwid(runner, store, ecwid_emulator)
    first = ecwid_emulator.first_product
    ecwid_emulator.set_category(101, False)
    pull(runner, store)
    assert products(store)[str(first + 1)].state == "excluded"
    ecwid_emulator.set_category(101, True)
    ecwid_emulator.delete_product(first + 3)
    assert ecwid_emulator.webhook(_hook(live_server, store), "category.updated", 101)["status"] == 200
    assert ecwid_emulator.webhook(_hook(live_server, store), "product.deleted", first + 3)["status"] == 200
    run_due(app, "test-runner")
    db.session.expire_all()
    rows = products(store)
    assert rows[str(first + 1)].state not in ("excluded", "deleted")  # back, and on its way to TikTok
    assert not [sku for sku in rows if sku.startswith(str(first + 3))]


def test_uninstalling_the_app_disconnects_the_source(live_server, store, ecwid_emulator):
    runner = live_server.app.test_cli_runner()
    set_ecwid(runner, store, ecwid_emulator)
    answer = ecwid_emulator.webhook(_hook(live_server, store), "application.uninstalled", str(ecwid_emulator.store_id))
    assert answer["status"] == 200
    source = source_row(store)
    assert source.state == "disconnected" and source.credentials is None and source.next_pull_at is None
    assert "uninstalled" in pull(runner, store, expect=1)


def test_the_profile_check_says_a_closed_store_and_a_currency_tiktok_does_not_take(runner, store, ecwid_emulator):
    ecwid_emulator.reset(closed=True, currency="EUR")
    set_ecwid(runner, store, ecwid_emulator)
    result = runner.invoke(args=["catalog", "source", "test", "--store", store.public_key])
    assert result.exit_code == 0, result.output
    assert "TikTok does not take EUR prices for BR" in result.output
    assert "the platform sells in EUR, the store is set to BRL" in result.output
    assert "the store is closed on the platform" in result.output


def test_an_order_whose_shopper_never_came_back_is_read_from_ecwid_and_filed(live_server, store, ecwid_emulator):
    from server.events import settings as event_settings

    runner = live_server.app.test_cli_runner()
    set_ecwid(runner, store, ecwid_emulator)
    event_settings.update_settings(db.session, store, None, server_events=True)
    ecwid_emulator.place_order(7001, vendorOrderNumber="XJ77", total=49.0, email="ana@example.com",
                               items=[{"productId": ecwid_emulator.first_product + 1, "name": "Caneca",
                                       "price": 24.5, "quantity": 2}])

    filed = ecwid_emulator.webhook(_hook(live_server, store), "order.created", 7001, data={"orderId": 7001})
    unknown = ecwid_emulator.webhook(_hook(live_server, store), "order.created", 7002, data={"orderId": 7002})

    assert filed["status"] == 200 and '"event_id":"order:XJ77"' in filed["body"].replace(" ", "")
    assert unknown["status"] == 200 and "no such order" in unknown["body"]
    assert ecwid_emulator.stats()["requests"]["order"] == 2


def test_image_sizes_follow_the_store_and_a_measured_image_is_corrected(runner, store, ecwid_emulator):
    set_ecwid(runner, store, ecwid_emulator)
    first = ecwid_emulator.first_product
    pull(runner, store)
    url = products(store)[str(first + 1)].image_url
    row = db.session.execute(select(ImageCheck).where(ImageCheck.url == url)).scalar_one()
    row.outcome, row.width, row.height, row.message = "unreachable", None, None, "HTTP 503"  # measured badly once
    db.session.commit()
    ecwid_emulator.change_product(first + 2, originalImage={"url": "x", "width": 3000, "height": 450})

    pull(runner, store)

    db.session.expire_all()
    checks = {c.url: c for c in db.session.execute(select(ImageCheck)).scalars()}
    assert (checks[url].outcome, checks[url].width, checks[url].message) == ("ok", 1200, None)
    wide = checks[products(store)[str(first + 2)].image_url]
    assert (wide.outcome, wide.width, wide.height) == ("too_small", 1500, 225)  # fitted into 1500 px
    assert "1500x225 px; TikTok needs at least 500x500" in wide.message
    assert len(checks) == 12  # one per product, written once each
