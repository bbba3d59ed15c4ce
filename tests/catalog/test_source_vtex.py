"""A VTEX account as the catalog source, against the VTEX emulator over HTTP: the full pull, hidden
categories and inactive SKUs (reversibly), faults, and the affiliate notification."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from server.clock import as_utc
from server.extensions import db
from server.jobs.runner import run_due
from server.models.job import Job
from tests.catalog.sources_helpers import FAST, products, pull, set_vtex, source_row


@pytest.fixture
def app_config(app_config):
    """Unpaced requests, no notification delay."""
    return {**app_config, **FAST}


def test_a_pull_reads_every_sku_through_the_id_listing_and_imports_them(runner, store, vtex_emulator):
    vtex_emulator.reset(products=700, skus_per_product=2,  # 1,400 SKUs: two pages of ids
                        per_endpoint_per_minute=10**7, per_account_per_minute=10**7)
    shown = set_vtex(runner, store, vtex_emulator)
    assert vtex_emulator.app_token not in str(shown) and shown["has_credentials"]
    assert vtex_emulator.app_token not in source_row(store).credentials  # encrypted at rest

    output = pull(runner, store)

    assert ("1400 read: 1400 ready for TikTok, 0 invalid, 0 refused (malformed), 0 removed (1400 new or changed"
            in output)
    stats = vtex_emulator.stats()["requests"]
    assert stats["stockkeepingunitids"] == 2 and stats["stockkeepingunitbyid"] == 1400
    assert stats["simulation"] == 28  # 50 SKUs a call
    product = products(store)["3"]
    assert product.item_group_id == "1001"
    assert product.data["price"] == "79.90" and product.data["sale_price"] == "62.90"
    assert product.data["link"] == "https://loja.example.com/camiseta-1001/p"
    assert product.data["image_link"].startswith("https://lojaemulada.vteximg.com.br/arquivos/ids/3-1000-1000/")
    assert product.data["brand"] == "Marca Emulada" and product.data["gtin"] == "7890000000031"
    assert product.state == "queued"
    source = source_row(store)
    assert source.state == "ok" and source.last_summary["received"] == 1400
    assert as_utc(source.next_pull_at) > datetime.now(UTC)


def test_an_inactive_category_or_sku_is_excluded_and_comes_back(runner, store, vtex_emulator):
    vtex_emulator.reset(products=8, skus_per_product=1, categories=2)  # products 1000-1007: category 10 or 11
    set_vtex(runner, store, vtex_emulator)
    vtex_emulator.change_category(10, IsActive=False)
    vtex_emulator.change_sku(2, context={"IsActive": False})
    pull(runner, store)
    rows = products(store)
    in_ten = [sku for sku, row in rows.items() if int(row.item_group_id) % 2 == 0]
    assert {rows[sku].state for sku in in_ten} == {"excluded"}
    assert rows[in_ten[0]].reasons[0]["code"] == "hidden_category"
    assert rows["2"].state == "excluded" and rows["2"].reasons[0]["code"] == "hidden"

    vtex_emulator.change_category(10, IsActive=True)
    vtex_emulator.change_sku(2, context={"IsActive": True})
    pull(runner, store)
    assert {row.state for row in products(store).values()} == {"queued"}


def test_a_short_429_storm_is_waited_out(runner, store, vtex_emulator):
    set_vtex(runner, store, vtex_emulator)
    vtex_emulator.faults(storm_429=3, retry_after=0)
    assert "40 read: " in pull(runner, store)
    assert vtex_emulator.stats()["throttled"] == 3


@pytest.mark.parametrize("fault, words", [({"revoked": True}, "HTTP 401"),
                                          ({"fail_5xx": 10_000}, "HTTP 503"),
                                          ({"storm_429": 10_000, "retry_after": 0}, "HTTP 429")])
def test_a_failed_pull_changes_nothing_and_marks_the_source_broken(runner, store, vtex_emulator, fault, words):
    set_vtex(runner, store, vtex_emulator)
    pull(runner, store)
    before = {sku: row.data for sku, row in products(store).items()}
    vtex_emulator.change_sku(1, offer={"sellingPrice": 100})
    vtex_emulator.faults(**fault)

    output = pull(runner, store, expect=1)

    assert words in output
    assert {sku: row.data for sku, row in products(store).items()} == before
    source = source_row(store)
    assert source.state == "broken" and words in source.state_reason and source.failures == 1
    waited = (as_utc(source.next_pull_at) - datetime.now(UTC)).total_seconds()
    assert 0 < waited <= 60  # backoff: TTC_CATALOG_SOURCE_RETRY_SECONDS, not the next scheduled time

    vtex_emulator.faults()
    pull(runner, store)
    assert source_row(store).state == "ok" and products(store)["1"].data["sale_price"] == "1.00"


def _notify_url(live_server, store):
    source = source_row(store)
    from server.catalog.sources.service import notify_secret

    with live_server.app.app_context():
        return f"{live_server.url}/hooks/{store.public_key}/vtex/{notify_secret(source)}"


def test_a_notification_refetches_the_sku_once_per_burst(live_server, store, vtex_emulator):
    app = live_server.app
    runner = app.test_cli_runner()
    set_vtex(runner, store, vtex_emulator)
    pull(runner, store)
    url = _notify_url(live_server, store)
    vtex_emulator.change_sku(5, offer={"sellingPrice": 1234}, context={"NameComplete": "Camiseta nova"})
    before = vtex_emulator.stats()["requests"]["stockkeepingunitbyid"]

    answers = [vtex_emulator.notify(url, 5, price=True) for _ in range(5)]

    assert {a["status"] for a in answers} == {200}
    queued = db.session.execute(select(func.count()).select_from(Job).where(
        Job.kind == "catalog.source.refresh", Job.status == "queued")).scalar_one()
    assert queued == 1
    run_due(app, "test-runner")
    assert vtex_emulator.stats()["requests"]["stockkeepingunitbyid"] == before + 1
    db.session.expire_all()
    product = products(store)["5"]
    assert product.data["title"] == "Camiseta nova" and product.data["sale_price"] == "12.34"
    assert db.session.execute(select(Job).where(Job.kind == "catalog.sync")).first() is not None


def test_a_notification_for_a_deleted_sku_removes_it(live_server, store, vtex_emulator):
    runner = live_server.app.test_cli_runner()
    set_vtex(runner, store, vtex_emulator)
    pull(runner, store)
    vtex_emulator.change_sku(7, delete=True)
    assert vtex_emulator.notify(_notify_url(live_server, store), 7)["status"] == 200
    run_due(live_server.app, "test-runner")
    db.session.expire_all()
    assert "7" not in products(store) and "8" in products(store)


def test_a_notification_is_refused_with_a_wrong_secret_or_account(live_server, store, vtex_emulator):
    runner = live_server.app.test_cli_runner()
    set_vtex(runner, store, vtex_emulator)
    url = _notify_url(live_server, store)
    assert vtex_emulator.notify(url + "x", 5)["status"] == 404
    assert vtex_emulator.notify(url, 5, an="outraloja.myvtex")["status"] == 401
    assert vtex_emulator.notify(url, 5, extra={"IdSku": "not-a-sku"})["status"] == 422
    assert db.session.execute(select(func.count()).select_from(Job).where(
        Job.kind == "catalog.source.refresh")).scalar_one() == 0


def test_setting_the_source_points_the_affiliate_at_the_notification_url(runner, store, vtex_emulator):
    shown = set_vtex(runner, store, vtex_emulator)
    assert shown["notifications"]["configured"] is True
    affiliate = vtex_emulator.stats()["affiliates"]["TKT"]
    assert affiliate["searchURIEndpoint"] == shown["notifications"]["url"]
    assert f"/hooks/{store.public_key}/vtex/" in affiliate["searchURIEndpoint"] and affiliate["salesChannel"] == "1"

    vtex_emulator.faults(revoked=True)  # a key without the affiliate permission: the steps by hand
    shown = set_vtex(runner, store, vtex_emulator)
    assert shown["notifications"]["configured"] is False and "Affiliates" in shown["notifications"]["steps"][0]


def test_the_notification_secret_never_reaches_a_log_line():
    from server.logs import redact

    line = redact('127.0.0.1 - - "POST /hooks/Kx9/vtex/8JwCs9OsCsT5MoZsddmOok3wEjBGYMy5 HTTP/1.1" 200 -')
    assert "8JwCs9Os" not in line and "/hooks/Kx9/vtex/[redacted]" in line


def test_rotating_the_token_key_re_encrypts_source_credentials(app, runner, store, vtex_emulator):
    from cryptography.fernet import Fernet

    set_vtex(runner, store, vtex_emulator)
    before = source_row(store).credentials
    new_key = Fernet.generate_key().decode()
    app.config["TTC_TOKEN_KEY"] = f"{new_key},{app.config['TTC_TOKEN_KEY']}"
    result = runner.invoke(args=["tiktok", "rotate-tokens"])
    assert result.exit_code == 0 and "2 catalog source secret(s)" in result.output, result.output
    assert source_row(store).credentials != before
    app.config["TTC_TOKEN_KEY"] = new_key  # the old key can go: the source still reads its credentials
    assert "40 read: " in pull(runner, store)
