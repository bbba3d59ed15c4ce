"""Fixtures for the TikTok client tests: a client wired to the emulator, and a catalog."""
from __future__ import annotations

import pytest
import requests

from server.tiktok import LocalPacer, NullPacer, RetryPolicy, TikTokClient
from server.tiktok.catalogs import create_catalog
from tests import conftest as root_conftest

# The root conftest registers the emulator plugin for the whole suite; until it does, its
# fixtures are imported here so this directory runs on its own.
if "tests.tiktok_emulator.pytest_plugin" not in getattr(root_conftest, "pytest_plugins", ()):
    from tests.tiktok_emulator.pytest_plugin import tiktok_emulator, tiktok_emulator_server  # noqa: F401

FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05, rate_limited_delay=0.01)
NO_RETRY = RetryPolicy(max_attempts=1)


@pytest.fixture
def http():
    """A requests session, closed afterwards."""
    with requests.Session() as session:
        yield session


def make_client(emulator, http, *, token=None, retry=NO_RETRY, pacer=None, timeout=(2.0, 2.0)):
    """A client for the emulator with the app's credentials."""
    return TikTokClient(http, base_url=emulator.url, access_token=token, app_id=emulator.app_id,
                        app_secret=emulator.app_secret, timeout=timeout, retry=retry,
                        pacer=pacer or NullPacer(), sleep=lambda seconds: None)


@pytest.fixture
def token(tiktok_emulator):
    """A valid access token for every seeded advertiser."""
    return tiktok_emulator.seed_token()["access_token"]


@pytest.fixture
def client(tiktok_emulator, http, token, tmp_path):
    """A client with a valid token, paced for one host, without retries (errors surface)."""
    pacer = LocalPacer(tmp_path / "pacer")
    yield make_client(tiktok_emulator, http, token=token, pacer=pacer)
    pacer.close()


@pytest.fixture
def catalog(tiktok_emulator, client):
    """``(bc_id, catalog_id)`` of a fresh US/USD catalog."""
    bc_id = tiktok_emulator.bc_id
    return bc_id, create_catalog(client, bc_id, "Test Store", region_code="US", currency="USD")


def product(sku: str, **overrides) -> dict:
    """A valid e-commerce product; keyword arguments replace top-level fields."""
    item = {"sku_id": sku, "title": f"Cotton shirt {sku}", "description": "A plain cotton shirt.",
            "availability": "IN_STOCK", "brand": "Acme", "image_url": f"https://img.example/{sku}-800x800.jpg",
            "product_detail": {"condition": "NEW"}, "price_info": {"price": 19.9, "currency": "USD"},
            "landing_page": {"landing_page_url": f"https://shop.example/p/{sku}"}}
    item.update(overrides)
    return {k: v for k, v in item.items() if v is not None}
