"""Products as merchants send them, made uniform, checked against TikTok's rules, and mapped."""
import hashlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.catalog.checks.fields import MalformedItem, normalize, source_hash
from server.catalog.checks.mapping import payload_hash, tiktok_product
from server.catalog.checks.rules import check
from server.catalog.checks.text import plain_text
from server.catalog.checks.values import parse_amount
from tests.catalog.helpers import item

DOMAINS = ["loja.example.com"]


def problems_of(raw, currency="BRL"):
    product = normalize(raw)
    return {(p["field"], p["code"]) for p in check(product.data, currency=currency, domains=DOMAINS)}


def test_html_descriptions_become_clean_text_within_tiktoks_limit():
    html = ("<div><h2>Camiseta</h2><p>Algodão&nbsp;100% &amp; macia.<br>Lavar à mão.</p>"
            "<ul><li>Leve</li><li>Fresca</li></ul><script>alert(1)</script><style>p{}</style></div>")
    assert plain_text(html) == "Camiseta\nAlgodão 100% & macia.\nLavar à mão.\n• Leve\n• Fresca"
    long = normalize(item("A", description="<p>" + "palavra " * 3000 + "</p>")).data["description"]
    assert len(long) <= 10_000 and long.endswith("…") and "<" not in long


def test_google_merchant_names_and_values_are_understood():
    product = normalize({"g:id": "SKU-1", "g:title": "<b>Tênis</b> &amp; meia", "g:price": "1.299,90 BRL",
                         "g:availability": "out_of_stock", "g:condition": "refurbished",
                         "g:product_type": "Calçados > Tênis", "g:additional_image_link": ["https://a/1.jpg",
                                                                                            "https://a/2.jpg"],
                         "g:gender": "female", "g:age_group": "newborn"})
    assert product.sku == "SKU-1"
    assert product.data["title"] == "Tênis & meia"
    assert (product.data["price"], product.data["currency"]) == ("1299.90", "BRL")
    assert product.data["availability"] == "OUT_OF_STOCK" and product.data["condition"] == "REFURBISHED"
    assert (product.data["gender"], product.data["age_group"]) == ("FEMALE", "NEW_BORN")
    assert product.category_ids == ["Calçados", "Calçados > Tênis"]
    assert product.data["additional_image_links"] == ["https://a/1.jpg", "https://a/2.jpg"]


@pytest.mark.parametrize("raw, amount, currency", [
    (19.9, "19.90", None), ("19.90", "19.90", None), ("19,90 BRL", "19.90", "BRL"), ("USD 5", "5.00", "USD"),
    ("1,299.00 USD", "1299.00", "USD"), ("1.299,00", "1299.00", None), ("0", "0.00", None),
])
def test_prices_are_read_in_the_usual_spellings(raw, amount, currency):
    assert parse_amount(raw) == (amount, currency)


@pytest.mark.parametrize("raw, message", [
    ("not a product", "must be an object"),
    ({"title": "no id"}, "id: missing"),
    ({"id": {"nested": 1}}, "id: must be a string"),
    ({"id": "x" * 300}, "longer than 255"),
    ({"id": "A", "price": "cheap"}, "not an amount"),
    ({"id": "A", "price": 1e26}, "too large to be a price"),
    ({"id": "A", "title": ["a", "list"]}, "title: must be text"),
    ({"id": "A", "status": "deleted"}, "status: must be active, hidden or draft"),
    ({"id": "A", "price": "10 USD", "sale_price": "5 EUR"}, "differs"),
])
def test_malformed_items_are_refused_with_the_reason(raw, message):
    with pytest.raises(MalformedItem, match=message):
        normalize(raw)


def test_a_valid_product_passes_every_check():
    assert problems_of(item("OK-1")) == set()


