"""Syncing against the TikTok emulator over HTTP: full, delta, deletes, orphans, exclusions, review."""
import io

import requests

from server.catalog import service
from server.extensions import db
from server.models.store import Store
from server.tiktok import NullPacer, TikTokClient
from server.tiktok import products as api
from tests.catalog.helpers import cli_json, item, remote, states


def sync(runner, store, *args, expect=0):
    result = runner.invoke(args=["catalog", "sync", "--store", store.public_key, *args])
    assert result.exit_code == expect, result.output
    return result.output


def writes(emulator):
    """Product uploads and deletes TikTok received: [(path, number of items)]."""
    found = []
    for entry in emulator.requests():
        if entry["path"] in ("catalog/product/upload/", "catalog/product/delete/"):
            size = entry["params"].get("products") or entry["params"].get("sku_ids")
            found.append((entry["path"].split("/")[2], int(size.strip("<> items"))))
    return found


def why(runner, store, sku):
    return cli_json(runner, "catalog", "why", "--store", store.public_key, sku, "--json")


def test_first_sync_uploads_every_valid_product_and_lists_them(runner, session, store, tiktok_emulator):
    service.push_products(session, store, [item(f"SKU-{n}") for n in range(12)] + [item("BAD", price="0")])

    output = sync(runner, store)

    on_tiktok = remote(tiktok_emulator, store)
    assert sorted(on_tiktok) == sorted(f"SKU-{n}" for n in range(12))
    assert on_tiktok["SKU-3"]["description"] == "Camiseta de algodão."
    assert on_tiktok["SKU-3"]["price_info"] == {"price": 59.9, "currency": "BRL"}
    assert writes(tiktok_emulator) == [("upload", 12)]
    status = cli_json(runner, "catalog", "status", "--store", store.public_key, "--json")
    assert status["counts"]["listed"] == 12 and status["counts"]["invalid"] == 1
    assert "12 listed" in output
    assert why(runner, store, "BAD")["reasons"][0]["message"] == "price must be greater than 0"


def test_a_delta_sends_only_what_changed_and_nothing_when_nothing_did(runner, session, store, tiktok_emulator):
    service.push_products(session, store, [item(f"SKU-{n}") for n in range(20)])
    sync(runner, store)
    tiktok_emulator.clear_requests()

    service.push_products(session, store, [item(f"SKU-{n}") for n in range(20)])  # same again
    service.push_products(session, store, [item("SKU-4", price="39.90"), item("SKU-9", title="Nova camiseta")])
    sync(runner, store)

    assert writes(tiktok_emulator) == [("upload", 2)]
    assert remote(tiktok_emulator, store)["SKU-4"]["price_info"]["price"] == 39.9
    tiktok_emulator.clear_requests()
    sync(runner, store)
    assert writes(tiktok_emulator) == []


def test_variants_keep_their_group(runner, session, store, tiktok_emulator):
    service.push_products(session, store, [item(f"TEE-{size}", item_group_id="TEE", size=size) for size in "SML"])
    sync(runner, store)
    assert {p["item_group_id"] for p in remote(tiktok_emulator, store).values()} == {"TEE"}


def test_products_removed_from_the_store_leave_tiktok(runner, session, store, tiktok_emulator):
    service.push_products(session, store, [item(f"SKU-{n}") for n in range(5)])
    sync(runner, store)

    service.delete_product(session, store, "SKU-1")
    feed = b"id,title,description,link,image_link,price,availability,condition,brand\n" + b"".join(
        f"SKU-{n},Camiseta {n},Algodao,https://loja.example.com/p/{n},https://loja.example.com/{n}.jpg,"
        f"59.90 BRL,in stock,new,Acme\n".encode() for n in (0, 2))
    service.import_feed(session, store, io.BytesIO(feed))  # the feed no longer has SKU-3 and SKU-4
    sync(runner, store)

    assert sorted(remote(tiktok_emulator, store)) == ["SKU-0", "SKU-2"]
    assert states(store)["SKU-3"] == "deleted"
    answer = why(runner, store, "SKU-1")
    assert answer["state"] == "deleted" and answer["on_tiktok"] is False
    assert answer["reasons"][0]["message"] == "the product was removed from the store"


def test_reconcile_deletes_orphans_and_restores_what_tiktok_lost(runner, session, store, tiktok_emulator):
    service.push_products(session, store, [item(f"SKU-{n}") for n in range(4)])
    sync(runner, store)
    with requests.Session() as http:
        client = TikTokClient(http, base_url=tiktok_emulator.url, access_token=store.test_token, pacer=NullPacer())
        stranger = {**remote(tiktok_emulator, store)["SKU-0"], "sku_id": "NOT-IN-STORE"}
        stranger.pop("audit")
        api.upload_products(client, tiktok_emulator.bc_id, store.test_catalog_id, [stranger])
        api.delete_products(client, tiktok_emulator.bc_id, store.test_catalog_id, ["SKU-2"])

    result = runner.invoke(args=["catalog", "reconcile", "--store", store.public_key])

    assert result.exit_code == 0, result.output
    assert "1 orphan(s), 1 lost" in result.output
    assert sorted(remote(tiktok_emulator, store)) == ["SKU-0", "SKU-1", "SKU-2", "SKU-3"]


