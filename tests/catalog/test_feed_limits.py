"""Feeds past their size caps are refused with the line; compressed feeds are decoded within a cap;
an encoding error names the line of its byte; hostile field values are refused one by one."""
import gzip
import io
import zlib

import pytest

from server.catalog import service
from server.catalog.checks.limits import KB, FeedLimits
from server.catalog.intake.feeds import FeedError, read_feed
from server.extensions import db
from server.models.catalog import CatalogProduct
from tests.catalog.helpers import states
from tests.factories import make_store

SMALL = FeedLimits(field=1 * KB, row=4 * KB, columns=20, decoded=64 * KB)
G = 'xmlns:g="http://base.google.com/ns/1.0"'
HEADER = "id,title,description,link,image_link,price,availability,condition,brand\n"


def read(data, limits=SMALL):
    return list(read_feed(io.BytesIO(data), limits))


def refused(data, limits=SMALL):
    with pytest.raises(FeedError) as raised:
        read(data, limits)
    return str(raised.value)


def row(sku, description="Algodao", price="59.90 BRL"):
    return (f"{sku},Camiseta {sku},{description},https://loja.example.com/p/{sku},https://loja.example.com/{sku}.jpg,"
            f"{price},in stock,new,Acme\n")


def rss(*items):
    body = "".join(f"<item>{item}</item>\n" for item in items)
    return f'<?xml version="1.0"?>\n<rss {G}><channel>\n{body}</channel></rss>\n'.encode()


def test_csv_rows_fields_and_headers_past_their_caps_are_refused_with_their_line():
    assert refused(b"id,title," + b"x" * 10_000) == (
        "line 1: the header is longer than 4 KB, the limit for one row (TTC_CATALOG_FEED_MAX_ROW_KB)")
    many = ",".join(f"c{n}" for n in range(30))
    assert refused(f"id,{many}\n".encode()) == (
        "line 1: the header has 31 columns; at most 20 are read (TTC_CATALOG_FEED_MAX_COLUMNS)")
    long_row = (HEADER + row("A") + "B," + "," * 5000 + "\n").encode()
    assert refused(long_row) == ("line 3: the row is longer than 4 KB, the limit for one row "
                                 "(TTC_CATALOG_FEED_MAX_ROW_KB)")
    long_field = (HEADER + row("A") + row("B", description="y" * 2000)).encode()
    assert refused(long_field) == ("line 3: a field is longer than 1 KB, the limit for one field "
                                   "(TTC_CATALOG_FEED_MAX_FIELD_KB)")
    # A quoted field may span lines: the row is counted whole, and named by its first line.
    spread = (HEADER + row("A") + 'B,"' + "line of text\n" * 600 + '",x\n').encode()
    with pytest.raises(FeedError, match=r"^line 3: (the row|a field) is longer than"):
        read(spread, FeedLimits(field=64 * KB, row=4 * KB, columns=20))
    # Under the caps, the same shapes read as before.
    assert [i.fields["id"] for i in read((HEADER + row("A") + row("B", description="y" * 900)).encode())] == ["A", "B"]


def test_xml_fields_items_and_tags_past_their_caps_are_refused_with_their_line():
    assert refused(rss("<g:id>A</g:id>", "<g:id>B</g:id><description>" + "y" * 2000 + "</description>")) == (
        "line 4: the <description> of item 2 is longer than 1 KB, the limit for one field "
        "(TTC_CATALOG_FEED_MAX_FIELD_KB)")
    fields = "".join(f"<g:custom_label_{n}>{'z' * 900}</g:custom_label_{n}>" for n in range(6))
    assert refused(rss("<g:id>A</g:id>" + fields)) == (
        "line 3: item 1 is longer than 4 KB, the limit for one row (TTC_CATALOG_FEED_MAX_ROW_KB)")
    wide = "".join(f"<g:f{n}>v</g:f{n}>" for n in range(25))
    assert refused(rss("<g:id>A</g:id>" + wide)) == (
        "line 3: item 1 has 21 columns; at most 20 are read (TTC_CATALOG_FEED_MAX_COLUMNS)")
    attribute = ('<?xml version="1.0"?>\n<rss><channel>\n<item><link href="' + "h" * 300_000).encode()
    assert refused(attribute, FeedLimits(row=64 * KB)) == (
        "line 3: a tag is longer than 64 KB, the limit for one row (TTC_CATALOG_FEED_MAX_ROW_KB)")


