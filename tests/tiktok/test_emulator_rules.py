"""The emulator is as strict as TikTok: for each rule, what our client sends passes and a request
that breaks the rule fails (the rules and their sources are in the emulator's endpoint docstrings)."""
from __future__ import annotations

import time

import pytest

from server.catalog.checks.fields import normalize
from server.catalog.checks.mapping import tiktok_product
from server.events.normalise import properties
from server.tiktok import TikTokAuthError, TikTokRequestError
from server.tiktok.catalogs import bind_pixel, create_catalog
from server.tiktok.events import sha256_hex, track_events
from server.tiktok.products import upload_products

from .test_catalog import finished_log

# catalog/eventsource/bind/: advertiser_id is required (SDK EventsourceBindBody.md)

def test_bind_needs_the_advertiser(tiktok_emulator, client, catalog):
    bc_id, catalog_id = catalog
    bind_pixel(client, bc_id, catalog_id, tiktok_emulator.pixel_code, advertiser_id=tiktok_emulator.advertiser_ids[0])
    with pytest.raises(TikTokRequestError, match="advertiser_id"):
        client.post("catalog/eventsource/bind/", {"bc_id": bc_id, "catalog_id": catalog_id,
                                                   "pixel_code": tiktok_emulator.pixel_code})


# catalog/create/: catalog_type required; region and currency from TikTok's list

def test_create_needs_a_catalog_type(tiktok_emulator, client):
    assert create_catalog(client, tiktok_emulator.bc_id, "Loja", region_code="BR", currency="BRL")
    with pytest.raises(TikTokRequestError, match="catalog_type"):
        client.post("catalog/create/", {"bc_id": tiktok_emulator.bc_id, "name": "Loja",
                                        "catalog_conf": {"region_code": "BR", "currency": "BRL"}})


@pytest.mark.parametrize("region, currency, refused", [("ZZ", "USD", "region_code"), ("BR", "EUR", "currency"),
                                                       ("JP", "BRL", "currency")])
def test_create_takes_only_tiktoks_regions_and_their_currencies(tiktok_emulator, client, region, currency, refused):
    with pytest.raises(TikTokRequestError, match=refused):
        create_catalog(client, tiktok_emulator.bc_id, "Loja", region_code=region, currency=currency)


# catalog/product/upload/: product field rules (BUBUBA ecom_product.go)

def feed_product(**fields):
    """What our mapping sends for a feed item (Brazil, BRL)."""
    raw = {"id": "SKU-1", "title": "Camiseta", "description": "Algodão", "link": "https://loja.example.com/p/1",
           "image_link": "https://loja.example.com/1-800x800.jpg", "price": "59.90 BRL", "availability": "in stock",
           "condition": "new", "brand": "Acme", **fields}
    return tiktok_product(normalize(raw).data, currency="BRL")


@pytest.fixture
def brl_catalog(tiktok_emulator, client):
    return tiktok_emulator.bc_id, create_catalog(client, tiktok_emulator.bc_id, "Loja",
                                                 region_code="BR", currency="BRL")


def refused_fields(client, catalog, item):
    bc_id, catalog_id = catalog
    _seen, log = finished_log(client, bc_id, catalog_id, upload_products(client, bc_id, catalog_id, [item]))
    return {issue.field for issue in log.errors}


GOOD = dict(gender="female", age_group="newborn", sale_price="49.90 BRL",
            sale_price_effective_date="2026-11-27T00:00-0300 / 2026-11-30T23:59-0300",
            additional_image_link=[f"https://loja.example.com/{n}-800x800.png" for n in range(12)])


@pytest.mark.parametrize("field, breaks", [
    ("product_detail.gender", lambda p: p["product_detail"].update(gender="female")),
    ("product_detail.age_group", lambda p: p["product_detail"].update(age_group="BABY")),
    ("additional_image_urls", lambda p: p.update(additional_image_urls=[p["image_url"]] * 11)),
    ("sku_id", lambda p: p.update(sku_id="SKU-1 \U0001F525")),
    ("title", lambda p: p.update(title="Camiseta\x07")),
    ("price_info.sale_price_effective_date",
     lambda p: p["price_info"].update(sale_price_effective_date="2026-11-27T00:00:00-0300/2026-11-30")),
    ("price_info.sale_price_effective_date",
     lambda p: p["price_info"].update(sale_price_effective_date="2026-11-30T00:00+00:00/2026-11-27T00:00+00:00")),
    ("image_url", lambda p: p.update(image_url="https://loja.example.com/1-800x800.webp")),
])
def test_product_rules(client, brl_catalog, field, breaks):
    ours = feed_product(**GOOD)
    assert len(ours["additional_image_urls"]) == 10  # our mapping keeps to TikTok's ten
    assert refused_fields(client, brl_catalog, ours) == set()
    wrong = feed_product(**GOOD)
    breaks(wrong)
    assert field in refused_fields(client, brl_catalog, wrong)


# event/track/: the pixel is the token's; personal keys hashed; content_type and currency lists

def web_event(**change):
    event = {"event": "Purchase", "event_time": int(time.time()), "event_id": "order:1",
             "user": {"external_id": sha256_hex("cust-7")}, "page": {"url": "https://loja.example.com/"},
             "properties": properties({"currency": "BRL", "value": 10, "content_type": "product"})}
    for key, value in change.items():
        event[key] = {**event[key], **value}
    return event


def test_an_event_for_another_advertisers_pixel_is_refused(tiktok_emulator, client):
    track_events(client, tiktok_emulator.pixel_code, [web_event()])
    other = tiktok_emulator.seed_token(advertiser_ids=[tiktok_emulator.advertiser_ids[-1]])["access_token"]
    with pytest.raises(TikTokAuthError):
        track_events(client.with_token(other), tiktok_emulator.pixel_code, [web_event()])


@pytest.mark.parametrize("change, code", [
    ({"user": {"external_id": "cust-7"}}, 40062),
    ({"user": {"first_name": "Ana"}}, 40062),
    ({"properties": {"content_type": "sku"}}, 40002),
    ({"properties": {"currency": "XBT"}}, 40002),
])
def test_event_rules(tiktok_emulator, client, change, code):
    track_events(client, tiktok_emulator.pixel_code, [web_event()])
    with pytest.raises(TikTokRequestError) as caught:
        track_events(client, tiktok_emulator.pixel_code, [web_event(**change)])
    assert caught.value.code == code


def test_our_properties_drop_a_currency_tiktok_does_not_take():
    assert "currency" not in properties({"currency": "XBT", "value": 10})
    assert properties({"currency": "brl"})["currency"] == "BRL"
