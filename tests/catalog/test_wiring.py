"""The catalog plugs into the app from its own init_app: its overview card, its part of the API
document, and a full sync when the connect flow says a store was connected."""
from sqlalchemy import select

from server.catalog import pages
from server.connect.state import mark_connected
from server.extensions import db
from server.models.catalog import SyncRun
from server.models.tiktok import TikTokConnection
from server.stores.navigation import store_panels
from tests.factories import make_store


def test_the_overview_card_is_the_catalogs_own(app):
    panel = {panel.name: panel for panel in store_panels(app)}["catalog"]
    assert (panel.template, panel.order, panel.context) == ("catalog/panel.html", 30, pages.panel_context)


def test_the_api_document_has_the_catalog_and_source_operations(app):
    extra = app.extensions["ttc_openapi"]
    wanted = {"/stores/{key}/products", "/stores/{key}/catalog/sync", "/stores/{key}/catalog/source"}
    assert wanted <= set(extra["paths"])
    assert {"CatalogProduct", "SyncRun", "CatalogSource"} <= set(extra["schemas"])


def test_connecting_a_store_queues_a_full_sync(session):
    store = make_store()
    connection = TikTokConnection(store_id=store.id, advertiser_id="1", bc_id="2", catalog_id="3")
    db.session.add(connection)
    mark_connected(db.session, store, connection, None)
    runs = db.session.execute(select(SyncRun).where(SyncRun.store_id == store.id)).scalars().all()
    assert [(run.kind, run.trigger, run.status) for run in runs] == [("full", "connect", "queued")]