def test_gzip_and_deflate_feeds_are_read_and_a_bomb_stops_at_the_decoded_cap():
    plain = (HEADER + row("A") + row("B")).encode()
    assert [i.fields["id"] for i in read(gzip.compress(plain))] == ["A", "B"]
    assert [i.fields["id"] for i in read(zlib.compress(plain))] == ["A", "B"]
    # Two gzip members one after the other (what concatenated .gz files are) are one feed.
    half = len(HEADER) + len(row("A"))
    assert [i.fields["id"] for i in read(gzip.compress(plain[:half]) + gzip.compress(plain[half:]))] == ["A", "B"]
    xml = rss(*(f"<g:id>X-{n}</g:id><title>{'t' * 400}</title>" for n in range(400)))
    assert len(read(gzip.compress(xml), FeedLimits(decoded=1024 * KB))) == 400

    message = refused(gzip.compress(xml), FeedLimits(decoded=64 * KB))
    assert message.startswith("line ") and message.endswith(
        "the feed decodes to more than 64 KB, the limit for a compressed feed (TTC_CATALOG_FEED_MAX_DECODED_MB)")
    with pytest.raises(FeedError, match=r"compressed feed ends early"):
        read(gzip.compress(plain)[:-12])


def test_an_encoding_error_names_the_line_of_its_first_bad_byte():
    lines = [HEADER] + [row(f"A{n}", description="Camiseta de algodão orgânico, lavável à mão") for n in range(900)]
    data = "".join(lines).encode() + row("BAD", description="caf\xe9").encode("latin-1") + row("Z").encode()
    assert refused(data, FeedLimits()) == "line 902: the feed is not UTF-8 text (byte 0xe9, the line's byte 21)"
    xml = ("".join(f"<item><g:id>A{n}</g:id><title>Camisa ção</title></item>\n" for n in range(900))).encode()
    data = f'<?xml version="1.0"?>\n<rss {G}><channel>\n'.encode() + xml + "<item><g:id>é</g:id></item>\n".encode(
        "latin-1")
    with pytest.raises(FeedError, match=r"^line 903, column 13: the XML is malformed \(not well-formed"):
        read(data, FeedLimits())


def item_xml(sku, **fields):
    values = {"g:id": sku, "title": f"Bolsa {sku}", "description": "Couro", "link": f"https://loja.example.com/p/{sku}",
              "g:image_link": f"https://loja.example.com/{sku}.jpg", "g:price": "99.00 BRL",
              "g:availability": "in stock", "g:condition": "new", "g:brand": "Acme", **fields}
    return "".join(f"<{name}>{value}</{name}>" for name, value in values.items())


def test_hostile_field_values_are_refused_or_read_one_by_one_and_the_rest_imported(session):
    store = make_store()
    feed = rss(item_xml("DEEP", description="&lt;b&gt;" * 50_000 + "deep"),
               item_xml("REF", description="caf&amp;#" + "9" * 5000 + ";"),
               item_xml("SURROGATE", description="a&amp;#xD800;b"),
               item_xml("NAN", **{"g:price": "NaN BRL"}),
               item_xml("INF", **{"g:price": "Infinity"}),
               item_xml("HUGE", **{"g:price": "9" * 900 + " BRL"}),
               item_xml("EXP", **{"g:price": "1e999999 BRL"}),
               item_xml("NEST", title="[" * 800),
               item_xml("OK"))

    result = service.import_feed(db.session, store, io.BytesIO(feed))

    assert result["received"] == 9
    assert {e["id"] for e in result["errors"]} == {"NAN", "INF", "HUGE", "EXP"}
    assert all(len(e["message"]) <= 500 for e in result["errors"])
    assert set(states(store)) == {"DEEP", "REF", "SURROGATE", "NEST", "OK"}
    data = dict(db.session.execute(db.select(CatalogProduct.sku, CatalogProduct.data)
                                   .where(CatalogProduct.store_id == store.id)).all())
    assert data["DEEP"]["description"] == "deep"
    assert data["REF"]["description"] == "caf\ufffd" and data["SURROGATE"]["description"] == "a\ufffdb"
