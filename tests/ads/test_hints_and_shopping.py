"""Catalog-aware hints (products catalog ads can show, the events they need) and TikTok Shopping
(who can apply, what TikTok asks for, the application state recorded by hand and audited)."""
import datetime as dt

import pytest
from bs4 import BeautifulSoup

from server.extensions import db
from server.models.audit import AuditEntry
from server.models.catalog import CatalogProduct
from server.models.events import EventSettings, ServerEvent
from tests.accounts import add_to_store, make_user, sign_in
from tests.ads.helpers import connect_store, post_change, utc_today
from tests.factories import make_store


def _product(store, sku, state="listed", availability="IN_STOCK", visibility="active"):
    db.session.add(CatalogProduct(store_id=store.id, sku=sku, data={"id": sku, "availability": availability},
                                  visibility=visibility, source_hash="0" * 32, state=state))


def _soup(client, store):
    response = client.get(f"/stores/{store.public_key}/ads")
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_products_eligible_for_catalog_ads_are_approved_active_and_in_stock(client, store):
    for n in range(3):
        _product(store, f"OK-{n}")
    _product(store, "SOLD-OUT", availability="OUT_OF_STOCK")
    _product(store, "PREORDER", availability="PREORDER")
    _product(store, "WAITING", state="pending_review")
    _product(store, "REFUSED", state="rejected")
    _product(store, "DRAFT", state="excluded", visibility="draft")
    _product(store, "GONE", state="deleted")
    db.session.commit()
    sign_in(client, "ana@example.com")

    hints = _soup(client, store).find(id="catalog-ads")

    assert " ".join(hints.find(id="eligible-products").get_text().split()) == \
        "3 of 8 products can appear in catalog ads."
    text = " ".join(hints.get_text().split())
    assert "2 approved but out of stock or hidden" in text
    assert "1 waiting to be sent or for TikTok's review" in text
    assert "1 not approved by TikTok" in text


def test_the_events_catalog_ads_need_are_listed_with_the_pixel_settings(client, store):
    store.events = ["ViewContent", "PlaceAnOrder"]
    store.order_event = "Purchase"
    db.session.commit()
    sign_in(client, "ana@example.com")

    table = _soup(client, store).find(id="catalog-events")

    rows = {row["data-event"]: " ".join(row.get_text(" ").split()) for row in table.tbody.find_all("tr")}
    assert list(rows) == ["ViewContent", "AddToCart", "Purchase", "InitiateCheckout", "AddPaymentInfo", "Search"]
    assert "On" in rows["ViewContent"] and "Off" in rows["AddToCart"] and "Off" in rows["Search"]
    assert rows["Search"].startswith("Search (funnel)")
    # A platform that reports sign-ups and wishlists lists them too.
    store.platform = "generic"
    db.session.commit()
    table = _soup(client, store).find(id="catalog-events")
    assert [row["data-event"] for row in table.tbody.find_all("tr")][3:] == [
        "InitiateCheckout", "AddPaymentInfo", "Search", "CompleteRegistration", "AddToWishlist"]
    assert rows["Purchase"].startswith("Purchase (the order event) as Purchase or PlaceAnOrder")
    assert all("Unknown" in row for row in rows.values())  # no event log to ask


def _event(store, name, *, ago, ids=(), contents=(), test=False, status="sent"):
    moment = dt.datetime.now(dt.UTC) - ago
    properties = {"content_ids": list(ids)} if ids else {"contents": [{"content_id": c} for c in contents]}
    db.session.add(ServerEvent(store_id=store.id, event=name, event_id=f"{name}-{len(ids)}-{ago}-{test}-{status}",
                               status=status, from_browser=True, test=test, event_time=int(moment.timestamp()),
                               properties=properties, created_at=moment, updated_at=moment))


def test_without_server_events_whether_events_arrived_is_unknown(client, store):
    sign_in(client, "ana@example.com")
    soup = _soup(client, store)
    rows = soup.find(id="catalog-events").tbody.find_all("tr")
    assert all("Unknown" in row.get_text() for row in rows)
    note = soup.find(id="events-unknown")
    assert "server events are off" in note.get_text()
    assert note.find("a", string="Events page")["href"] == f"/stores/{store.public_key}/events"


