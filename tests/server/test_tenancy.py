"""Tenancy: a merchant sees and changes only their own stores, on every route the app serves.

The matrix below is built from the app's URL map: a new route that is not classified here fails
``test_every_route_is_classified``, so no page or endpoint can skip the access checks unnoticed.
"""
import pytest

from server.audit import entries_for_store
from server.auth.access import Caller, load_store_for, visible_stores
from server.auth.errors import Forbidden, Unauthorized
from server.errors import NotFound
from server.extensions import db
from tests.accounts import add_to_store, bearer, cheap_hashing, make_api_key, make_user, sign_in  # noqa: F401
from tests.factories import make_store

PUBLIC, LOGIN, READ, WRITE = "public", "login", "read", "write"

# (endpoint, method) -> who may call it. "read"/"write" are store-scoped (the URL names a store).
# A feature that adds a route adds it here, with the access it must have.
ACCESS = {
    ("static", "GET"): PUBLIC,
    ("admin_files.static", "GET"): PUBLIC,
    ("pixel.script", "GET"): PUBLIC,
    ("pixel.config", "GET"): PUBLIC,
    ("pixel.ecwid_script", "GET"): PUBLIC,
    ("ecwid_hooks.ecwid_webhook", "POST"): PUBLIC,  # signed by the Ecwid app's client secret
    ("pixel.config_preflight", "OPTIONS"): PUBLIC,
    ("admin.home", "GET"): PUBLIC,
    ("account.signin", "GET"): PUBLIC,
    ("account.signin_submit", "POST"): PUBLIC,
    ("account.signup", "GET"): PUBLIC,
    ("account.signup_submit", "POST"): PUBLIC,
    ("account.signout", "POST"): PUBLIC,
    ("account.password_forgot", "GET"): PUBLIC,
    ("account.password_forgot_submit", "POST"): PUBLIC,
    ("account.password_reset", "GET"): PUBLIC,  # the signed, single-use token decides (test_account_lifecycle)
    ("account.password_reset_submit", "POST"): PUBLIC,
    ("api.openapi_document", "GET"): PUBLIC,
    ("account.account", "GET"): LOGIN,
    ("account.change_password", "POST"): LOGIN,
    ("account.delete_account", "POST"): LOGIN,
    ("admin.stores", "GET"): LOGIN,
    ("admin.store_new", "GET"): LOGIN,
    ("admin.store_create", "POST"): LOGIN,
    ("api.stores", "GET"): LOGIN,
    ("admin.store_overview", "GET"): READ,
    ("admin.activity", "GET"): READ,
    ("admin.store_settings", "GET"): READ,
    ("pixel_admin.pixel", "GET"): READ,
    ("admin.api_key_list", "GET"): READ,
    ("api.store", "GET"): READ,
    ("api.store_snippets", "GET"): READ,
    ("api.store_snippet", "GET"): READ,
    ("admin.store_settings_save", "POST"): WRITE,
    ("admin.member_add", "POST"): WRITE,
    ("admin.member_remove", "POST"): WRITE,
    ("admin.store_delete", "POST"): WRITE,  # and owners only (test_account_lifecycle)
    ("pixel_admin.pixel_save", "POST"): WRITE,
    ("admin.api_key_create", "POST"): WRITE,
    ("admin.api_key_revoke", "POST"): WRITE,
    ("api.store_update", "PATCH"): WRITE,
    # catalog
    ("catalog_hooks.products_changed", "POST"): PUBLIC,  # signed by the store's webhook secret
    ("catalog_admin.static", "GET"): PUBLIC,
    ("catalog_admin.catalog", "GET"): READ,
    ("catalog_admin.catalog_sync", "POST"): WRITE,
    ("catalog_admin.product_resync", "POST"): WRITE,
    ("catalog_admin.catalog_import", "POST"): WRITE,
    ("catalog_admin.import_page", "GET"): READ,  # and only the store's own imports (test_admin_import)
    ("catalog_api.products_list", "GET"): READ,
    ("catalog_api.product_why", "GET"): READ,
    ("catalog_api.catalog_status", "GET"): READ,
    ("catalog_api.products_put", "PUT"): WRITE,
    ("catalog_api.product_delete", "DELETE"): WRITE,
    ("catalog_api.categories_put", "PUT"): WRITE,
    ("catalog_api.catalog_sync", "POST"): WRITE,
    ("catalog_api.webhook_secret", "POST"): WRITE,
    ("catalog_source_hooks.vtex_notification", "POST"): PUBLIC,  # the path secret decides (tests/catalog)
    ("catalog_source_api.source_get", "GET"): READ,
    ("catalog_source_api.source_put", "PUT"): WRITE,
    ("catalog_source_api.source_test", "POST"): WRITE,
    ("catalog_source_api.source_pull", "POST"): WRITE,
    ("catalog_source_admin.source_test", "POST"): WRITE,
    ("catalog_source_admin.source_save", "POST"): WRITE,
    ("catalog_source_admin.source_pull", "POST"): WRITE,
    ("catalog_source_admin.ecwid_connect", "POST"): WRITE,
    ("catalog_source_admin.ecwid_callback", "GET"): PUBLIC,  # the signed, single-use state decides
    # connect
    ("connect.callback", "GET"): PUBLIC,  # the signed, single-use state decides (tests/connect)
    ("connect.tiktok", "GET"): READ,
    ("connect.start", "POST"): WRITE,
    ("connect.setup", "GET"): WRITE,
    ("connect.setup_save", "POST"): WRITE,
    ("connect.check", "POST"): WRITE,
    ("connect.disconnect", "POST"): WRITE,
    # ads
    ("ads.static", "GET"): PUBLIC,
    ("ads.ads_page", "GET"): READ,
    ("ads.campaign_pause", "POST"): WRITE,
    ("ads.campaign_resume", "POST"): WRITE,
    ("ads.campaign_budget", "POST"): WRITE,
    ("ads.shopping_save", "POST"): WRITE,
    ("ads_launch.launch_form", "GET"): READ,
    ("ads_launch.launch_submit", "POST"): WRITE,
    ("ads_launch.launch_summary", "GET"): READ,
    ("ads_launch.launch_go", "POST"): WRITE,
    ("ads_launch.sets_page", "GET"): READ,
    ("ads_launch.sets_save", "POST"): WRITE,
    ("ads_launch.sets_delete", "POST"): WRITE,
    # events
    ("events.collect", "POST"): PUBLIC,  # shoppers' beacons: the store's origins only (tests/events)
    ("events.collect_preflight", "OPTIONS"): PUBLIC,
    ("events_admin.static", "GET"): PUBLIC,
    ("events_admin.events", "GET"): READ,
    ("events_admin.log_json", "GET"): READ,
    ("events_admin.settings_save", "POST"): WRITE,
    ("events_admin.test_event", "POST"): WRITE,
    ("events_api.order_report", "POST"): WRITE,
}
DECLARED = {LOGIN: "login", READ: "store:read", WRITE: "store:write"}


