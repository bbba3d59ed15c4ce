"""Ordinary feeds written by others read as Merchant Center reads them: lenient XML, other
ecosystems' column names, control characters, malformed XML explained, URLs, GTINs, product types."""
import io
from pathlib import Path

import pytest

from server.catalog.checks.fields import normalize
from server.catalog.checks.values import escaped_url, gtin_problem
from server.catalog.intake.feeds import FeedError, read_feed

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
GOOGLE_BASE = (FIXTURES / "gdata_google_base_products.atom.xml").read_bytes()
ATOM_03 = (FIXTURES / "feedparser_atom03.xml").read_bytes()


def read(data):
    notices = []
    return list(read_feed(io.BytesIO(data), notices=notices)), notices


def test_a_real_google_base_atom_feed_reads_the_products_g_id_not_the_atom_entry_id():
    items, _ = read(GOOGLE_BASE)
    assert [item.fields["id"] for item in items] == ["305668-REG", "305656-REG", "305685-REG"]
    first = normalize(items[0].fields)
    assert first.data["title"].startswith("Digital Camera Battery Notebook Computer 12v DC Power Cable")
    assert first.data["description"].startswith("Notebook Computer 12v DC Power Cable")  # Atom <content>
    assert first.data["price"] == "34.95" and first.data["currency"] == "USD"  # "34.95 usd"
    assert first.data["link"].startswith("http://www.bhphotovideo.com/bnh/controller/home?O=productlist&A=")


def test_a_real_atom_0_3_feed_reads_its_entries():
    (entry,), notices = read(ATOM_03)
    assert entry.fields["title"] == "First entry title"
    assert entry.fields["link"] == "/entry/3"  # the rel="alternate" link, not the service ones
    assert entry.position == "item 1 (line 13)" and notices == []


def test_atom_0_3_with_the_g_namespace_reads_like_atom_1_0():
    feed = ('<?xml version="1.0"?>\n<feed version="0.3" xmlns="http://purl.org/atom/ns#" '
            'xmlns:g="http://base.google.com/ns/1.0">\n<entry><g:id>A-1</g:id><title>Bolsa</title>'
            '<link rel="alternate" href="https://loja.example.com/a1"/><g:price>10 BRL</g:price></entry>\n</feed>')
    (entry,), _ = read(feed.encode())
    assert entry.fields == {"id": "A-1", "title": "Bolsa", "link": "https://loja.example.com/a1", "price": "10 BRL"}


def test_rss_that_forgets_to_declare_g_is_read_and_the_summary_says_so():
    feed = b'<?xml version="1.0"?>\n<rss version="2.0"><channel>\n' \
           b'<item><g:id>S-1</g:id><g:price>5 BRL</g:price></item>\n' \
           b'<item><g:id>S-2</g:id></item>\n</channel></rss>'
    items, notices = read(feed)
    assert [item.fields for item in items] == [{"id": "S-1", "price": "5 BRL"}, {"id": "S-2"}]
    assert notices == ['the feed uses the g: prefix without declaring it (xmlns:g="http://base.google.com/ns/1.0"); '
                       "its fields were read as Merchant Center fields"]


def test_control_characters_are_removed_and_counted_with_their_lines():
    # A real feed with the U+001D a PrestaShop export left in product text, on two lines.
    damaged = GOOGLE_BASE.replace(b"Notebook Computer 12v", b"Notebook\x1d Computer 12v", 1)
    damaged = damaged.replace(b"Electronic Device 5v", b"Electronic\x1d\x1d Device 5v", 1)
    items, notices = read(damaged)
    assert len(items) == 3
    assert items[0].fields["title"].startswith("Digital Camera Battery Notebook Computer 12v")
    assert notices[0] == "3 control characters that XML does not allow (U+001D) removed, on lines 24, 56"


@pytest.mark.parametrize("damage, message", [
    ((b"sku=305668&amp;is=REG", b"sku=305668&is=REG"),
     "line 26, column 143: the XML is malformed (not well-formed (invalid token) at '&'): a raw & (often in a URL's "
     "query): write &amp; or put the value in <![CDATA[...]]>"),
    ((b"<g:condition type='text'>new</g:condition>", b"<g:condition type='text'>new</g:conditoin>"),
     "line 35, column 29: the XML is malformed (mismatched tag): </g:conditoin> does not close the element opened "
     "last (an element left open, or a typo in a name)"),
    ((b"PayPal &amp; Bill", b"PayPal &nbsp; Bill"),
     "line 34, column 37: the XML is malformed (undefined entity): &nbsp; is an HTML entity XML does not know: "
     "write the character itself, or a numeric reference such as &#160; for &nbsp;, or put the text in "
     "<![CDATA[...]]>"),
    ((b"(Center +) Camera Connecting", b"(Center <+) Camera Connecting"),
     "line 24, column 104: the XML is malformed (not well-formed (invalid token) at '<'): a raw < in text: write "
     "&lt; or put the value in <![CDATA[...]]>"),
])
def test_malformed_xml_names_line_column_character_and_a_plain_hint(damage, message):
    with pytest.raises(FeedError) as raised:
        read(GOOGLE_BASE.replace(*damage, 1))
    assert str(raised.value) == message
    line, column = (int(part.split()[1]) for part in str(raised.value).split(":")[0].split(","))
    text = GOOGLE_BASE.replace(*damage, 1).decode().splitlines()[line - 1]
    assert text[column - 1:].startswith(("&is=REG", "</g:conditoin>", "&nbsp;", "<+)"))


def test_a_truncated_feed_says_it_was_cut_off():
    with pytest.raises(FeedError, match=r"the feed ends too early: it was cut off"):
        read(GOOGLE_BASE[:4000])