@pytest.mark.parametrize("overrides, expected", [
    ({"title": None}, ("title", "missing")),
    ({"brand": None, "description": None}, ("description", "missing")),
    ({"image_link": None}, ("image_link", "missing")),
    ({"title": "x" * 501}, ("title", "too_long")),
    ({"brand": "b" * 151}, ("brand", "too_long")),
    ({"id": "S" * 101}, ("id", "too_long")),
    ({"title": "Camiseta 🔥"}, ("title", "emoji")),
    ({"price": "0"}, ("price", "bad_price")),
    ({"price": "10", "sale_price": "12"}, ("sale_price", "bad_price")),
    ({"availability": "maybe"}, ("availability", "bad_value")),
    ({"condition": "broken"}, ("condition", "bad_value")),
    ({"price": "10 USD"}, ("price", "currency")),
    ({"link": "http://loja.example.com/p/1"}, ("link", "http_url")),
    ({"link": "loja.example.com/p/1"}, ("link", "bad_url")),
    ({"link": "https://elsewhere.example.net/p/1"}, ("link", "foreign_link")),
    ({"image_link": "http://loja.example.com/i.jpg"}, ("image_link", "http_url")),
    ({"additional_image_link": ["ftp://x/y.jpg"]}, ("additional_image_link", "bad_url")),
])
def test_each_tiktok_rule_names_the_field_it_fails(overrides, expected):
    assert expected in problems_of(item("R-1", **overrides))


def test_subdomains_of_the_store_are_its_own():
    assert problems_of(item("S-1", link="https://www.loja.example.com/p/1")) == set()


def test_mapping_gives_tiktoks_v13_fields():
    data = normalize(item("M-1", sale_price="49.90", item_group_id="G-1", color="azul", size="M",
                          gtin="7891234567895", custom_label_0="verão",
                          additional_image_link=["https://loja.example.com/a,b.jpg"])).data
    product = tiktok_product(data, currency="BRL")
    assert product["sku_id"] == "M-1" and product["item_group_id"] == "G-1"
    assert product["price_info"] == {"price": 59.9, "currency": "BRL", "sale_price": 49.9}
    assert product["product_detail"] == {"condition": "NEW", "color": "azul", "size": "M"}
    assert product["landing_page"] == {"landing_page_url": "https://loja.example.com/p/M-1"}
    assert product["additional_image_urls"] == ["https://loja.example.com/a%2Cb.jpg"]
    assert product["global_trade_item_number"] == "7891234567895"
    assert product["extra_info"] == {"custom_label_0": "verão"}


def test_the_payload_hash_changes_with_what_tiktok_would_see_only():
    first = tiktok_product(normalize(item("H-1")).data, currency="BRL")
    same = tiktok_product(normalize(item("H-1", description="Camiseta de <i>algodão</i>.")).data, currency="BRL")
    cheaper = tiktok_product(normalize(item("H-1", price="49.90")).data, currency="BRL")
    assert payload_hash(first) == payload_hash(same)
    assert payload_hash(first) != payload_hash(cheaper)


@given(title=st.text(min_size=1, max_size=40).filter(str.strip), size=st.text(max_size=6),
       price=st.decimals(min_value="0.01", max_value="99999999999999999999", places=2),
       sale=st.none() | st.decimals(min_value="0.01", max_value="999999", places=2))
def test_payload_hashes_stored_by_earlier_versions_still_match(title, size, price, sale):
    """The hash was taken over ``json``'s compact text; a hash that moved would upload every
    product again after an upgrade."""
    raw = item("V-1", title=title, size=size or None, price=f"{price} BRL",
               sale_price=f"{sale} BRL" if sale is not None else None)
    product = tiktok_product(normalize(raw).data, currency="BRL")
    text = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode(product)
    assert payload_hash(product) == hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


# Few letters, the separators among them: items that render alike are likely.
tiny_text = st.text(alphabet="ab\x1e\x1f", max_size=3)
tiny_items = st.dictionaries(tiny_text, tiny_text | st.integers(0, 2), max_size=3)


@given(tiny_items, tiny_items)
def test_items_share_a_source_hash_only_when_sent_alike(first, second):
    """An item that changed must never pass for unchanged (it would skip being looked at again)."""
    alike = list(first.items()) == list(second.items())
    assert (source_hash(first) == source_hash(second)) == alike


def test_variants_sharing_a_description_each_get_their_own_reading_in_any_order():
    first, second = "<p>Algodão <b>orgânico</b></p>", "Linho  lavado\n\nà mão"
    readings = [normalize({"id": str(n), "description": text}).data["description"]
                for n, text in enumerate([first, first, second, first, second, second])]
    assert readings == ["Algodão orgânico", "Algodão orgânico", "Linho lavado\nà mão", "Algodão orgânico",
                        "Linho lavado\nà mão", "Linho lavado\nà mão"]