def test_hidden_categories_leave_tiktok_and_come_back(runner, session, store, tiktok_emulator):
    service.put_categories(session, store, [{"id": "roupas", "name": "Roupas"},
                                            {"id": "promo", "name": "Promoção", "parent_id": "roupas"}])
    service.push_products(session, store, [item("A", categories=["promo"]), item("B", categories=["roupas"]),
                                           item("C")])
    sync(runner, store)
    assert sorted(remote(tiktok_emulator, store)) == ["A", "B", "C"]

    service.put_categories(session, store, [{"id": "roupas", "name": "Roupas", "hidden": True}])
    assert states(store) == {"A": "excluded", "B": "excluded", "C": "listed"}  # known before any sync
    sync(runner, store)
    assert sorted(remote(tiktok_emulator, store)) == ["C"]
    assert "hidden category 'Roupas'" in why(runner, store, "A")["answer"]

    service.put_categories(session, store, [{"id": "roupas", "name": "Roupas", "hidden": False}])
    sync(runner, store)
    assert sorted(remote(tiktok_emulator, store)) == ["A", "B", "C"]
    assert states(store) == {"A": "listed", "B": "listed", "C": "listed"}


def test_hidden_and_draft_products_stay_off_tiktok_until_published(runner, session, store, tiktok_emulator):
    service.push_products(session, store, [item("A"), item("B", status="draft"), item("C", hidden=True)])
    sync(runner, store)
    assert sorted(remote(tiktok_emulator, store)) == ["A"]
    assert why(runner, store, "B")["reasons"][0]["code"] == "draft"

    service.push_products(session, store, [item("A", status="hidden"), item("B", status="active")])
    sync(runner, store)
    assert sorted(remote(tiktok_emulator, store)) == ["B"]


def test_rejected_then_fixed_then_listed(runner, session, store, tiktok_emulator):
    service.push_products(session, store, [item("VAPE-1", title="Vape descartável")])
    sync(runner, store)
    answer = why(runner, store, "VAPE-1")
    assert answer["state"] == "rejected"
    assert "prohibited industry" in answer["reasons"][0]["message"]
    assert answer["reasons"][0]["suggestion"].startswith("Please change the promoted product")

    service.push_products(session, store, [item("VAPE-1", title="Garrafa térmica")])
    sync(runner, store)
    assert why(runner, store, "VAPE-1")["state"] == "listed"


def test_upload_errors_land_on_their_products(runner, session, store, tiktok_emulator):
    # The TikTok catalog was made in USD while the store sells in BRL: TikTok refuses every product,
    # naming only five of them in its log; the others are confirmed by reading the catalog back.
    store = db.session.get(Store, store.id)
    from server.models.catalog import TikTokConnection
    from tests.catalog.helpers import connect_store
    db.session.query(TikTokConnection).delete()
    store.currency, store.country = "USD", "US"
    db.session.commit()
    store = connect_store(store, tiktok_emulator)
    store.currency, store.country = "BRL", "BR"
    db.session.commit()
    service.push_products(session, store, [item(f"SKU-{n}") for n in range(7)])

    sync(runner, store)

    assert remote(tiktok_emulator, store) == {}
    assert set(states(store).values()) == {"rejected"}
    reasons = {why(runner, store, f"SKU-{n}")["reasons"][0]["message"] for n in range(7)}
    assert reasons == {"price_info.currency: Currency does not match the catalog"}
    tiktok_emulator.clear_requests()
    sync(runner, store)
    assert writes(tiktok_emulator) == []  # refused as it is: not sent again until it changes


def test_resync_forces_an_unchanged_product(runner, session, store, tiktok_emulator):
    service.push_products(session, store, [item("A"), item("B")])
    sync(runner, store)
    tiktok_emulator.clear_requests()
    assert runner.invoke(args=["catalog", "resync", "--store", store.public_key, "B"]).exit_code == 0
    sync(runner, store, "--delta")
    assert writes(tiktok_emulator) == [("upload", 1)]
    tiktok_emulator.clear_requests()
    sync(runner, store, "--force")
    assert writes(tiktok_emulator) == [("upload", 2)]


def test_a_revoked_token_disconnects_the_store_and_stops_the_sync(runner, session, store, tiktok_emulator):
    service.push_products(session, store, [item("A")])
    tiktok_emulator.revoke(store.test_token)

    output = sync(runner, store, expect=1)

    assert "disconnected" in output
    store = db.session.get(Store, store.id)
    db.session.refresh(store)
    assert store.tiktok_state == "disconnected"
    assert "access token" in store.tiktok_state_reason
    assert not store.pixel_live
    answer = why(runner, store, "A")
    assert answer["state"] == "queued" and "disconnected from TikTok" in answer["answer"]
    result = runner.invoke(args=["catalog", "sync", "--store", store.public_key])
    assert result.exit_code == 1 and "not connected to TikTok" in result.output
