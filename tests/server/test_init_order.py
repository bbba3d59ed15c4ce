"""The features plug into the shells from their own ``init_app``: the order they start in changes nothing
a user would notice (pages, tabs, cards, the API document, the pixel) nor the routes and registries."""
import re
from contextlib import contextmanager

import pytest

from server import admin
from server.app import FEATURES, create_app
from server.extensions import db
from server.pixel import PUBLIC_FIELDS
from server.stores.deletion import STEPS
from tests.accounts import add_to_store, cheap_hashing, make_user, sign_in  # noqa: F401
from tests.factories import make_store

REVERSED = tuple(reversed(FEATURES))


@contextmanager
def built(config, features):
    """An application on the test database with ``features`` started in this order, closed afterwards."""
    app = create_app(config, features=features)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def reversed_app(app, app_config):
    """The application with its features' init_apps in reverse order (``app``'s clean-up empties the rows)."""
    with built(app_config, REVERSED) as application:
        yield application


def _routes(app):
    return sorted((rule.rule, rule.endpoint, tuple(sorted(rule.methods))) for rule in app.url_map.iter_rules())


def _navigation(app):
    pages = [(page.endpoint, page.label, page.order, page.also) for page in admin.store_pages(app)]
    panels = [(panel.name, panel.template, panel.order, panel.context is None) for panel in admin.store_panels(app)]
    return pages, panels


def _hooks(app):
    return ([field.__qualname__ for field in app.extensions[PUBLIC_FIELDS]],
            sorted(app.extensions[STEPS]))


def test_the_features_really_start_in_reverse(reversed_app):
    assert REVERSED[0] is not FEATURES[0]


def test_routes_and_registries_do_not_depend_on_the_order(app, reversed_app):
    assert _routes(reversed_app) == _routes(app)
    assert _navigation(reversed_app) == _navigation(app)
    assert _hooks(reversed_app) == _hooks(app)


def test_sign_in_page(reversed_app):
    response = reversed_app.test_client().get("/signin")
    assert response.status_code == 200 and "Sign in" in response.get_data(as_text=True)


def test_store_overview_shows_every_feature_tab_and_card(reversed_app):
    client = reversed_app.test_client()
    with reversed_app.app_context():
        store = make_store()
        add_to_store(store, make_user())
        key = store.public_key
    sign_in(client)
    overview = client.get(f"/stores/{key}").get_data(as_text=True)
    tabs = re.findall(r">(\w[\w ]*)</a>", re.findall(r'<nav class="tabs".*?</nav>', overview, re.S)[0])
    assert tabs == [page.label for page in admin.store_pages(reversed_app)]
    for label in ("Overview", "TikTok", "Pixel", "Events", "Catalog", "Ads", "API keys", "Settings"):
        assert label in tabs
    for card in ("panel-pixel", "panel-tiktok", "panel-catalog", "panel-activity"):
        assert f'id="{card}"' in overview


def test_openapi_lists_catalog_and_events_paths(reversed_app):
    paths = reversed_app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    assert "/stores/{key}/products" in paths and "/stores/{key}/catalog/source" in paths  # catalog
    assert "/stores/{key}/orders" in paths  # events


def test_pixel_configuration(reversed_app):
    with reversed_app.app_context():
        key = make_store().public_key
    response = reversed_app.test_client().get(f"/pixel/{key}/config.json")
    assert response.status_code == 200
    assert response.get_json()["enabled"] is True
