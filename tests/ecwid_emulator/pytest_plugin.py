"""Pytest fixtures: ``ecwid_emulator`` (reset before each test) on one threaded server per session."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from .server import EcwidEmulatorServer
from .state import CLIENT_ID, CLIENT_SECRET, FIRST_PRODUCT, STORE_ID, TOKEN


class EcwidHandle:
    """Drive a running Ecwid emulator over real HTTP."""

    store_id, token, client_secret, first_product = STORE_ID, TOKEN, CLIENT_SECRET, FIRST_PRODUCT
    client_id = CLIENT_ID

    def __init__(self, url):
        self.url = url
        self.http = requests.Session()

    def _post(self, path, body=None):
        response = self.http.post(f"{self.url}/_emulator/{path}", json=body or {}, timeout=30)
        response.raise_for_status()
        return response.json()

    def reset(self, **settings):
        """A fresh store (``products``, ``per_minute``, ``closed`` ...)."""
        return self._post("reset", settings)

    def faults(self, **faults):
        """Switch faults: storm_429=n, retry_after=s, fail_5xx=n, revoked=True, suspended=True, slow=s."""
        return self._post("faults", faults)

    def change_product(self, product_id, **fields):
        """Change one product's fields (its updateTimestamp moves on)."""
        return self._post(f"products/{product_id}", {"fields": fields})

    def delete_product(self, product_id):
        """Delete one product."""
        return self._post(f"products/{product_id}", {"delete": True})

    def set_category(self, category_id, enabled):
        """Enable or hide a category."""
        return self._post(f"categories/{category_id}", {"enabled": enabled})

    def place_order(self, order_id, **fields):
        """An order the REST API then returns (``vendorOrderNumber``, ``total``, ``items``...)."""
        return self._post(f"orders/{order_id}", fields)

    def webhook(self, url, event_type, entity_id, **extra):
        """Send a signed webhook to ``url``; the answer includes the event and signature sent."""
        return self._post("webhook", {"url": url, "eventType": event_type, "entityId": entity_id, **extra})

    def replay(self, url, sent):
        """Send an earlier webhook again, byte for byte (its event and signature)."""
        return self._post("webhook", {"url": url, "raw": {"event": sent["event"], "signature": sent["signature"]}})

    def decide(self, authorize_url, decision="approve"):
        """The merchant answers the authorize page at ``authorize_url``: the URL Ecwid sends them back to
        (the page itself must load first, as in a browser)."""
        page = self.http.get(authorize_url, timeout=10, allow_redirects=False)
        assert page.status_code == 200, page.text
        fields = dict(parse_qsl(urlsplit(authorize_url).query))
        answer = self.http.post(f"{self.url}/api/oauth/authorize", data={**fields, "decision": decision},
                                timeout=10, allow_redirects=False)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]

    def expire_codes(self):
        """Every code issued so far expires."""
        return self._post("oauth/expire")

    def oauth_tokens(self):
        """The OAuth tokens Ecwid accepts now."""
        return self.http.get(f"{self.url}/_emulator/oauth/tokens", timeout=10).json()["tokens"]

    def stats(self):
        """Requests per endpoint and the throttled count."""
        return self.http.get(f"{self.url}/_emulator/stats", timeout=10).json()


@pytest.fixture(scope="session")
def ecwid_emulator_server():
    """One Ecwid emulator for the test session."""
    server = EcwidEmulatorServer().start()
    yield server
    server.stop()


@pytest.fixture
def ecwid_emulator(ecwid_emulator_server):
    """The Ecwid emulator, reset to a small store with no faults."""
    handle = EcwidHandle(ecwid_emulator_server.url)
    handle.reset()
    yield handle
    handle.http.close()
