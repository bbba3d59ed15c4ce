"""The admin pages: stores, the Pixel page, API keys, the read-only view of members, the layout."""
import html
import re

import pytest
from flask import Blueprint
from jinja2 import UndefinedError

import snippets
from server import admin
from server.auth.guards import store_required
from server.extensions import db
from server.stores.markets import supported_countries
from tests.accounts import add_to_store, another_app, bearer, cheap_hashing, csrf_token, make_user, sign_in  # noqa: F401
from tests.factories import make_store


@pytest.fixture
def owner(client, session):
    """Ana, signed in, owning one vtex-legacy store."""
    store = make_store(platform="vtex-legacy")
    add_to_store(store, make_user())
    sign_in(client)
    return store


def _post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/stores")})


def _text(response):
    """What a reader sees: the page without tags, entities resolved, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


NEW_STORE = {"name": "Loja", "domains": "loja.example.com", "platform": "generic", "country": "BR", "currency": "BRL"}


def test_new_store_form_offers_the_markets_tiktok_accepts(client, session):
    make_user()
    sign_in(client)
    page = client.get("/stores/new").get_data(as_text=True)
    for code in supported_countries():
        assert f'<option value="{code}"' in page
    markets = re.search(r'<script type="application/json" id="ttc-markets">(.*?)</script>', page).group(1)
    assert '"code": "BR"' in markets and '"currencies": ["BRL"]' in markets


def test_new_store_refusal_names_each_field_next_to_it(client, session):
    make_user()
    sign_in(client)
    response = _post(client, "/stores/new", {**NEW_STORE, "currency": "USD", "phone": "12", "domains": "not a domain"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("currency", "phone", "domains"):
        assert f'id="f-{field}-error"' in page
    assert "TikTok accepts BRL for stores in BR, not USD" in page
    assert 'aria-invalid="true"' in page and 'value="Loja"' in page  # what was typed stays


def test_creating_a_store_leads_to_its_pixel_page(client, session):
    make_user()
    sign_in(client)
    response = _post(client, "/stores/new", NEW_STORE)
    assert re.fullmatch(r"/stores/[\w-]+/pixel", response.location)
    assert "Store “Loja” is ready" in _text(client.get(response.location))
    assert "Loja" in _text(client.get("/stores"))


def test_pixel_page_shows_every_snippet_for_the_store_platform(client, owner, app):
    page = _text(client.get(f"/stores/{owner.public_key}/pixel"))
    assert snippets.render_head(owner.public_key, app.config["TTC_PUBLIC_URL"]) in page
    for event in snippets.platform_events("vtex-legacy"):
        assert re.sub(r"\s+", " ", snippets.render_event(event, "vtex-legacy")) in page
    raw = client.get(f"/stores/{owner.public_key}/pixel").get_data(as_text=True)
    assert raw.count('data-copy="snippet-') == 1 + len(snippets.platform_events("vtex-legacy"))


def test_pixel_page_gives_ecwid_and_vtex_io_stores_their_one_install(client, owner, app):
    base = app.config["TTC_PUBLIC_URL"]
    db.session.execute(db.text("UPDATE stores SET platform = 'ecwid'"))
    db.session.commit()
    ecwid = _text(client.get(f"/stores/{owner.public_key}/pixel"))
    db.session.execute(db.text("UPDATE stores SET platform = 'vtex-io'"))
    db.session.commit()
    vtex_io = _text(client.get(f"/stores/{owner.public_key}/pixel"))

    assert snippets.render_ecwid_tag(owner.public_key, base) in ecwid and "customJsUrl" in ecwid
    assert f"snippet {owner.public_key} --platform vtex-io --out" in vtex_io and "vtex link" in vtex_io
    assert "PRODUCT_SKU" not in ecwid and "PRODUCT_SKU" not in vtex_io


def test_pixel_page_explains_the_injector_for_legacy_cms_stores(client, owner):
    page = _text(client.get(f"/stores/{owner.public_key}/pixel"))
    command = (f"python -m injector apply TEMPLATE_DIR --store {owner.public_key} --server https://connector.test "
               f"--platform vtex-legacy")
    assert f"{command} --dry-run" in page and f"{command} --diff" in page
    db.session.execute(db.text("UPDATE stores SET platform = 'headless'"))
    db.session.commit()
    assert "--dry-run" not in _text(client.get(f"/stores/{owner.public_key}/pixel"))


def test_pixel_page_explains_each_setting(client, owner):
    page = _text(client.get(f"/stores/{owner.public_key}/pixel"))
    assert "What TikTok now recommends for a completed order" in page
    assert "Deprecated by TikTok and sunsets in 2027" in page
    assert "Hold until granted" in page and 'ttc("consent", "grant")' in page
    assert "Advanced matching" in page and "Pixel code" in page


def test_saving_pixel_settings_reaches_the_served_pixel_config(client, owner):
    response = _post(client, f"/stores/{owner.public_key}/pixel", {
        "pixel_enabled": "1", "events": ["ViewContent", "PlaceAnOrder"], "order_event": "Purchase",
        "consent_mode": "hold", "advanced_matching": "1", "pixel_code": "C9Q2MJ3C77U4P674RPG0"})
    assert response.status_code == 302
    config = client.get(f"/pixel/{owner.public_key}/config.json").get_json()
    assert config["events"] == ["ViewContent", "Purchase"] or set(config["events"]) == {"ViewContent", "Purchase"}
    assert (config["order_event"], config["consent_mode"], config["advanced_matching"]) == ("Purchase", "hold", True)
    assert "Pixel settings saved." in _text(client.get(response.location))


def test_switching_the_pixel_off_shows_why_it_is_off(client, owner):
    _post(client, f"/stores/{owner.public_key}/pixel", {"events": ["ViewContent"], "order_event": "Purchase",
                                                        "consent_mode": "none", "pixel_code": ""})
    page = _text(client.get(f"/stores/{owner.public_key}/pixel"))
    assert "Pixel status: off" in page
    assert "switched off in the settings" in page and "no TikTok pixel code yet" in page
    assert client.get(f"/pixel/{owner.public_key}/config.json").get_json()["enabled"] is False


def test_bad_pixel_settings_are_refused_field_by_field(client, owner):
    response = _post(client, f"/stores/{owner.public_key}/pixel", {
        "pixel_enabled": "1", "order_event": "Checkout", "consent_mode": "none", "pixel_code": "<b>"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Nothing was saved" in page
    assert 'id="f-pixel_code-error"' in page and "The order event is PlaceAnOrder or Purchase" in page


def test_overview_shows_tiktok_state_and_why(client, owner):
    owner.tiktok_state, owner.tiktok_state_reason = "disconnected", "the access token was revoked in TikTok"
    db.session.commit()
    page = _text(client.get(f"/stores/{owner.public_key}"))
    assert "TikTok disconnected" in page and "the access token was revoked in TikTok" in page
    assert "Catalog" in page and "Pixel" in page


def test_members_see_everything_read_only(client, session):
    store = make_store()
    add_to_store(store, make_user(), "member")
    sign_in(client)
    page = client.get(f"/stores/{store.public_key}/pixel").get_data(as_text=True)
    assert '<fieldset class="plain" disabled>' in page and "Save pixel settings" not in page
    assert "only an owner can change it" in _text(client.get(f"/stores/{store.public_key}"))
    refused = _post(client, f"/stores/{store.public_key}/pixel", {"consent_mode": "hold"})
    assert refused.status_code == 403 and "only owners can change it" in _text(refused)
    assert "Make API key" not in _text(client.get(f"/stores/{store.public_key}/api-keys"))


def test_an_unknown_store_is_a_404_page_not_json(client, owner):
    response = client.get("/stores/nosuchstorekey0000/pixel")
    assert response.status_code == 404 and response.content_type.startswith("text/html")
    assert "Not found" in _text(response)


def test_a_new_api_key_is_shown_once_then_only_its_prefix(client, owner):
    response = _post(client, f"/stores/{owner.public_key}/api-keys", {"name": "deploy"})
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    key = re.search(r"ttc_[A-Za-z0-9_-]{43}", response.get_data(as_text=True)).group(0)
    assert "shown only this once" in _text(response)
    listed = client.get(f"/stores/{owner.public_key}/api-keys").get_data(as_text=True)
    assert key not in listed and key[:12] in listed and "deploy" in listed
    assert client.get(f"/api/v1/stores/{owner.public_key}", headers=bearer(key)).status_code == 200


def test_revoking_a_key_in_the_admin_stops_it(client, owner):
    created = _post(client, f"/stores/{owner.public_key}/api-keys", {"name": "old"}).get_data(as_text=True)
    key = re.search(r"ttc_[A-Za-z0-9_-]{43}", created).group(0)
    revoke = re.search(r'action="(/stores/[^"]+/revoke)"', created).group(1)
    assert _post(client, revoke, {}).status_code == 302
    assert client.get(f"/api/v1/stores/{owner.public_key}", headers=bearer(key)).status_code == 401
    assert "revoked" in _text(client.get(f"/stores/{owner.public_key}/api-keys"))
    assert _post(client, revoke.replace("/api-keys/", "/api-keys/9999").replace("9999" + revoke.split("/")[4],
                                                                               "99999"), {}).status_code == 404


def test_store_details_can_be_changed_and_are_validated(client, owner):
    url = f"/stores/{owner.public_key}/settings"
    details = {"name": "Renamed", "domains": "loja.example.com\nwww.loja.example.com", "platform": "generic",
               "country": "BR", "currency": "BRL", "phone": ""}
    assert _post(client, url, details).status_code == 302
    assert "Renamed" in _text(client.get(url))
    refused = _post(client, url, {**details, "country": "JP"})
    assert refused.status_code == 422 and "TikTok accepts JPY, USD for stores in JP, not BRL" in _text(refused)


def test_store_values_are_escaped_in_pages(client, session):
    store = make_store(name='<script>alert("x")</script>')
    add_to_store(store, make_user())
    sign_in(client)
    page = client.get(f"/stores/{store.public_key}").get_data(as_text=True)
    assert '<script>alert("x")</script>' not in page and "&lt;script&gt;" in page


def test_pages_carry_security_headers_and_a_skip_link(client, owner):
    response = client.get(f"/stores/{owner.public_key}")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY" and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert '<a class="skip-link" href="#main">' in page and '<main id="main"' in page
    assert 'aria-current="page"' in page and "<script>" not in page.split("</head>")[1]


def test_templates_refuse_undefined_values(app):
    with app.test_request_context():
        with pytest.raises(UndefinedError):
            app.jinja_env.from_string("{{ not_given }}").render()


def test_a_later_feature_adds_a_tab_and_replaces_a_panel_without_touching_the_layout(app, app_config, tmp_path):
    # `app` is asked for only so that its clean-up removes the rows this test adds.
    (tmp_path / "experiments_panel.html").write_text('<section class="card">Experiments running: 42</section>')
    feature = Blueprint("experiments", __name__, template_folder=str(tmp_path))

    @feature.get("/stores/<key>/experiments")
    @store_required("read")
    def experiments(grant):
        return admin.render_page("admin/activity.html", grant=grant, store=grant.store, entries=[])

    with another_app(app_config) as app:
        app.register_blueprint(feature)
        admin.register_store_page(app, "experiments.experiments", "Experiments", order=45)
        admin.register_store_panel(app, "pixel", "experiments_panel.html", order=10)  # same name: replaces
        client = app.test_client()
        with app.app_context():
            store = make_store()
            add_to_store(store, make_user())
            key = store.public_key
        sign_in(client)
        overview = client.get(f"/stores/{key}").get_data(as_text=True)
        tabs = re.findall(r">(\w[\w ]*)</a>", re.findall(r'<nav class="tabs".*?</nav>', overview, re.S)[0])
        assert tabs == [page.label for page in admin.store_pages(app)]
        assert tabs.index("Pixel") < tabs.index("Experiments") < tabs.index("API keys")
        assert "Experiments running: 42" in overview and "Snippets and pixel settings" not in overview
        page = client.get(f"/stores/{key}/experiments").get_data(as_text=True)
        assert re.search(rf'href="/stores/{key}/experiments"\s+aria-current="page"', page)