def _routes(app):
    """Every (rule, method) the app answers, leaving out the HEAD/OPTIONS Flask adds on its own."""
    for rule in app.url_map.iter_rules():
        methods = set(rule.methods) - {"HEAD"}
        if rule.provide_automatic_options:
            methods.discard("OPTIONS")
        for method in sorted(methods):
            yield rule, method


def test_every_route_is_classified(app):
    served = {(rule.endpoint, method) for rule, method in _routes(app)}
    assert served - set(ACCESS) == set(), "classify these routes in ACCESS (and guard them)"
    assert set(ACCESS) - served == set(), "these classified routes no longer exist"


def test_each_view_declares_the_access_its_route_is_classified_with(app):
    for rule, method in _routes(app):
        expected = ACCESS[rule.endpoint, method]
        declared = getattr(app.view_functions[rule.endpoint], "access", PUBLIC)
        assert declared == DECLARED.get(expected, PUBLIC), f"{method} {rule.rule}"


@pytest.fixture
def world(app, session):
    """Ana owns store A, Bea is a member of A, Carl owns store B; each store has an API key."""
    app.config["WTF_CSRF_ENABLED"] = False  # CSRF has its own tests; here only access is under test
    ana, bea, carl = make_user("ana@example.com"), make_user("bea@example.com"), make_user("carl@example.com")
    store_a, store_b = make_store(name="A"), make_store(name="B")
    add_to_store(store_a, ana, "owner")
    add_to_store(store_a, bea, "member")
    add_to_store(store_b, carl, "owner")
    key_row, key_a = make_api_key(store_a)
    _, key_b = make_api_key(store_b)
    return {"store": store_a, "key_id": key_row.id, "key_a": key_a, "key_b": key_b}


def _url(app, rule, method, world):
    values = {"key": world["store"].public_key, "key_id": world["key_id"], "event": "ViewContent",
              "filename": "admin.css", "sku": "SKU-1", "token": "not-a-real-token",
              "job_id": 1, "launch_id": 1, "secret": "not-the-secret"}
    missing = set(rule.arguments) - set(values)
    assert not missing, f"teach the matrix how to fill {missing} in {rule.rule}"
    with app.test_request_context():
        return app.url_map.bind("localhost").build(rule.endpoint, {n: values[n] for n in rule.arguments},
                                                   method=method)


