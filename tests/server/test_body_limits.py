"""Body caps and hostile JSON over HTTP: 413 before a body is read, the webhook's signature checked
as the body streams in, and JSON no sender means answered 422, never 500."""
import json
import socket
import threading
import time
import tracemalloc

import pytest
import requests

from server.catalog.intake.signatures import rotate_secret, sign
from server.extensions import db
from tests.accounts import bearer, cheap_hashing, make_api_key  # noqa: F401
from tests.factories import make_store

MB = 1_048_576


@pytest.fixture
def store(session):
    return make_store()


@pytest.fixture
def secret(store):
    return rotate_secret(db.session, store)


def hook_headers(secret, body, *, signature=None):
    now = int(time.time())
    return {"Content-Type": "application/json", "X-TTC-Timestamp": str(now),
            "X-TTC-Signature": signature or sign(secret, now, body)}


def raw_request(url, head, first_bytes):
    """Send a request's head and only the first bytes of its body; returns the status line of the answer."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as connection:
        connection.sendall(head.encode("ascii") + first_bytes)
        answer = connection.recv(65536).decode("latin-1")
    return answer.split("\r\n", 1)[0]


def test_a_huge_webhook_body_is_refused_413_before_it_is_read(live_server, secret, store):
    head = (f"POST /hooks/{store.public_key}/products HTTP/1.1\r\nHost: x\r\n"
            f"Content-Type: application/json\r\nContent-Length: {400 * MB}\r\n"
            f"X-TTC-Timestamp: {int(time.time())}\r\nX-TTC-Signature: sha256={'0' * 64}\r\n\r\n")

    # The rest of the 400 MB never comes: a server reading it first would wait for ever.
    assert raw_request(live_server.url, head, b'{"products": [') == "HTTP/1.1 413 REQUEST ENTITY TOO LARGE"


class HeldMemory:
    """The most memory the server held at once during a block, sampled every few milliseconds, not
    counting werkzeug's development server draining the socket after each answer (gunicorn does not)."""

    def __init__(self, threshold):
        self.threshold = threshold
        self.most = 0
        self._done = threading.Event()

    def __enter__(self):
        tracemalloc.start()
        self._sampler = threading.Thread(target=self._sample)
        self._sampler.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._sampler.join()
        tracemalloc.stop()

    def _sample(self):
        outside_drain = [tracemalloc.Filter(False, "*/werkzeug/serving.py")]
        while not self._done.wait(0.002):
            if tracemalloc.get_traced_memory()[0] > self.threshold:
                held = sum(stat.size for stat in tracemalloc.take_snapshot().filter_traces(outside_drain)
                           .statistics("filename"))
                self.most = max(self.most, held)


def test_a_large_webhook_body_with_a_bad_signature_never_sits_in_memory(live_server, secret, store):
    body = b'{"products": [' + b'{"id": "SKU", "title": "x"},' * (20 * MB // 28) + b'{"id": "last"}]}'
    headers = hook_headers(secret, body, signature="sha256=" + "0" * 64)

    with HeldMemory(threshold=len(body) // 4) as memory:
        response = requests.post(live_server(f"/hooks/{store.public_key}/products"), data=body, headers=headers,
                                 timeout=120)

    assert response.status_code == 401
    assert memory.most < len(body) // 4  # hashed as it streamed in, kept on disk: never the whole body in memory


def test_a_large_correctly_signed_webhook_body_is_taken(live_server, secret, store):
    body = json.dumps({"products": [{"id": f"SKU-{n}", "title": "x" * 1000} for n in range(2500)]}).encode()
    assert len(body) > 2 * MB

    response = requests.post(live_server(f"/hooks/{store.public_key}/products"), data=body,
                             headers=hook_headers(secret, body), timeout=120)

    assert response.status_code == 202


@pytest.mark.parametrize("body", [b"[" * 100000, b'{"products": [{"id": "A", "price": NaN}]}',
                                  b'{"products": [{"id": "\\ud800"}]}',
                                  b'{"products": ' + b"[" * 500 + b"]" * 500 + b"}",
                                  b'{"products": [{"id": "A", "price": 1e999}]}'],
                         ids=["deep", "NaN", "lone surrogate", "nested", "huge number"])
def test_a_signed_webhook_body_that_is_not_plain_json_gets_422(client, secret, store, body):
    response = client.post(f"/hooks/{store.public_key}/products", data=body, headers=hook_headers(secret, body))

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid"


@pytest.mark.parametrize("route", ["PUT /products", "PUT /categories", "PATCH ", "POST /orders",
                                   "POST /catalog/sync"])
def test_api_bodies_that_are_not_plain_json_get_422(client, store, route):
    method, path = route.split(" ")
    _, key = make_api_key(store)
    for body in (b"[" * 100000, b'{"products": [{"id": "A", "value": NaN}]}', b'{"name": "\\udfff"}'):
        response = client.open(f"/api/v1/stores/{store.public_key}{path}", method=method, data=body,
                               content_type="application/json", headers=bearer(key))
        assert response.status_code in (409, 422), (route, body[:20], response.status_code)


def test_a_body_over_the_cap_is_refused_413_on_every_route(live_server, store):
    for path in ("/signin", f"/api/v1/stores/{store.public_key}/orders", f"/pixel/{store.public_key}/events"):
        head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {2 * MB}\r\n\r\n"
        assert raw_request(live_server.url, head, b"{") .startswith("HTTP/1.1 413"), path


def test_the_catalog_push_takes_bodies_larger_than_the_general_cap(client, store):
    _, key = make_api_key(store)
    products = [{"id": f"SKU-{n}", "title": "x" * 1000} for n in range(1500)]

    response = client.put(f"/api/v1/stores/{store.public_key}/products", json={"products": products},
                          headers=bearer(key))

    assert response.status_code != 413
    too_big = client.post(f"/api/v1/stores/{store.public_key}/orders", json={"products": products},
                         headers=bearer(key))
    assert too_big.status_code == 413
