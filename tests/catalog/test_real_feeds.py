"""Real platform exports, byte for byte (fixtures/feeds/NOTICE.md), imported as a merchant would:
what the summary says, which columns are named as unknown, and what a sample product holds."""
from pathlib import Path

from server.extensions import db
from server.models.catalog import CatalogProduct
from tests.catalog.helpers import states

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"


def import_file(runner, store, name):
    return runner.invoke(args=["catalog", "import", str(FIXTURES / name), "--store", store.public_key])


def product(store, sku):
    return db.session.execute(db.select(CatalogProduct).where(CatalogProduct.store_id == store.id,
                                                              CatalogProduct.sku == sku)).scalar_one()


def test_a_woocommerce_product_export_says_what_keeps_it_off_tiktok(runner, session, store):
    result = import_file(runner, store, "woocommerce_sample_products.csv")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == ("24 read: 0 ready for TikTok, 24 invalid (no availability: 24, no image_link: 24, "
                        "no link: 24), 0 refused (malformed), 0 removed. (24 new or changed.)")
    notes = [line.strip() for line in lines if line.startswith("  note: ")]
    assert "note: 'Short description' is not a Merchant Center column; did you mean 'description'?" in notes
    assert "note: 'In stock?' is not a Merchant Center column; it is ignored" in notes
    assert "note: 24 items without a brand: the store's name is sent as their brand" in notes
    assert "note: 24 items without a condition: new is assumed, as Merchant Center does" in notes
    assert set(states(store).values()) == {"invalid"}

    # WooCommerce's own ID column names the product; its name, description and categories are read.
    tee = product(store, "741")
    assert (tee.data["title"], tee.data["brand"], tee.data["condition"]) == ("T-Shirt", "Loja Exemplo", "NEW")
    assert tee.data["description"].startswith("Pellentesque habitant morbi tristique senectus")
    assert tee.category_ids == ["Clothing > Tshirts"]
    # "Regular price", "Images" and "In stock?" are WooCommerce's words, not Merchant Center's: the
    # product says what TikTok misses instead of guessing.
    assert {reason["field"] for reason in tee.reasons} == {"availability", "price", "link", "image_link"}


def test_a_prestashop_product_import_file_is_refused_whole_with_the_column_it_lacks(runner, session, store):
    result = import_file(runner, store, "thirtybees_prestashop_products_import.csv")

    assert result.exit_code == 1
    assert ("line 1: the header has no id column (expected Google Merchant Center names: id, title, description, "
            "link, image_link, price, ...); nothing was changed") in result.output
    assert states(store) == {}


def test_a_prestashop_1_4_sample_whose_rows_outgrow_their_header_is_refused_row_by_row(runner, session, store):
    # Each row of this semicolon-separated file ends in one more ";" than its header has columns.
    result = import_file(runner, store, "prestashop14_products_import.csv")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "2 read: 0 ready for TikTok, 0 invalid, 2 refused (malformed), 0 removed. (0 new or changed.)"
    assert "  note: 'Name*' is not a Merchant Center column; it is ignored" in lines
    assert "  note: 'Wholesale price' is not a Merchant Center column; did you mean 'sale_price'?" in lines
    assert "  refused: line 2: (no id): has 40 columns; the header has 39" in lines
    assert "  refused: line 3: (no id): has 40 columns; the header has 39" in lines
    assert states(store) == {}


def test_magento_2s_sample_product_export_reads_names_and_prices_and_says_what_is_missing(runner, session, store):
    result = import_file(runner, store, "magento2_sample_catalog_product.csv")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == ("7 read: 0 ready for TikTok, 7 invalid (no availability: 7, no image_link: 7, no link: 7), "
                        "0 refused (malformed), 0 removed. (7 new or changed.)")
    assert "  note: 'special_price' is not a Merchant Center column; did you mean 'sale_price'?" in lines
    assert ("  note: 'special_price_from_date' is not a Merchant Center column; did you mean "
            "'sale_price_effective_date'?") in lines
    assert "  note: 6 items with a price but no currency: the store's currency is assumed" in lines

    strap = product(store, "24-WG085")
    assert strap.data["title"] == "Sprite Yoga Strap 6 foot"
    assert strap.data["price"] == "14.00" and "price: no currency given; the store's BRL is assumed" in \
        strap.data["import_notes"]
    assert strap.data["description"].startswith("The Sprite Yoga Strap is your untiring partner")
    assert {reason["field"] for reason in strap.reasons} == {"availability", "link", "image_link"}
    # The grouped product has no price of its own: TikTok would need one.
    assert "price" in {reason["field"] for reason in product(store, "24-WG085_Group").reasons}
