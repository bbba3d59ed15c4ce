"""Pytest fixtures: ``vtex_emulator`` (reset before each test) on one threaded server per session."""
from __future__ import annotations

import pytest
import requests

from .server import VtexEmulatorServer
from .state import ACCOUNT, APP_KEY, APP_TOKEN


class VtexHandle:
    """Drive a running VTEX emulator over real HTTP."""

    account, app_key, app_token = ACCOUNT, APP_KEY, APP_TOKEN

    def __init__(self, url):
        self.url = url
        self.http = requests.Session()

    def _post(self, path, body=None):
        response = self.http.post(f"{self.url}/_emulator/{path}", json=body or {}, timeout=30)
        response.raise_for_status()
        return response.json()

    def reset(self, **settings):
        """A fresh account (``products``, ``skus_per_product``, limits ...)."""
        return self._post("reset", settings)

    def faults(self, **faults):
        """Switch faults: storm_429=n, retry_after=s, fail_5xx=n, revoked=True, slow=seconds."""
        return self._post("faults", faults)

    def change_sku(self, sku_id, *, delete=False, context=None, offer=None):
        """Change (or delete) one SKU in the account."""
        return self._post(f"skus/{sku_id}", {"delete": delete, "context": context or {}, "offer": offer or {}})

    def change_category(self, category_id, **fields):
        """Change one category's record (IsActive, ShowInStoreFront...)."""
        return self._post(f"categories/{category_id}", fields)

    def notify(self, url, sku, **fields):
        """Have the account send its affiliate notification for ``sku`` to ``url``."""
        return self._post("notify", {"url": url, "sku": sku, **fields})

    def set_image(self, file_id, width, height):
        """Set the original size of one image file."""
        return self._post(f"images/{file_id}", {"width": width, "height": height})

    def image_requests(self):
        """The image paths asked for so far."""
        return self.http.get(f"{self.url}/_emulator/images", timeout=10).json()["requests"]

    def stats(self):
        """Requests per endpoint, throttled count, affiliates."""
        return self.http.get(f"{self.url}/_emulator/stats", timeout=10).json()


@pytest.fixture(scope="session")
def vtex_emulator_server():
    """One VTEX emulator for the test session."""
    server = VtexEmulatorServer().start()
    yield server
    server.stop()


@pytest.fixture
def vtex_emulator(vtex_emulator_server):
    """The VTEX emulator, reset to a small account with no faults."""
    handle = VtexHandle(vtex_emulator_server.url)
    handle.reset()
    yield handle
    handle.http.close()
