"""Pytest fixtures for the TikTok emulator: ``tiktok_emulator`` (function scope, reset before
each test) on top of ``tiktok_emulator_server`` (one threaded server per session)."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from .server import EmulatorServer
from .state import DEFAULT_APP_ID, DEFAULT_APP_SECRET

_INPUT = re.compile(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*>')


class EmulatorHandle:
    """Drive a running emulator over real HTTP: seed it, inject faults, read what it received."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.auth_url = self.url + "/portal/auth"
        self.api_base = self.url + "/open_api/v1.3/"
        self.app_id = DEFAULT_APP_ID
        self.app_secret = DEFAULT_APP_SECRET
        self.http = requests.Session()
        self._world: dict | None = None

    def close(self) -> None:
        """Close the control connection."""
        self.http.close()

    def _call(self, method: str, path: str, **kwargs):
        response = self.http.request(method, self.url + "/_emulator/" + path, timeout=10, **kwargs)
        response.raise_for_status()
        return response.json()

    # world and settings
    def reset(self, **settings) -> None:
        """Forget all state; keyword arguments override default settings."""
        self._call("POST", "reset", json={"settings": settings})
        self._world = None

    def configure(self, **settings) -> dict:
        """Change settings (rate limits, write window, log speed, review rules...)."""
        return self._call("POST", "config", json=settings)

    def pass_rate_windows(self) -> None:
        """Let the per-second rate windows pass without waiting (calls made so far stop counting)."""
        self._call("POST", "rate_windows/pass")

    def settings(self) -> dict:
        """The current settings."""
        return self._call("GET", "config")

    def world(self) -> dict:
        """Seeded ids: ``bc_id``, ``advertisers``, ``pixels``, ``campaigns``."""
        if self._world is None:
            self._world = self._call("GET", "world")
        return self._world

    @property
    def bc_id(self) -> str:
        """The seeded Business Center id."""
        return self.world()["bc_id"]

    @property
    def advertiser_ids(self) -> list[str]:
        """The seeded advertiser ids (the first one owns the seeded pixel)."""
        return [a["advertiser_id"] for a in self.world()["advertisers"]]

    @property
    def pixel_code(self) -> str:
        """The seeded pixel's code."""
        return self.world()["pixels"][0]["pixel_code"]

    def app_settings(self, **overrides) -> dict:
        """Settings that point the connector at this emulator, with fast retries and no image checks."""
        settings = {
            "TTC_TIKTOK_API_BASE": self.url,
            "TTC_TIKTOK_AUTH_URL": self.auth_url,
            "TTC_TIKTOK_APP_ID": self.app_id,
            "TTC_TIKTOK_APP_SECRET": self.app_secret,
            "TTC_TIKTOK_TIMEOUT": 5.0,
            "TTC_TIKTOK_MAX_ATTEMPTS": 2,
            "TTC_TIKTOK_RETRY_BASE_DELAY": 0.01,
            "TTC_JOB_POLL_SECONDS": 0.05,
            "TTC_IMAGE_CHECKS": False,
        }
        settings.update(overrides)
        return settings

    # credentials
    def seed_token(self, *, advertiser_ids=None, scope=None, app_id=None) -> dict:
        """A fresh access token without OAuth: ``{access_token, advertiser_ids, scope, bc_id}``."""
        return self._call("POST", "tokens", json={"advertiser_ids": advertiser_ids, "scope": scope,
                                                  "app_id": app_id})

    def issue_auth_code(self, *, advertiser_ids=None, app_id=None) -> str:
        """An auth code as the consent page would issue it."""
        return self._call("POST", "auth_codes", json={"advertiser_ids": advertiser_ids,
                                                      "app_id": app_id})["auth_code"]

    def authorize(self, redirect_uri: str, state: str, *, app_id: str | None = None) -> dict:
        """Open the consent page, submit it, and return the callback's query (auth_code, state)."""
        page = self.http.get(self.auth_url, params={"app_id": app_id or self.app_id, "state": state,
                                                    "redirect_uri": redirect_uri}, timeout=10)
        page.raise_for_status()
        fields = _INPUT.findall(page.text)
        answer = self.http.post(self.auth_url, data=fields, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text
        query = parse_qs(urlsplit(answer.headers["Location"]).query)
        return {key: values[0] for key, values in query.items()}

    def revoke(self, access_token: str) -> None:
        """Revoke a token as the advertiser would, from TikTok's side."""
        self._call("POST", "tokens/revoke", json={"access_token": access_token})

    # faults
    def add_fault(self, kind: str, *, path: str | None = None, rate: float = 1.0, count: int | None = None,
                  **extra) -> None:
        """Fail matching API calls: kind ``http_error`` (``status``), ``timeout``/``slow``
        (``seconds``), ``garbage``, ``code`` (``code``) or ``rate_limit``; ``count`` calls or forever."""
        self._call("POST", "faults", json={"kind": kind, "path": path, "rate": rate, "count": count, **extra})

    def clear_faults(self) -> None:
        """Remove every fault."""
        self._call("DELETE", "faults")

    # what happened
    def requests(self, path: str | None = None) -> list[dict]:
        """API calls received (method, path, http_status, code, params without secrets)."""
        return self._call("GET", "requests", params={"path": path} if path else None)

    def clear_requests(self) -> None:
        """Empty the request log."""
        self._call("DELETE", "requests")

    def stats(self) -> dict:
        """Counters: requests, rate_limited, write_conflicts, catalog_writes, fault_*, events_received."""
        return self._call("GET", "stats")

    def register_images(self, sizes: dict) -> None:
        """Tell the emulator image sizes: ``{url: (width, height)}``."""
        self._call("POST", "images", json={"images": {u: list(s) for u, s in sizes.items()}})

    def advance_clock(self, seconds: float) -> None:
        """Move the emulator's clock forward (expires auth codes, finishes logs and reviews)."""
        self._call("POST", "clock", json={"advance": seconds})

    def campaigns(self, advertiser_id: str | None = None) -> dict:
        """Campaigns as stored now (status, budget...), by campaign id, optionally for one advertiser."""
        found = self._call("GET", "world")["campaigns"]
        return {c["campaign_id"]: c for c in found if advertiser_id is None or c["advertiser_id"] == advertiser_id}

    def catalogs(self) -> list[dict]:
        """Catalogs as stored."""
        return self._call("GET", "catalogs")

    def catalog_products(self, catalog_id: str) -> dict:
        """A catalog's products by sku_id, with the review each shows now."""
        return self._call("GET", f"catalogs/{catalog_id}/products")

    def seed_products(self, catalog_id: str, count: int, *, prefix: str = "S-", start: int = 0,
                      audit_status: str = "approved") -> int:
        """Put ``count`` reviewed products straight into a catalog; returns its product count."""
        total = 0
        for first in range(start, start + count, 25_000):  # short calls, well inside the timeout
            total = self._call("POST", f"catalogs/{catalog_id}/seed", json={
                "count": min(25_000, start + count - first), "prefix": prefix, "start": first,
                "audit_status": audit_status})["product_count"]
        return total

    def events(self, pixel_code: str | None = None) -> list[dict]:
        """Events received through the Events API."""
        return self._call("GET", "events", params={"pixel_code": pixel_code} if pixel_code else None)


@pytest.fixture(scope="session")
def tiktok_emulator_server():
    """One emulator server for the session, on a free loopback port."""
    server = EmulatorServer().start()
    yield server
    server.stop()


@pytest.fixture
def tiktok_emulator(tiktok_emulator_server):
    """A freshly reset emulator: ``.url`` (host root), ``.auth_url``, ``.app_id``, ``.app_secret``."""
    handle = EmulatorHandle(tiktok_emulator_server.url)
    handle.reset()
    yield handle
    handle.close()