def _call(client, method, url, headers=None):
    if method in ("PATCH", "PUT"):
        response = client.open(url, method=method, json={}, headers=headers)
    else:
        response = client.open(url, method=method, headers=headers, data={} if method == "POST" else None)
    response.close()  # static files answer with an open file
    return response


def _is_sign_in_redirect(response):
    return response.status_code == 302 and response.location.startswith("/signin")


# role -> (who signs in, which API key is sent)
ROLES = {
    "anonymous": (None, None),
    "other merchant": ("carl@example.com", None),
    "other store's API key": (None, "key_b"),
    "member": ("bea@example.com", None),
    "owner": ("ana@example.com", None),
    "store's API key": (None, "key_a"),
}


def _expected(kind, role, is_api):
    """What the role must get from a route of this kind: a status, or "ok" (allowed, any non-refusal)."""
    anonymous = "401" if is_api else "sign-in"
    uses_key = role.endswith("API key")
    if uses_key and not is_api:
        return anonymous  # API keys open the API only, never the admin pages
    if kind == LOGIN:
        return anonymous if role == "anonymous" else "ok"
    if role == "anonymous":
        return anonymous
    if role in ("other merchant", "other store's API key"):
        return "404"
    if kind == WRITE and role == "member":
        return "403"
    return "ok"


def _outcome(response):
    if _is_sign_in_redirect(response):
        return "sign-in"
    if response.status_code == 404 and "no store with key" not in response.get_data(as_text=True).lower():
        return "ok"  # let into the store; something inside it (e.g. a product) does not exist
    if response.status_code in (401, 403, 404):
        return str(response.status_code)
    return "ok" if response.status_code < 500 else f"error {response.status_code}"


@pytest.mark.parametrize("role", list(ROLES))
def test_every_guarded_route_answers_each_role_as_it_should(app, client, world, role):
    email, key_name = ROLES[role]
    if email:
        sign_in(client, email)
    headers = bearer(world[key_name]) if key_name else None
    wrong = []
    for rule, method in _routes(app):
        kind = ACCESS[rule.endpoint, method]
        if kind == PUBLIC:
            continue
        url = _url(app, rule, method, world)
        expected = _expected(kind, role, rule.rule.startswith("/api/"))
        got = _outcome(_call(client, method, url, headers))
        if got != expected:
            wrong.append(f"{method} {url}: expected {expected}, got {got}")
    assert wrong == []


def test_public_routes_answer_everyone_without_errors(app, client, world):
    for rule, method in _routes(app):
        if ACCESS[rule.endpoint, method] == PUBLIC:
            response = _call(client, method, _url(app, rule, method, world))
            assert response.status_code < 500, f"{method} {rule.rule}"


def test_a_store_of_someone_else_looks_exactly_like_a_missing_one(client, world):
    sign_in(client, "carl@example.com")
    mine_elsewhere = client.get(f"/api/v1/stores/{world['store'].public_key}")
    missing = client.get("/api/v1/stores/nosuchstorekey000000")
    assert mine_elsewhere.status_code == missing.status_code == 404
    assert mine_elsewhere.get_json()["error"]["code"] == missing.get_json()["error"]["code"] == "not_found"
    page = client.get(f"/stores/{world['store'].public_key}")
    assert page.status_code == 404 and "A" not in page.get_data(as_text=True).split("<main", 1)[1].split("<h1>")[0]


def test_store_lists_show_only_my_stores(client, world):
    sign_in(client, "carl@example.com")
    assert [s["name"] for s in client.get("/api/v1/stores").get_json()["stores"]] == ["B"]
    page = client.get("/stores").get_data(as_text=True)
    assert ">B</a>" in page and ">A</a>" not in page


def test_an_api_key_sees_only_its_own_store(client, world):
    stores = client.get("/api/v1/stores", headers=bearer(world["key_b"])).get_json()["stores"]
    assert [s["name"] for s in stores] == ["B"]


def test_load_store_for_each_kind_of_caller(session, world):
    from server.auth.accounts import find_user

    key = world["store"].public_key
    ana, bea, carl = (Caller.for_user(find_user(session, e)) for e in
                      ("ana@example.com", "bea@example.com", "carl@example.com"))
    assert load_store_for(session, ana, key, "write").role == "owner"
    assert load_store_for(session, bea, key, "read").role == "member"
    with pytest.raises(Forbidden):
        load_store_for(session, bea, key, "write")
    with pytest.raises(NotFound):
        load_store_for(session, carl, key, "read")
    with pytest.raises(Unauthorized):
        load_store_for(session, None, key, "read")
    assert load_store_for(session, Caller.operator(), key, "write").role == "operator"
    assert [g.store.name for g in visible_stores(session, Caller.operator())] == ["A", "B"]


