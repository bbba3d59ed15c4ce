"""A store whose catalog is really on the TikTok emulator (uploaded, reviewed, pixel bound), with
the same products in our catalog, and shoppers' events in the event log; raw API calls for tests."""
import datetime as dt

import requests

from server.catalog.checks.mapping import tiktok_product
from server.extensions import db
from server.models.catalog import CatalogProduct
from server.models.events import EventSettings, ServerEvent
from server.models.tiktok import TikTokConnection
from server.security import encrypt_secret
from server.tiktok.transport import encode_query
from tests.factories import make_store

# (sku, title, product_type, brand, price, availability)
PRODUCTS = (
    ("SHOE-1", "Trail runner", "Apparel & Accessories > Shoes", "Acme", "89.90", "IN_STOCK"),
    ("SHOE-2", "City sneaker", "Apparel & Accessories > Shoes", "Beta", "59.00", "IN_STOCK"),
    ("BAG-1", "Canvas tote", "Apparel & Accessories > Handbags", "Acme", "35.00", "IN_STOCK"),
    ("HAT-1", "Wool beanie", "Apparel & Accessories > Hats", "Gamma", "19.50", "OUT_OF_STOCK"),
)
ALL_EVENTS = ("ViewContent", "AddToCart", "PlaceAnOrder")


def api(emulator, token, method, path, body=None):
    """One call to the emulator's TikTok API; the ``data`` of a successful answer."""
    kwargs = {"json": body} if method == "POST" else {"params": encode_query(body)}
    response = requests.request(method, emulator.api_base + path, headers={"Access-Token": token}, timeout=10,
                                **kwargs)
    answer = response.json()
    assert answer["code"] == 0, answer
    return answer["data"]


def ads_world(emulator):
    """Every campaign, ad group, ad, identity and product set the emulator holds."""
    return emulator._call("GET", "ads")


def product_data(sku, title, product_type, brand, price, availability):
    """A normalized product as our catalog keeps it."""
    return {"id": sku, "title": title, "description": f"{title} from {brand}", "availability": availability,
            "brand": brand, "image_link": f"https://cdn.example.com/{sku}-1000x1000.jpg", "condition": "NEW",
            "price": price, "currency": "USD", "link": f"https://shop.example.com/p/{sku}",
            "product_type": product_type}


def catalog_store(emulator, *, products=PRODUCTS, events=ALL_EVENTS, name="Acme Outfitters"):
    """A connected US store with its catalog approved at the emulator; commits. ``store.test_token``."""
    store = make_store(name=name, country="US", currency="USD", phone="+1 415 555 0100",
                       domains=["shop.example.com"], pixel_code=emulator.pixel_code)
    token = emulator.seed_token()["access_token"]
    bc_id = emulator.bc_id
    catalog_id = api(emulator, token, "POST", "catalog/create/", {
        "bc_id": bc_id, "name": "Acme catalog", "catalog_type": "ECOM",
        "catalog_conf": {"region_code": "US", "currency": "USD"}})["catalog_id"]
    rows = [product_data(*p) for p in products]
    log = api(emulator, token, "POST", "catalog/product/upload/", {
        "bc_id": bc_id, "catalog_id": catalog_id, "products": [tiktok_product(d, currency="USD") for d in rows]})
    for _ in range(3):  # each poll moves the upload along: waiting, processing, done (then reviewed)
        api(emulator, token, "GET", "catalog/product/log/", {"bc_id": bc_id, "catalog_id": catalog_id,
                                                              "feed_log_id": log["feed_log_id"]})
    api(emulator, token, "POST", "catalog/eventsource/bind/", {"bc_id": bc_id, "catalog_id": catalog_id,
                                                               "advertiser_id": emulator.advertiser_ids[0],
                                                               "pixel_code": emulator.pixel_code})
    pixel = emulator.world()["pixels"][0]
    db.session.add(TikTokConnection(store_id=store.id, access_token=encrypt_secret(token),
                                    advertiser_id=emulator.advertiser_ids[0], advertiser_name="Emulator Store Ads",
                                    bc_id=bc_id, catalog_id=catalog_id, pixel_id=pixel["pixel_id"],
                                    pixel_code=pixel["pixel_code"]))
    for data in rows:
        db.session.add(CatalogProduct(store_id=store.id, sku=data["id"], data=data, state="listed",
                                      source_hash="s", payload_hash="p", synced_hash="p", visibility="active"))
    store.tiktok_state = "connected"
    db.session.add(EventSettings(store_id=store.id, server_events=True))
    for n, name_ in enumerate(events):
        log_event(store, name_, [rows[n % len(rows)]["id"]])
    db.session.commit()
    store.test_token, store.catalog_id = token, catalog_id
    # These setup calls bypass the connector's pacer: let the emulator's one-second app window pass so
    # the connector's own calls start with TikTok's full 10 per second.
    emulator.pass_rate_windows()
    return store


def log_event(store, name, content_ids, *, hours_ago=2):
    """A shopper's event in the store's event log."""
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours_ago)
    db.session.add(ServerEvent(store_id=store.id, event=name, event_id=f"{name}-{content_ids}-{hours_ago}",
                               status="sent", from_browser=True, event_time=int(moment.timestamp()),
                               properties={"content_ids": list(content_ids)}, created_at=moment, updated_at=moment))
