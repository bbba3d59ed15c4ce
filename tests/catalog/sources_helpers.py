"""Helpers for catalog-source tests: settings for fast pulls, setting a source from the command line."""
import json

from sqlalchemy import select

from server.extensions import db
from server.models.catalog import CatalogProduct
from server.models.catalog_source import CatalogSource

FAST = {"TTC_VTEX_REQUESTS_PER_MINUTE": 0, "TTC_ECWID_REQUESTS_PER_MINUTE": 0, "TTC_CATALOG_SOURCE_NOTIFY_DELAY": 0,
        "TTC_CATALOG_SOURCE_THREADS": 4, "TTC_CATALOG_SOURCE_RETRY_SECONDS": 60.0,
        "TTC_CATALOG_SOURCE_RETRY_BASE_DELAY": 0.01,
        "TTC_ECWID_CLIENT_SECRET": "emulated_client_secret"}


def set_vtex(runner, store, emulator, **options):
    """``catalog source set --vtex`` for the emulator's account; returns the printed source."""
    args = ["catalog", "source", "set", "--store", store.public_key, "--vtex", emulator.account,
            "--app-key", options.pop("app_key", emulator.app_key), "--app-token", "-", "--base-url", emulator.url]
    for name, value in options.items():
        args += [f"--{name.replace('_', '-')}", str(value)]
    result = runner.invoke(args=args, input=emulator.app_token + "\n")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def set_ecwid(runner, store, emulator, token=None):
    """``catalog source set --ecwid`` for the emulator's store; returns the printed source."""
    result = runner.invoke(args=["catalog", "source", "set", "--store", store.public_key, "--ecwid",
                                 str(emulator.store_id), "--token", "-", "--base-url", emulator.url],
                           input=(token or emulator.token) + "\n")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def pull(runner, store, expect=0):
    """``catalog source pull``; returns its output."""
    result = runner.invoke(args=["catalog", "source", "pull", "--store", store.public_key])
    assert result.exit_code == expect, result.output
    return result.output


def products(store):
    """{sku: product row} of the store's products still in the catalog."""
    rows = db.session.execute(select(CatalogProduct).where(CatalogProduct.store_id == store.id,
                                                           CatalogProduct.removed_at.is_(None))).scalars()
    return {row.sku: row for row in rows}


def source_row(store):
    """The store's CatalogSource row, fresh from the database."""
    db.session.expire_all()
    return db.session.execute(select(CatalogSource).where(CatalogSource.store_id == store.id)).scalar_one()
