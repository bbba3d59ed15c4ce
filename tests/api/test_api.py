"""The JSON API: API keys, session callers with CSRF, store settings, snippets, errors, OpenAPI."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import update

import snippets
from server.clock import utcnow
from server.models.api_key import ApiKey
from tests.accounts import add_to_store, bearer, cheap_hashing, csrf_token, make_api_key, make_user, sign_in  # noqa: F401
from tests.factories import make_store


@pytest.fixture
def store(session):
    return make_store(name="Loja", platform="vtex-legacy")


@pytest.fixture
def api_key(store):
    return make_api_key(store)[1]


def _error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/json"
    return response.get_json()["error"]


def test_without_credentials_the_api_answers_401_with_a_challenge(client, store):
    error = _error(client.get(f"/api/v1/stores/{store.public_key}"), 401)
    assert error["code"] == "unauthorized" and "Bearer" in error["message"]
    assert client.get("/api/v1/stores").headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer ttc_wrong", "Bearer nottc", "Basic dXNlcjpwYXNz", "Bearer", "ttc_x"])
def test_a_bad_authorization_header_is_401(client, store, api_key, header):
    assert _error(client.get("/api/v1/stores", headers={"Authorization": header}), 401)["code"] == "unauthorized"


def test_api_key_reads_its_store_as_the_settings_json(client, store, api_key):
    body = client.get(f"/api/v1/stores/{store.public_key}", headers=bearer(api_key)).get_json()
    assert body["key"] == store.public_key and body["name"] == "Loja" and body["role"] == "api_key"
    assert body["pixel"]["events"] == ["ViewContent", "AddToCart", "PlaceAnOrder", "InitiateCheckout", "AddPaymentInfo",
                                       "Search"]
    assert "id" not in body


def test_cli_apikey_create_prints_a_key_that_works(runner, client, store):
    result = runner.invoke(args=["apikey", "create", store.public_key, "--name", "deploy"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert re.fullmatch(r"ttc_[A-Za-z0-9_-]{43}", key)
    assert client.get(f"/api/v1/stores/{store.public_key}", headers=bearer(key)).status_code == 200
    listed = runner.invoke(args=["apikey", "list", store.public_key]).output
    assert key[:12] in listed and key not in listed and "deploy" in listed


def test_keys_are_stored_only_as_a_hash(session, store):
    row, key = make_api_key(store)
    assert key not in (row.key_hash, row.prefix) and len(row.key_hash) == 64 and key.startswith(row.prefix)


def test_revoked_key_is_refused(runner, client, store):
    row, key = make_api_key(store)
    assert runner.invoke(args=["apikey", "revoke", store.public_key, str(row.id)]).exit_code == 0
    assert "revoked" in _error(client.get("/api/v1/stores", headers=bearer(key)), 401)["message"]


def test_several_keys_per_store_and_last_use_is_recorded(client, session, store):
    (first, key1), (second, _) = make_api_key(store, "one"), make_api_key(store, "two")
    assert first.last_used_at is None
    client.get("/api/v1/stores", headers=bearer(key1))
    session.refresh(first)
    used = first.last_used_at
    assert used is not None
    # Within the same minute a second call does not write again; later it does.
    client.get("/api/v1/stores", headers=bearer(key1))
    session.refresh(first)
    assert first.last_used_at == used
    session.execute(update(ApiKey).where(ApiKey.id == first.id).values(last_used_at=utcnow() - timedelta(hours=1)))
    session.commit()
    client.get("/api/v1/stores", headers=bearer(key1))
    session.refresh(first)
    assert first.last_used_at > used
    session.refresh(second)
    assert second.last_used_at is None


def test_patch_changes_settings_and_answers_the_new_store(client, store, api_key, session):
    response = client.patch(f"/api/v1/stores/{store.public_key}", headers=bearer(api_key),
                            json={"name": "Nova", "pixel": {"order_event": "PlaceAnOrder", "consent_mode": "hold",
                                                            "events": ["ViewContent", "Purchase"]}})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["name"] == "Nova" and body["pixel"]["order_event"] == "PlaceAnOrder"
    assert body["pixel"]["events"] == ["ViewContent", "PlaceAnOrder"]
    config = client.get(f"/pixel/{store.public_key}/config.json").get_json()
    assert config["order_event"] == "PlaceAnOrder" and config["consent_mode"] == "hold"


def test_patch_validation_errors_are_422_with_every_field_by_json_path(client, store, api_key):
    error = _error(client.patch(f"/api/v1/stores/{store.public_key}", headers=bearer(api_key), json={
        "currency": "USD", "phone": "12", "pixel": {"code": "<script>", "consent_mode": "maybe"}}), 422)
    assert set(error["fields"]) == {"currency", "phone", "pixel.code", "pixel.consent_mode"}
    assert "TikTok accepts BRL for stores in BR, not USD" in error["fields"]["currency"]


@pytest.mark.parametrize("body, field, message", [
    ({"name": 5}, "name", "must be a string"),
    ({"domains": "a.example.com"}, "domains", "must be a list"),
    ({"domains": [1]}, "domains", "must be a list"),
    ({"pixel": {"enabled": "yes"}}, "pixel.enabled", "true or false"),
    ({"pixel": []}, "pixel", "must be an object"),
    ({"key": "abc"}, "key", "read-only"),
    ({"pixel": {"live": True}}, "pixel.live", "read-only"),
    ({"colour": "red"}, "colour", "not a store setting"),
    ([1, 2], "body", "must be a JSON object"),
])
def test_patch_refuses_wrong_types_and_read_only_fields(client, store, api_key, body, field, message):
    error = _error(client.patch(f"/api/v1/stores/{store.public_key}", headers=bearer(api_key), json=body), 422)
    assert message in error["fields"][field]


def test_patch_with_a_body_that_is_not_json_is_422(client, store, api_key):
    response = client.patch(f"/api/v1/stores/{store.public_key}", headers=bearer(api_key), data="name=x")
    assert _error(response, 422)["code"] == "invalid"


def test_session_callers_read_freely_but_change_only_with_the_csrf_header(client, store):
    add_to_store(store, make_user())
    sign_in(client)
    url = f"/api/v1/stores/{store.public_key}"
    assert client.get(url).get_json()["role"] == "owner"
    error = _error(client.patch(url, json={"name": "Nova"}), 403)
    assert error["code"] == "csrf_failed" and "X-CSRF-Token" in error["message"]
    token = csrf_token(client, "/stores")
    assert client.patch(url, json={"name": "Nova"}, headers={"X-CSRF-Token": token}).status_code == 200


def test_members_read_through_the_api_but_may_not_change(client, store):
    add_to_store(store, make_user(), "member")
    sign_in(client)
    url = f"/api/v1/stores/{store.public_key}"
    assert client.get(url).get_json()["role"] == "member"
    token = csrf_token(client, "/stores")
    assert _error(client.patch(url, json={"name": "x"}, headers={"X-CSRF-Token": token}), 403)["code"] == "forbidden"


def test_all_snippets_for_the_store_platform(client, app, store, api_key):
    body = client.get(f"/api/v1/stores/{store.public_key}/snippets", headers=bearer(api_key)).get_json()
    assert body["platform"] == "vtex-legacy"
    assert body["head"] == snippets.render_head(store.public_key, app.config["TTC_PUBLIC_URL"])
    assert [item["event"] for item in body["events"]] == list(snippets.platform_events("vtex-legacy"))
    assert body["events"][0]["snippet"] == snippets.render_event("ViewContent", "vtex-legacy")


def test_one_snippet_for_a_chosen_platform(client, store, api_key):
    url = f"/api/v1/stores/{store.public_key}/snippets"
    body = client.get(f"{url}/Purchase?platform=headless", headers=bearer(api_key)).get_json()
    assert body["snippet"] == snippets.render_event("PlaceAnOrder", "headless", store.currency)
    assert body["platform"] == "headless"
    refused = client.get(f"{url}/ClickButton?platform=generic", headers=bearer(api_key))
    assert "ClickButton" in _error(refused, 422)["message"]
    head = client.get(f"{url}/head", headers=bearer(api_key)).get_json()
    assert f"/pixel/{store.public_key}.js" in head["snippet"]
    assert "platform" in _error(client.get(f"{url}/AddToCart?platform=shopify", headers=bearer(api_key)), 422)["fields"]
    assert "choose one of" in _error(client.get(f"{url}/Checkout", headers=bearer(api_key)), 404)["message"]


def test_werkzeug_errors_come_in_the_same_json_shape(client, store, api_key):
    error = _error(client.delete(f"/api/v1/stores/{store.public_key}", headers=bearer(api_key)), 405)
    assert error["code"] == "method_not_allowed" and error["message"]
    assert _error(client.get("/api/v1/nothing/here", headers=bearer(api_key)), 404)["code"] == "not_found"


def _documented(document):
    return {(path, method.upper()) for path, item in document["paths"].items()
            for method in item if method in ("get", "put", "post", "patch", "delete")}


def test_openapi_document_lists_exactly_the_routes_the_app_serves(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len("/api/v1"):])
            served |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == _documented(document)
    for path, item in document["paths"].items():
        names = {p["name"] for p in item.get("parameters", [])} | {
            p["name"] for op in item.values() if isinstance(op, dict) for p in op.get("parameters", [])}
        assert set(re.findall(r"{(\w+)}", path)) <= names, path


def test_cli_takes_store_keys_that_start_with_a_dash(runner, client, session, store):
    store.public_key = "-oStoreKeyWithDash0000"
    session.commit()
    result = runner.invoke(args=["apikey", "create", store.public_key, "--name", "dash"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert client.get(f"/api/v1/stores/{store.public_key}", headers=bearer(key)).status_code == 200
    assert "dash" in runner.invoke(args=["apikey", "list", store.public_key]).output
