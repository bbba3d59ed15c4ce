"""Reading product feeds as streams: RSS, Atom, CSV and TSV; hostile XML refused; errors with lines."""
import io
import tracemalloc

import pytest

from server.catalog.intake.feeds import FeedError, read_feed

G = 'xmlns:g="http://base.google.com/ns/1.0"'


def rss(*items, prolog='<?xml version="1.0" encoding="UTF-8"?>\n'):
    body = "".join(f"<item>{i}</item>\n" for i in items)
    return (f'{prolog}<rss version="2.0" {G}><channel><title>Loja</title>\n{body}</channel></rss>\n').encode()


def items_of(data):
    return list(read_feed(io.BytesIO(data)))


def rss_item(n):
    return (f"<g:id>SKU-{n}</g:id><title>Camiseta {n}</title><g:price>59.90 BRL</g:price>"
            f"<g:additional_image_link>https://loja.example.com/{n}-a.jpg</g:additional_image_link>"
            f"<g:additional_image_link>https://loja.example.com/{n}-b.jpg</g:additional_image_link>"
            f"<g:shipping><g:country>BR</g:country><g:price>10 BRL</g:price></g:shipping>")


def test_rss_items_with_the_g_namespace():
    found = items_of(rss(rss_item(1), rss_item(2)))
    assert [i.fields["id"] for i in found] == ["SKU-1", "SKU-2"]
    first = found[0]
    assert first.fields["title"] == "Camiseta 1" and first.fields["price"] == "59.90 BRL"
    assert first.fields["additional_image_link"] == ["https://loja.example.com/1-a.jpg",
                                                     "https://loja.example.com/1-b.jpg"]
    assert "country" not in first.fields  # nested shipping details are not product fields
    assert first.position == "item 1 (line 3)"


def test_atom_entries_with_link_elements():
    feed = (f'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom" {G}>\n<title>Loja</title>\n'
            '<entry>\n<g:id>A-1</g:id><title>Bolsa</title><link href="https://loja.example.com/p/a1"/>\n'
            '<summary>Couro &amp; tecido</summary></entry>\n</feed>').encode()
    (entry,) = items_of(feed)
    assert entry.fields == {"id": "A-1", "title": "Bolsa", "link": "https://loja.example.com/p/a1",
                            "summary": "Couro & tecido"}
    assert entry.position == "item 1 (line 4)"


def test_csv_and_tsv_with_merchant_center_headers():
    csv_feed = ('\ufeffid,title,price,"g:image link",additional_image_link\n'
                'C-1,"Camiseta, azul",59.90 BRL,https://x/1.jpg,"https://x/2.jpg,https://x/3.jpg"\n'
                '\n'
                'C-2,Short,39.90 BRL,https://x/4.jpg,\n').encode()
    first, second = items_of(csv_feed)
    assert first.fields == {"id": "C-1", "title": "Camiseta, azul", "price": "59.90 BRL",
                            "image_link": "https://x/1.jpg",
                            "additional_image_link": ["https://x/2.jpg", "https://x/3.jpg"]}
    assert (first.position, second.position) == ("line 2", "line 4")
    tsv = b"id\ttitle\tprice\nT-1\tMeia\t9.90\nT-2\tbroken\n"
    good, bad = items_of(tsv)
    assert good.fields == {"id": "T-1", "title": "Meia", "price": "9.90"}
    assert bad.position == "line 3" and bad.error == "has 2 columns; the header has 3"


def test_billion_laughs_is_refused_before_any_expansion():
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
            + "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">\n'
                      for n in range(1, 10))
            + f']>\n<rss {G}><channel><item><g:id>&lol9;</g:id></item></channel></rss>').encode()
    with pytest.raises(FeedError, match=r"line 2: .*DTD or entities"):
        items_of(bomb)


def test_external_entities_never_read_local_files(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    feed = (f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>\n'
            f'<rss {G}><channel><item><g:id>&x;</g:id></item></channel></rss>').encode()
    with pytest.raises(FeedError, match="refused") as caught:
        items_of(feed)
    assert "top secret" not in str(caught.value)


def test_undeclared_entities_and_broken_xml_name_their_line():
    with pytest.raises(FeedError, match=r"^line 5, column 13: the XML is malformed \(undefined entity"):
        items_of(rss("<g:id>1</g:id>", "<g:id>2</g:id>", "<g:id>&nbsp;</g:id>"))
    with pytest.raises(FeedError, match=r"^line 5, column \d+: the XML is malformed"):
        items_of(rss("<g:id>1</g:id>", "<g:id>2</g:id>", "<g:id>3</g:title>"))


def test_csv_without_an_id_column_is_not_a_feed():
    with pytest.raises(FeedError, match="line 1: the header has no id column"):
        items_of(b"name,cost\na,1\n")


def _peak_while_reading(count):
    data = rss(*(rss_item(n) + "<description>" + "x" * 500 + "</description>" for n in range(count)))
    tracemalloc.start()
    try:
        stream = io.BytesIO(data)
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]
        read = sum(1 for _ in read_feed(stream))
        peak = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()
    return read, peak


def test_memory_does_not_grow_with_the_feed():
    small_count, small_peak = _peak_while_reading(2_000)
    large_count, large_peak = _peak_while_reading(20_000)
    assert (small_count, large_count) == (2_000, 20_000)
    # Twenty times the items: the working set stays that of one chunk and one item.
    assert large_peak < small_peak * 2
