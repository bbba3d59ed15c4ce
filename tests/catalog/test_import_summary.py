"""What an import tells a merchant: how many products reach TikTok, which are invalid and why,
what was refused or filled in; --strict; the same numbers over the API; the categories in use."""
from pathlib import Path

import pytest

from server.catalog import service
from server.catalog.checks.categories import category_usage
from server.extensions import db
from tests.accounts import bearer, make_api_key
from tests.catalog.helpers import cli_json, item, states

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
HEADER = "id,title,description,link,image_link,price,availability,condition,brand,product_type\n"
by_either_reader = pytest.mark.parametrize("import_worker", ["never", "always"])


def row(sku, *, title=None, price="59.90 BRL", link=None, condition="new", product_type="Roupas > Camisetas"):
    title = f"Camiseta {sku}" if title is None else title
    link = link or f"https://loja.example.com/p/{sku}"
    return (f"{sku},{title},Algodao,{link},https://loja.example.com/{sku}.jpg,{price},in stock,{condition},Acme,"
            f"{product_type}\n")


def import_file(runner, store, path, *options):
    return runner.invoke(args=["catalog", "import", str(path), "--store", store.public_key, *options])


@by_either_reader
def test_the_summary_counts_what_reaches_tiktok_and_the_commonest_reasons(runner, store, tmp_path):
    feed = tmp_path / "feed.csv"
    rows = ([row(f"OK{n}") for n in range(4)] + [row(f"NT{n}", title="") for n in range(3)]
            + [row(f"FL{n}", link=f"https://elsewhere.example.net/{n}") for n in range(2)]
            + [row("ZP", price="0 BRL"), row("BAD", price="cheap")])
    feed.write_text(HEADER + "".join(rows))

    result = import_file(runner, store, feed)

    assert result.exit_code == 0, result.output
    assert ("11 read: 4 ready for TikTok, 6 invalid (no title: 3, link on another domain than the store's: 2, "
            "price not a valid price: 1), 1 refused (malformed), 0 removed." in result.stdout)
    assert "refused: line 12: BAD: price: 'cheap' is not an amount" in result.stdout
    assert f"flask catalog products --store {store.public_key} --state invalid" in result.stdout


def test_strict_fails_when_any_item_is_invalid_even_if_none_was_refused(runner, store, tmp_path):
    feed = tmp_path / "feed.csv"
    feed.write_text(HEADER + row("OK") + row("NT", title=""))
    assert import_file(runner, store, feed, "--strict").exit_code == 1
    feed.write_text(HEADER + row("OK") + row("NT"))
    assert import_file(runner, store, feed, "--strict").exit_code == 0


def test_an_unchanged_feed_imported_again_gives_the_same_counts(runner, store, tmp_path):
    feed = tmp_path / "feed.csv"
    feed.write_text(HEADER + row("OK") + row("NT", title="") + row("NT2", title=""))
    first = import_file(runner, store, feed).stdout.splitlines()[0]
    again = import_file(runner, store, feed).stdout.splitlines()[0]
    assert first.startswith("3 read: 1 ready for TikTok, 2 invalid (no title: 2)")
    assert again.startswith("3 read: 1 ready for TikTok, 2 invalid (no title: 2)")


def test_hidden_products_are_counted_as_kept_off_not_ready(runner, store, tmp_path):
    runner.invoke(args=["catalog", "categories", "--store", store.public_key, "--hide", "Roupas > Sale"])
    feed = tmp_path / "feed.csv"
    feed.write_text(HEADER + row("A") + row("B", product_type="Roupas > Sale"))
    assert import_file(runner, store, feed).stdout.startswith(
        "2 read: 1 ready for TikTok, 0 invalid, 1 kept off TikTok by the store (hidden, draft or hidden category), "
        "0 refused (malformed), 0 removed.")


def test_what_was_filled_in_is_said_once_in_the_summary_and_in_why(runner, store, tmp_path):
    feed = tmp_path / "feed.csv"
    feed.write_text("id,title,description,link,image_link,price,availability,gtin\n"
                    + "".join(f"N{n},Meia {n},Algodao,https://loja.example.com/p/{n},https://loja.example.com/{n}.jpg,"
                              f"9.90,in stock,{'8808992787425' if n == 0 else '8808992787426'}\n" for n in range(3)))
    result = import_file(runner, store, feed)
    assert result.stdout.startswith("3 read: 3 ready for TikTok, 0 invalid, 0 refused (malformed), 0 removed.")
    notes = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("note:")]
    assert notes == ["note: 3 items without a brand: the store's name is sent as their brand",
                     "note: 3 items without a condition: new is assumed, as Merchant Center does",
                     "note: 3 items with a price but no currency: the store's currency is assumed",
                     "note: 1 item with a GTIN that is not valid (length or check digit): it is not sent"]
    why = cli_json(runner, "catalog", "why", "--store", store.public_key, "N0", "--json")
    assert "gtin '8808992787425' was not sent: its check digit is wrong (a typo, or not a GTIN)" in why["notes"]
    assert "brand: none given; the store's name 'Loja Exemplo' is sent" in why["notes"]