def test_creating_a_store_in_the_admin_makes_me_its_owner(client, world):
    sign_in(client, "carl@example.com")
    response = client.post("/stores/new", data={"name": "C", "domains": "c.example.com", "platform": "generic",
                                                "country": "US", "currency": "USD"})
    key = response.location.split("/")[2]
    assert client.get(f"/api/v1/stores/{key}").get_json()["role"] == "owner"


def test_cli_add_member(runner, client, world):
    key = world["store"].public_key
    result = runner.invoke(args=["store", "add-member", key, "carl@example.com", "--role", "member"])
    assert result.exit_code == 0, result.output
    sign_in(client, "carl@example.com")
    assert client.get(f"/api/v1/stores/{key}").get_json()["role"] == "member"
    assert client.patch(f"/api/v1/stores/{key}", json={"name": "x"}).status_code == 403
    result = runner.invoke(args=["store", "add-member", key, "carl@example.com", "--role", "owner"])
    assert result.exit_code == 0
    assert client.patch(f"/api/v1/stores/{key}", json={"name": "x"}).status_code == 200
    missing = runner.invoke(args=["store", "add-member", key, "nobody@example.com"])
    assert missing.exit_code != 0 and "sign up first" in missing.output
    assert runner.invoke(args=["store", "add-member", "nosuchstore00", "carl@example.com"]).exit_code != 0


def test_owners_add_members_in_the_admin(client, world):
    sign_in(client, "ana@example.com")
    key = world["store"].public_key
    response = client.post(f"/stores/{key}/members", data={"email": "carl@example.com", "role": "member"})
    assert response.status_code == 302
    page = client.get(f"/stores/{key}/settings").get_data(as_text=True)
    assert "carl@example.com" in page
    refused = client.post(f"/stores/{key}/members", data={"email": "nobody@example.com", "role": "member"})
    assert refused.status_code == 422 and "sign up first" in refused.get_data(as_text=True)


def test_owners_remove_people_who_then_lose_access(client, world):
    key = world["store"].public_key
    sign_in(client, "ana@example.com")
    response = client.post(f"/stores/{key}/members/remove", data={"email": "bea@example.com"})
    assert response.status_code == 302
    page = client.get(f"/stores/{key}/settings").get_data(as_text=True)
    assert "bea@example.com no longer has access" in page and "bea@example.com</span>" not in page
    [latest, *_] = entries_for_store(db.session, world["store"])
    assert (latest.action, latest.details["email"]) == ("member.removed", "bea@example.com")

    client.post("/signout")
    sign_in(client, "bea@example.com")
    assert client.get(f"/stores/{key}").status_code == 404
    assert client.get(f"/api/v1/stores/{key}").status_code == 404


def test_a_store_keeps_at_least_one_owner(client, world):
    key = world["store"].public_key
    sign_in(client, "ana@example.com")

    removed = client.post(f"/stores/{key}/members/remove", data={"email": "ana@example.com"})
    demoted = client.post(f"/stores/{key}/members", data={"email": "ana@example.com", "role": "member"})

    for refused in (removed, demoted):
        assert refused.status_code == 422
        assert "at least one owner" in refused.get_data(as_text=True)
    assert client.get(f"/api/v1/stores/{key}").get_json()["role"] == "owner"
    # With a second owner, the first may leave; they are taken back to their stores.
    client.post(f"/stores/{key}/members", data={"email": "bea@example.com", "role": "owner"})
    left = client.post(f"/stores/{key}/members/remove", data={"email": "ana@example.com"})
    assert left.status_code == 302 and left.location == "/stores"
    assert client.get(f"/stores/{key}").status_code == 404


def test_members_cannot_remove_anyone(client, world):
    key = world["store"].public_key
    sign_in(client, "bea@example.com")

    assert client.post(f"/stores/{key}/members/remove", data={"email": "ana@example.com"}).status_code == 403
    assert "Remove" not in client.get(f"/stores/{key}/settings").get_data(as_text=True)


def test_cli_remove_member(runner, client, world):
    key = world["store"].public_key
    result = runner.invoke(args=["store", "remove-member", key, "bea@example.com"])
    assert result.exit_code == 0 and "no longer has access" in result.output
    last = runner.invoke(args=["store", "remove-member", key, "ana@example.com"])
    assert last.exit_code != 0 and "at least one owner" in last.output
    stranger = runner.invoke(args=["store", "remove-member", key, "carl@example.com"])
    assert stranger.exit_code != 0 and "belongs to this store" in stranger.output
    sign_in(client, "bea@example.com")
    assert client.get(f"/api/v1/stores/{key}").status_code == 404