def test_events_seen_in_the_last_seven_days_come_from_the_event_log(client, store):
    db.session.add(EventSettings(store_id=store.id, server_events=True))
    _product(store, "SKU-1")
    _product(store, "SKU-2", state="rejected")
    hour = dt.timedelta(hours=1)
    _event(store, "ViewContent", ago=hour, ids=["SKU-1"])
    _event(store, "ViewContent", ago=2 * hour, ids=["SKU-2", "other"])
    _event(store, "ViewContent", ago=3 * hour, ids=["not-a-sku"])
    _event(store, "ViewContent", ago=4 * hour, ids=["SKU-1"], test=True)  # test events are not the shop's
    _event(store, "AddToCart", ago=dt.timedelta(days=8), ids=["SKU-1"])  # too old
    _event(store, "AddToCart", ago=hour, ids=["SKU-1"], status="dropped")  # e.g. a bot
    _event(store, "PlaceAnOrder", ago=5 * hour, contents=["SKU-1"])  # the order event under its other name
    db.session.commit()
    sign_in(client, "ana@example.com")

    table = _soup(client, store).find(id="catalog-events")

    rows = {row["data-event"]: " ".join(row.get_text(" ").split()) for row in table.tbody.find_all("tr")}
    assert "Seen 3" in rows["ViewContent"] and rows["ViewContent"].endswith("2 of 3 latest checked")
    assert "Not seen" in rows["AddToCart"]
    assert "Seen 1" in rows["Purchase"] and rows["Purchase"].endswith("1 of 1 latest checked")


@pytest.mark.parametrize("country, currency, url", [("US", "USD", "https://seller-us.tiktok.com/"),
                                                    ("GB", "GBP", "https://seller-uk.tiktok.com/")])
def test_us_and_uk_stores_can_apply_for_tiktok_shopping(client, session, tiktok_emulator, country, currency, url):
    store = connect_store(make_store(country=country, currency=currency, phone="+1 415 555 0100"), tiktok_emulator)
    add_to_store(store, make_user(), "owner")
    _product(store, "OK-1")
    db.session.commit()
    sign_in(client)

    shopping = _soup(client, store).find(id="shopping")

    assert "This store can apply" in shopping.find(id="shopping-availability").get_text()
    assert shopping.find(id="shopping-apply")["href"] == url
    met = {li["data-requirement"]: "Done:" in li.get_text() for li in shopping.find_all("li")}
    assert met == {"country": True, "catalog": True, "approved": True}


def test_other_stores_are_told_tiktok_shopping_is_not_offered_to_them(client, store):
    sign_in(client, "ana@example.com")
    shopping = _soup(client, store).find(id="shopping")
    assert "Not available for this store" in shopping.get_text()
    assert shopping.find(id="shopping-apply") is None and shopping.find("form") is None
    assert "the United States and the United Kingdom" in " ".join(shopping.get_text().split())
    refused = post_change(client, store, "shopping", {"state": "applied", "applied_on": "2026-01-05"})
    assert refused.status_code == 303
    assert "offered only to stores in" in client.get(refused.location).get_data(as_text=True)


def test_the_application_state_is_recorded_by_hand_and_audited(client, session, tiktok_emulator):
    store = connect_store(make_store(country="US", currency="USD", phone="+1 415 555 0100"), tiktok_emulator)
    add_to_store(store, make_user(), "owner")
    sign_in(client)
    sent = (utc_today() - dt.timedelta(days=3)).isoformat()

    missing_date = post_change(client, store, "shopping", {"state": "applied"})
    assert "give the date the application was sent" in client.get(missing_date.location).get_data(as_text=True)
    future = (utc_today() + dt.timedelta(days=1)).isoformat()
    post_change(client, store, "shopping", {"state": "applied", "applied_on": future})
    saved = post_change(client, store, "shopping", {"state": "applied", "applied_on": sent})
    assert saved.location.endswith("#shopping")

    state = _soup(client, store).find(id="shopping-state")
    assert "Applied" in state.get_text() and f"sent on {sent}" in " ".join(state.get_text().split())
    assert "recorded by ana@example.com" in state.get_text()
    post_change(client, store, "shopping", {"state": "approved", "applied_on": sent})
    entries = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "ads.shopping_application")
                                 .order_by(AuditEntry.id)).scalars().all()
    assert [(e.details["from"], e.details["to"]) for e in entries] == [("not_applied", "applied"),
                                                                       ("applied", "approved")]
    history = _soup(client, store).find(id="ads-history").get_text()
    assert "recorded the TikTok Shopping application: approved" in " ".join(history.split())