def test_unknown_columns_and_cleaned_control_characters_reach_the_summary(runner, store, tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_bytes(b'<?xml version="1.0"?>\n<rss version="2.0"><channel>\n'
                     b'<item><g:id>X1</g:id><title>Meia\x1d</title>'
                     b"<g:colour>azul</g:colour><g:prijs>9 BRL</g:prijs></item>\n</channel></rss>\n")
    result = import_file(runner, store, feed)
    assert result.exit_code == 0, result.output
    notes = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("note:")]
    assert notes[:3] == [
        "note: 1 control character that XML does not allow (U+001D) removed, on line 3",
        'note: the feed uses the g: prefix without declaring it (xmlns:g="http://base.google.com/ns/1.0"); its fields '
        "were read as Merchant Center fields",
        "note: 'g:prijs' is not a Merchant Center element; did you mean 'price'?"]
    product = cli_json(runner, "catalog", "products", "--store", store.public_key, "--json")["products"][0]
    assert product["title"] == "Meia"


def test_a_missing_condition_means_new(session, store):
    service.push_products(db.session, store, [item("C1", condition=None)])
    assert states(store) == {"C1": "queued"}


def test_the_api_answers_with_the_same_summary(client, store):
    key = make_api_key(store)[1]
    answer = client.put(f"/api/v1/stores/{store.public_key}/products", headers=bearer(key),
                        json={"products": [item("A"), item("B", title=None), {"title": "no id"}]})
    summary = answer.get_json()["summary"]
    assert {name: summary[name] for name in ("read", "ready", "invalid", "refused", "removed")} == \
        {"read": 3, "ready": 1, "invalid": 1, "refused": 1, "removed": 0}
    assert summary["top_reasons"] == [{"code": "missing", "field": "title", "label": "no title", "count": 1}]
    assert summary["text"] == "3 read: 1 ready for TikTok, 1 invalid (no title: 1), 1 refused (malformed), 0 removed"


def test_a_real_google_base_feed_says_what_keeps_it_off_tiktok(runner, session, store):
    store.currency, store.domains, store.https_upgrade = "USD", ["www.bhphotovideo.com"], False
    db.session.commit()
    result = import_file(runner, store, FIXTURES / "gdata_google_base_products.atom.xml")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "3 read: 0 ready for TikTok, 3 invalid (no availability: 3, image_link is http:// and its https:// form did "
        "not work: 3, link is http:// and its https:// form did not work: 3), 0 refused (malformed), 0 removed.")
    why = cli_json(runner, "catalog", "why", "--store", store.public_key, "305668-REG", "--json")
    assert {reason["message"] for reason in why["reasons"]} == {
        "availability is required by TikTok",
        "link is an http:// address; TikTok needs https:// (trying the https:// form is turned off for this store)",
        "image_link is an http:// address; TikTok needs https:// (trying the https:// form is turned off for this "
        "store)"}


def test_categories_list_what_products_use_with_counts_and_hidden_state(runner, session, store, tmp_path):
    feed = tmp_path / "feed.csv"
    feed.write_text(HEADER + row("A") + row("B") + row("C", product_type="Roupas > Sale &amp; Outlet")
                    + row("D", product_type="Casa"))
    import_file(runner, store, feed)
    runner.invoke(args=["catalog", "categories", "--store", store.public_key, "--hide", "Roupas"])

    usage = {c["id"]: (c["products"], c["hidden"], c["hidden_by"]) for c in category_usage(db.session, store)}
    assert usage == {"Casa": (1, False, None), "Roupas": (3, True, "Roupas"),
                     "Roupas > Camisetas": (2, True, "Roupas"), "Roupas > Sale & Outlet": (1, True, "Roupas")}
    listed = runner.invoke(args=["catalog", "categories", "--store", store.public_key]).stdout.splitlines()
    assert listed[:4] == ["Casa  (1 product)", "Roupas  (3 products)  [hidden]",
                          "Roupas > Camisetas  (2 products)  [hidden by 'Roupas']",
                          "Roupas > Sale & Outlet  (1 product)  [hidden by 'Roupas']"]
    shown = cli_json(runner, "catalog", "categories", "--store", store.public_key, "--show", "Roupas", "--json")
    assert [c["id"] for c in shown["categories"] if c["hidden"]] == []
