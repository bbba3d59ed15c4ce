"""The funnel events (checkout, payment, search, sign-up, wishlist, clicks): accepted by the collector
when the store fires them, relayed with the browser's event_id, listed in the event log."""
from server.events import log as event_log
from server.extensions import db
from server.models.store import PIXEL_EVENTS
from tests.events.helpers import beacon, post_beacon, relay, rows

FUNNEL = ("InitiateCheckout", "AddPaymentInfo", "Search", "CompleteRegistration", "AddToWishlist", "ClickButton")


def test_funnel_beacons_are_relayed_with_the_browsers_event_id(app, client, store, tiktok_emulator):
    store.events = list(PIXEL_EVENTS)
    db.session.commit()
    ids = {name: f"{name.lower()}-0000-4000-8000-000000000001" for name in FUNNEL}
    for name in FUNNEL:
        extra = {"properties": {"search_string": "caneca azul"}} if name == "Search" else {}
        assert post_beacon(client, store, beacon(event=name, event_id=ids[name], **extra)).status_code == 204

    relay(app)

    sent = {event["event"]: event for event in tiktok_emulator.events(store.pixel_code)}
    assert set(sent) == set(FUNNEL)
    assert {name: event["event_id"] for name, event in sent.items()} == ids
    assert sent["Search"]["properties"]["search_string"] == "caneca azul"
    logged = event_log.recent(db.session, store)
    assert {entry["event"] for entry in logged} == set(FUNNEL)
    assert all(entry["status"] == "sent" for entry in logged)


def test_a_funnel_event_the_store_switched_off_is_not_kept(app, client, store):
    store.events = ["ViewContent", "AddToCart", "PlaceAnOrder"]
    db.session.commit()

    post_beacon(client, store, beacon(event="InitiateCheckout"))

    assert rows(store) == []
