"""Helpers for catalog tests: attaching a store to an emulator catalog, product items, running syncs."""
import json

import requests

from server.extensions import db
from server.models.catalog import CatalogProduct
from server.models.tiktok import TikTokConnection
from server.security import encrypt_secret
from server.tiktok import NullPacer, TikTokClient
from server.tiktok.catalogs import create_catalog


def emulator_settings(**overrides):
    """Emulator settings for fast tests: upload logs finish after one poll, reviews are immediate."""
    return {"log_step_seconds": 0, "log_steps_per_poll": 2, "review_delay_seconds": 0, "write_window_ms": 5,
            **overrides}


def connect_store(store, emulator):
    """Mark ``store`` connected and attach it to a new emulator catalog in its currency (commits)."""
    token = emulator.seed_token()["access_token"]
    with requests.Session() as http:
        client = TikTokClient(http, base_url=emulator.url, access_token=token, pacer=NullPacer())
        catalog_id = create_catalog(client, emulator.bc_id, store.name, region_code=store.country,
                                    currency=store.currency)
    db.session.add(TikTokConnection(store_id=store.id, access_token=encrypt_secret(token),
                                    advertiser_id=emulator.advertiser_ids[0], bc_id=emulator.bc_id,
                                    catalog_id=catalog_id))
    store.tiktok_state = "connected"
    db.session.commit()
    store.test_catalog_id = catalog_id
    store.test_token = token
    return store


def item(sku, **overrides):
    """A valid product as a merchant sends it (Google Merchant Center names)."""
    values = {"id": sku, "title": f"Camiseta {sku}", "description": "<p>Camiseta de <b>algodão</b>.</p>",
              "link": f"https://loja.example.com/p/{sku}", "image_link": f"https://loja.example.com/img/{sku}.jpg",
              "price": "59.90 BRL", "availability": "in stock", "condition": "new", "brand": "Acme"}
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def remote(emulator, store):
    """What TikTok's catalog holds: {sku_id: product data with its audit}."""
    return {sku: {**entry["data"], "audit": entry["audit"]}
            for sku, entry in emulator.catalog_products(store.test_catalog_id).items()}


def states(store):
    """{sku: state} of the store's products."""
    return dict(db.session.execute(db.select(CatalogProduct.sku, CatalogProduct.state)
                                   .where(CatalogProduct.store_id == store.id)).all())


def cli_json(runner, *args):
    """Run a command and parse its JSON output."""
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.output)
