"""The catalog over HTTP: the push API (API keys), the signed change webhook, and the admin page."""
import json
import time

from server.catalog.intake.signatures import sign
from server.extensions import db
from tests.accounts import add_to_store, bearer, cheap_hashing, csrf_token, make_user, sign_in  # noqa: F401
from tests.catalog.helpers import item, states

# The store's API key (``key``) and webhook secret (``secret``) are fixtures of tests/catalog/conftest.py.


def test_bulk_put_keeps_the_good_items_and_lists_each_refused_one(client, store, key):
    products = [item(f"SKU-{n}") for n in range(3000)]
    products[7] = {"title": "no id"}
    products[42] = item("SKU-42", price="free")
    products[99] = item("SKU-0")

    response = client.put(f"/api/v1/stores/{store.public_key}/products", json={"products": products},
                          headers=bearer(key))

    assert response.status_code == 200
    body = response.get_json()
    assert (body["received"], body["accepted"], body["error_count"]) == (3000, 2997, 3)
    assert body["errors"] == [
        {"index": 7, "id": None, "message": "id: missing (every product needs its SKU as id)"},
        {"index": 42, "id": "SKU-42", "message": "price: 'free' is not an amount such as '19.90 USD'"},
        {"index": 99, "id": "SKU-0", "message": "duplicate id: the same SKU appears earlier (index 0)"},
    ]
    assert body["sync"]["status"] == "queued"
    assert len(states(store)) == 2997


def test_reading_deleting_and_categories(client, store, key):
    url = f"/api/v1/stores/{store.public_key}"
    client.put(f"{url}/products", json={"products": [item("A", categories=["c1"]), item("B/1")]},
               headers=bearer(key))
    response = client.put(f"{url}/categories", headers=bearer(key),
                          json={"categories": [{"id": "c1", "name": "Sale", "hidden": True}, {"name": "no id"}]})
    assert response.status_code == 200
    assert response.get_json()["errors"] == [{"index": 1, "id": None, "message": "id: required (a string)"}]

    answer = client.get(f"{url}/products/A", headers=bearer(key)).get_json()
    assert answer["state"] == "excluded" and "hidden category 'Sale'" in answer["answer"]
    assert client.delete(f"{url}/products/B/1", headers=bearer(key)).get_json()["removed"] == 1
    page = client.get(f"{url}/products?state=deleted", headers=bearer(key)).get_json()
    assert [p["id"] for p in page["products"]] == ["B/1"]
    assert client.get(f"{url}/products/nothing", headers=bearer(key)).status_code == 404
    assert client.get(f"{url}/catalog", headers=bearer(key)).get_json()["counts"]["excluded"] == 1


def test_members_read_but_may_not_push(client, session, store):
    user = make_user("member@example.com")
    add_to_store(store, user, role="member")
    sign_in(client, "member@example.com")
    url = f"/api/v1/stores/{store.public_key}/products"
    assert client.get(url).status_code == 200
    refused = client.put(url, json={"products": [item("A")]}, headers={"X-CSRF-Token": csrf_token(client, "/stores")})
    assert refused.status_code == 403 and "only owners can change it" in refused.get_json()["error"]["message"]


def test_session_callers_push_with_the_pages_csrf_token(client, session, store):
    add_to_store(store, make_user())
    sign_in(client)
    url = f"/api/v1/stores/{store.public_key}/products"
    assert client.put(url, json={"products": [item("A")]}).status_code == 403  # no token: refused
    answer = client.put(url, json={"products": [item("A")]}, headers={"X-CSRF-Token": csrf_token(client, "/stores")})
    assert answer.status_code == 200 and answer.get_json()["accepted"] == 1


def test_the_openapi_document_describes_the_catalog(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "put" in document["paths"]["/stores/{key}/products"]
    assert "IntakeResult" in document["components"]["schemas"]


def post_hook(client, store, body, secret, *, timestamp=None, signature=None):
    raw = json.dumps(body).encode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    return client.post(f"/hooks/{store.public_key}/products", data=raw, content_type="application/json",
                       headers={"X-TTC-Timestamp": str(timestamp),
                                "X-TTC-Signature": signature or sign(secret, timestamp, raw)})


def test_webhook_signatures_age_and_replays(client, store, secret):
    body = {"products": [item("W-1")]}
    assert post_hook(client, store, body, "not-the-secret").status_code == 401
    assert post_hook(client, store, body, secret, timestamp=int(time.time()) - 301).status_code == 401
    raw = json.dumps(body).encode()
    tampered = client.post(f"/hooks/{store.public_key}/products", data=raw + b" ", content_type="application/json",
                           headers={"X-TTC-Timestamp": str(int(time.time())),
                                    "X-TTC-Signature": sign(secret, int(time.time()), raw)})
    assert tampered.status_code == 401
    now = int(time.time())
    first = post_hook(client, store, body, secret, timestamp=now)
    assert first.status_code == 202 and first.get_json()["accepted"] == 1
    replay = post_hook(client, store, body, secret, timestamp=now)
    assert replay.status_code == 409 and replay.get_json()["error"]["code"] == "webhook_replayed"


def test_the_webhook_secret_is_stored_encrypted(session, store, secret):
    from server.models.catalog import StoreCatalog

    stored = db.session.execute(db.select(StoreCatalog.webhook_secret)).scalar_one()
    assert secret.startswith("whsec_") and secret not in stored


def test_the_catalog_page_shows_counts_reasons_and_resyncs(client, session, store, runner, tiktok_emulator):
    user = make_user()
    add_to_store(store, user)
    from server.catalog import service

    service.push_products(session, store, [item("OK-1"), item("VAPE-1", title="Vape"), item("CHEAP", price="0")])
    runner.invoke(args=["catalog", "sync", "--store", store.public_key])
    sign_in(client)

    page = client.get(f"/stores/{store.public_key}/catalog").get_data(as_text=True)

    assert "Listed: 1" in page and "Rejected: 1" in page and "Invalid: 1" in page
    assert "TikTok suggests: Please change the promoted product" in page
    rejected = page.split('data-sku="VAPE-1"')[1].split("</tr>")[0]
    reason = rejected.split("Not approved by TikTok. ")[1].split(" TikTok suggests")[0]
    assert rejected.count(reason) == 1  # said once, not again in a list below
    assert ".)." not in rejected and ".." not in rejected
    assert "Price must be greater than 0" in page
    overview = client.get(f"/stores/{store.public_key}").get_data(as_text=True)
    assert "2 of 3 products on TikTok" in overview  # the rejected one is in the catalog too
    token = _csrf(page)
    response = client.post(f"/stores/{store.public_key}/catalog/products/OK-1/resync", data={"csrf_token": token})
    assert response.status_code == 302
    assert "OK-1 is queued for upload" in client.get(response.headers["Location"]).get_data(as_text=True)


def _csrf(page):
    import re

    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