def test_unknown_columns_are_named_once_with_the_nearest_known_name():
    feed = ("ID,Item titel,Final URL,Image URL,Item description,Price,Sale price,Prodcut Type,Warehouse\n"
            "A-1,Bolsa,https://loja.example.com/a,https://loja.example.com/a.jpg,Couro,10 BRL,8 BRL,Bolsas,SP\n"
            "A-2,Mala,https://loja.example.com/b,https://loja.example.com/b.jpg,Couro,20 BRL,,Bolsas,RJ\n")
    items, notices = read(feed.encode())
    assert notices == ["'Item titel' is not a Merchant Center column; did you mean 'title'?",
                       "'Prodcut Type' is not a Merchant Center column; did you mean 'product_type'?",
                       "'Warehouse' is not a Merchant Center column; it is ignored"]
    product = normalize(items[0].fields).data  # Google Ads custom feed names, as Shopify exports them
    assert product["link"] == "https://loja.example.com/a" and product["image_link"] == "https://loja.example.com/a.jpg"
    assert (product["description"], product["price"], product["sale_price"]) == ("Couro", "10.00", "8.00")


@pytest.mark.parametrize("header, row, expected", [
    # TikTok's own catalog template
    ("sku_id,title,description,availability,condition,price,link,image_link,brand",
     "T-1,Meia,Algodão,in stock,new,9.90 BRL,https://loja.example.com/t,https://loja.example.com/t.jpg,Acme",
     {"id": "T-1", "link": "https://loja.example.com/t", "image_link": "https://loja.example.com/t.jpg"}),
    # Meta's catalog template (list columns of its own are known, not reported)
    ("id,title,description,availability,condition,price,link,image_link,brand,fb_product_category,"
     "video[0].url,product_tags[0],style[0],status",
     "M-1,Meia,Algodão,in stock,new,9.90 BRL,https://loja.example.com/m,https://loja.example.com/m.jpg,Acme,"
     "Clothing,https://loja.example.com/m.mp4,socks,casual,archived",
     {"id": "M-1", "video_link": "https://loja.example.com/m.mp4"}),
    # Shopify's product export
    ("Handle,Title,Body (HTML),Vendor,Type,Variant SKU,Variant Price,Variant Barcode,Image Src",
     "meia,Meia,<p>Algodão</p>,Acme,Meias,S-1,9.90,7891000315507,https://loja.example.com/s.jpg",
     {"id": "S-1", "item_group_id": "meia", "brand": "Acme", "product_type": "Meias", "gtin": "7891000315507",
      "description": "Algodão", "price": "9.90"}),
])
def test_other_ecosystems_column_names_are_understood(header, row, expected):
    (item,), notices = read(f"{header}\n{row}\n".encode())
    assert notices == []
    product = normalize(item.fields)
    assert {name: product.data[name] for name in expected} == expected


def test_meta_archived_status_keeps_the_product_off_tiktok():
    assert normalize({"id": "M-1", "status": "archived"}).visibility == "hidden"


def test_urls_with_spaces_and_other_characters_are_percent_encoded():
    assert escaped_url("https://loja.example.com/img/big_M-125215 (1).png") == \
        "https://loja.example.com/img/big_M-125215%20(1).png"
    assert escaped_url("https://loja.example.com/p/ação?cor=azul claro#fotos 2") == \
        "https://loja.example.com/p/a%C3%A7%C3%A3o?cor=azul%20claro#fotos%202"
    already = "https://loja.example.com/p/a%20b?x=1&y=%C3%A7"
    assert escaped_url(already) == already
    product = normalize({"id": "U-1", "image_link": "https://loja.example.com/img/big_M-125215 (1).png",
                         "additional_image_link": ["https://loja.example.com/img/a b.png"]}).data
    assert product["image_link"] == "https://loja.example.com/img/big_M-125215%20(1).png"
    assert product["additional_image_links"] == ["https://loja.example.com/img/a%20b.png"]


@pytest.mark.parametrize("value, problem", [
    ("8808992787426", None), ("5030697019233", None), ("71919219405200", None), ("838098005108", None),
    ("96385074", None),
    ("8808992787425", "its check digit is wrong (a typo, or not a GTIN)"),
    ("12345", "a GTIN has 8, 12, 13 or 14 digits, not 5"),
    ("88O8992787426", "a GTIN has only digits"),
])
def test_gtins_are_checked_for_length_and_check_digit(value, problem):
    assert gtin_problem(value) == problem


def test_a_wrong_gtin_is_dropped_with_a_note_and_a_good_one_kept_without_spaces():
    wrong = normalize({"id": "G-1", "gtin": "8808992787425"})
    assert "gtin" not in wrong.data
    assert wrong.notes == [("gtin_dropped", "gtin '8808992787425' was not sent: its check digit is wrong "
                                            "(a typo, or not a GTIN)")]
    right = normalize({"id": "G-2", "gtin": "880 8992 787426"})
    assert right.data["gtin"] == "8808992787426" and right.notes == []


def test_a_real_feeds_upc_is_kept():
    items, _ = read(GOOGLE_BASE)
    assert normalize(items[1].fields).data["gtin"] == "838098005108"


def test_html_entities_left_in_product_type_are_decoded_like_descriptions():
    feed = (b'<rss xmlns:g="http://base.google.com/ns/1.0"><channel><item><g:id>P-1</g:id>'
            b"<g:product_type>Health &amp;amp; Beauty &amp;gt; Skin Care</g:product_type></item></channel></rss>")
    (item,), _ = read(feed)
    product = normalize(item.fields)
    assert product.data["product_type"] == "Health & Beauty > Skin Care"
    assert product.category_ids == ["Health & Beauty", "Health & Beauty > Skin Care"]
