"""A full feed may not quietly empty or shrink the catalog; the push API and the webhook remove only
what they name."""
import io

import pytest
from flask import current_app

from server.catalog import service
from server.extensions import db
from server.models.catalog import CatalogProduct
from tests.accounts import bearer
from tests.catalog.helpers import item, states
from tests.catalog.test_api import post_hook

HEADER = "id,title,description,link,image_link,price,availability,condition,brand\n"
CATALOG = 300


def row(sku, price="59.90 BRL"):
    return (f"{sku},Camiseta {sku},Algodao,https://loja.example.com/p/{sku},https://loja.example.com/{sku}.jpg,"
            f"{price},in stock,new,Acme\n")


@pytest.fixture
def catalog(session, store):
    """The store with CATALOG products on sale."""
    service.push_products(session, store, [item(f"P-{n}") for n in range(CATALOG)])
    return store


def import_cli(runner, store, tmp_path, text, *options):
    feed = tmp_path / "feed.csv"
    feed.write_bytes(text.encode())
    return runner.invoke(args=["catalog", "import", str(feed), "--store", store.public_key, *options])


def prices(store):
    return {data["price"] for data in db.session.execute(db.select(CatalogProduct.data).where(
        CatalogProduct.store_id == store.id)).scalars()}


def on_sale(store):
    return sorted(sku for sku, state in states(store).items() if state != "deleted")


ALL_REFUSED = {
    "no id": "sku_id,title,price\n,a,1 USD\n",
    "an extra column": HEADER + "".join(row(f"P-{n}").rstrip("\n") + ",extra\n" for n in range(5)),
    "XML items without an id": ('<?xml version="1.0"?>\n<rss xmlns:g="http://base.google.com/ns/1.0"><channel>\n'
                                + "<item><title>Bolsa</title><g:price>9.90 BRL</g:price></item>\n" * 3
                                + "</channel></rss>\n"),
}


@pytest.mark.parametrize("feed", ALL_REFUSED.values(), ids=ALL_REFUSED.keys())
def test_a_feed_whose_every_item_is_refused_removes_nothing(runner, catalog, tmp_path, feed):
    before = on_sale(catalog)

    result = import_cli(runner, catalog, tmp_path, feed)

    assert result.exit_code == 1
    assert "could be accepted" in result.output and f"would remove every product ({CATALOG})" in result.output
    assert "Nothing was changed" in result.output and "(--allow-empty)" in result.output
    assert ": (no id):" in result.output or "has 10 columns" in result.output  # why each item was refused
    assert on_sale(catalog) == before


def test_a_feed_removing_more_than_half_the_catalog_needs_allow_shrink(runner, catalog, tmp_path):
    feed = HEADER + "".join(row(f"P-{n}", price="64.90 BRL") for n in range(100))

    refused = import_cli(runner, catalog, tmp_path, feed)

    assert refused.exit_code == 1
    assert ("the feed would remove 200 of the store's 300 products (66%; 100 of its 100 items accepted), more "
            "than the 50% allowed (TTC_CATALOG_MAX_SHRINK_PERCENT). Nothing was changed") in refused.output
    assert "--allow-shrink" in refused.output
    assert len(on_sale(catalog)) == CATALOG  # and no price changed either: all or nothing
    assert prices(catalog) == {"59.90"}

    allowed = import_cli(runner, catalog, tmp_path, feed, "--allow-shrink")

    assert allowed.exit_code == 0, allowed.output
    assert "100 read: 100 ready for TikTok, 0 invalid, 0 refused (malformed), 200 removed." in allowed.output
    assert on_sale(catalog) == sorted(f"P-{n}" for n in range(100))


def test_the_threshold_is_a_setting_and_the_service_takes_allow_shrink(session, catalog):
    half = (HEADER + "".join(row(f"P-{n}") for n in range(150))).encode()
    assert service.import_feed(session, catalog, io.BytesIO(half))["removed"] == 150  # 50% is not more than 50%

    fewer = (HEADER + "".join(row(f"P-{n}") for n in range(30))).encode()
    with pytest.raises(service.ShrinkRefused, match="remove 120 of the store's 150 products"):
        service.import_feed(session, catalog, io.BytesIO(fewer))
    current_app.config["TTC_CATALOG_MAX_SHRINK_PERCENT"] = 80
    assert service.import_feed(session, catalog, io.BytesIO(fewer))["removed"] == 120
    ten = (HEADER + "".join(row(f"P-{n}") for n in range(10))).encode()
    assert service.import_feed(session, catalog, io.BytesIO(ten), allow_shrink=True)["removed"] == 20
    # Allowing a shrink is not allowing an empty catalog: a feed accepting nothing needs allow_empty.
    with pytest.raises(service.EmptyFeed, match="would remove every product"):
        service.import_feed(session, catalog, io.BytesIO(HEADER.encode()), allow_shrink=True)
    assert service.import_feed(session, catalog, io.BytesIO(HEADER.encode()), allow_empty=True)["removed"] == 10
    assert on_sale(catalog) == []
    # A merge adds and updates only: never refused for what it leaves out.
    merged = service.import_feed(session, catalog, io.BytesIO((HEADER + row("NEW")).encode()), replace=False)
    assert (merged["accepted"], merged["removed"]) == (1, 0)


def test_allow_empty_still_empties_the_catalog_on_purpose(runner, catalog, tmp_path):
    result = import_cli(runner, catalog, tmp_path, HEADER, "--allow-empty")
    assert result.exit_code == 0, result.output
    assert "0 read: 0 ready for TikTok, 0 invalid, 0 refused (malformed), 300 removed." in result.output
    assert on_sale(catalog) == []


def test_the_push_api_never_removes_products_it_does_not_name(client, catalog, key):
    url = f"/api/v1/stores/{catalog.public_key}/products"
    before = on_sale(catalog)

    one = client.put(url, json={"products": [item("NEW-1")]}, headers=bearer(key))
    refused = client.put(url, json={"products": [{"title": "no id"}, item("P-1", price="free")]}, headers=bearer(key))
    empty = client.put(url, json={"products": []}, headers=bearer(key))

    assert (one.status_code, one.get_json()["removed"]) == (200, 0)
    assert (refused.status_code, refused.get_json()["removed"]) == (422, 0)
    assert (empty.status_code, empty.get_json()["removed"]) == (200, 0)
    assert on_sale(catalog) == sorted(before + ["NEW-1"])


def test_the_webhook_removes_only_the_products_it_names(client, catalog, secret):
    answer = post_hook(client, catalog, {"products": [item("W-1"), {"title": "no id"}], "deleted": ["P-7", "NOPE"]},
                       secret)
    assert answer.status_code == 202 and answer.get_json()["removed"] == 1
    assert post_hook(client, catalog, {"products": []}, secret).get_json()["removed"] == 0
    assert post_hook(client, catalog, {"deleted": []}, secret).get_json()["removed"] == 0
    assert on_sale(catalog) == sorted([f"P-{n}" for n in range(CATALOG) if n != 7] + ["W-1"])
