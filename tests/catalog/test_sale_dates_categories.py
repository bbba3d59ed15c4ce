"""Sale periods and categories the way TikTok takes them: every Merchant-feed form of the sale
date converted or refused with the reason, categories cut to three levels, Google ids as paths."""
import pytest

from server.catalog.checks import rules
from server.catalog.checks.fields import normalize
from server.catalog.checks.mapping import tiktok_product
from server.catalog.checks.sale_dates import UnreadableSaleDate, tiktok_sale_period
from server.catalog.checks.tiktok_categories import google_taxonomy, notes, tiktok_category


@pytest.mark.parametrize("feed, tiktok", [
    ("2026-11-27T00:00+00:00/2026-11-30T23:59+00:00", "2026-11-27T00:00+00:00/2026-11-30T23:59+00:00"),
    ("2026-11-27T11:07:31+0100/2026-11-30T23:07:31+0100", "2026-11-27T10:07+00:00/2026-11-30T22:07+00:00"),
    ("2026-11-27T11:07+01:00 / 2026-11-30T23:07+01:00", "2026-11-27T10:07+00:00/2026-11-30T22:07+00:00"),
    ("2026-11-27T11:07:31Z/2026-11-30T23:07:31Z", "2026-11-27T11:07+00:00/2026-11-30T23:07+00:00"),
    ("2026-11-27T21:00-0300/2026-11-30T21:00-03", "2026-11-28T00:00+00:00/2026-12-01T00:00+00:00"),
    ("2026-11-27T11:07:31.250+05:30/2026-11-30T23:07:31.250+05:30", "2026-11-27T05:37+00:00/2026-11-30T17:37+00:00"),
    ("2026-11-27 11:07/2026-11-30 23:07", "2026-11-27T11:07+00:00/2026-11-30T23:07+00:00"),
    ("2026-11-27/2026-11-30", "2026-11-27T00:00+00:00/2026-11-30T23:59+00:00"),
])
def test_every_merchant_feed_form_becomes_tiktoks(feed, tiktok):
    assert tiktok_sale_period(feed) == tiktok


@pytest.mark.parametrize("feed, why", [
    ("2026-11-27T00:00+00:00", "separated by '/'"),
    ("27/11/2026", "separated by"),
    ("27.11.2026/30.11.2026", "is not a date"),
    ("2026-11-31T00:00Z/2026-12-01T00:00Z", "not a real date"),
    ("2026-11-30T00:00Z/2026-11-27T00:00Z", "start before it ends"),
    ("next friday/2026-12-01", "is not a date"),
    ("2026-11-27T25:00Z/2026-11-28T00:00Z", "not a real date"),
])
def test_what_cannot_be_read_is_refused_with_the_reason(feed, why):
    with pytest.raises(UnreadableSaleDate, match=why):
        tiktok_sale_period(feed)


def feed_item(**fields):
    return {"id": "SKU-1", "title": "Camiseta", "description": "Algodão", "link": "https://loja.example.com/p/1",
            "image_link": "https://loja.example.com/1.jpg", "price": "59.90 BRL", "sale_price": "49.90 BRL",
            "availability": "in stock", "condition": "new", "brand": "Acme", **fields}


def test_the_upload_carries_the_converted_period_and_a_bad_one_makes_the_product_invalid():
    data = normalize(feed_item(sale_price_effective_date="2026-11-27T00:00-0300 / 2026-11-30T23:59-0300")).data
    assert rules.check(data, currency="BRL", domains=["loja.example.com"]) == []
    assert tiktok_product(data, currency="BRL")["price_info"]["sale_price_effective_date"] == \
        "2026-11-27T03:00+00:00/2026-12-01T02:59+00:00"
    bad = normalize(feed_item(sale_price_effective_date="Black Friday")).data
    found = rules.check(bad, currency="BRL", domains=["loja.example.com"])
    assert [(p["code"], p["field"]) for p in found] == [("bad_sale_date", "sale_price_effective_date")]
    assert "'Black Friday' cannot be read" in found[0]["message"]


def test_categories_are_cut_to_three_levels_and_google_ids_become_paths():
    assert google_taxonomy()["1604"] == "Apparel & Accessories > Clothing"
    assert len(google_taxonomy()) > 5000
    data = normalize(feed_item(product_type="Roupas > Masculino > Camisetas > Manga curta",
                               google_product_category="3951")).data  # American Football Pants, four levels
    product = tiktok_product(data, currency="BRL")
    assert product["product_detail"]["product_category"] == "Roupas > Masculino > Camisetas"
    assert product["google_product_category"] == "Apparel & Accessories > Clothing > Activewear"
    said = notes(data)
    assert "TikTok takes at most 3 category levels" in said[0] and "3951" in said[0]
    assert "'Roupas > Masculino > Camisetas'" in said[1]
    assert tiktok_category("1604", google=True) == (
        "Apparel & Accessories > Clothing",
        "Google product category 1604 is sent as its path 'Apparel & Accessories > Clothing'")
    clothing = "Apparel & Accessories > Clothing"
    assert tiktok_category(clothing, google=True) == (clothing, None)
    assert tiktok_category("99999999", google=True)[1].endswith("is sent as it is")
