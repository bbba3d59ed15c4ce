"""The catalog command line: importing feeds from files and URLs, status as JSON, why, categories."""
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.catalog.helpers import cli_json, states

HEADER = "id,title,description,link,image_link,price,availability,condition,brand,product_type\n"


# Feed imports from the command line, read in the importing process and by a feed worker.
by_either_reader = pytest.mark.parametrize("import_worker", ["never", "always"])


def row(sku, price="59.90 BRL", product_type="Roupas"):
    return (f"{sku},Camiseta {sku},Algodao,https://loja.example.com/p/{sku},https://loja.example.com/{sku}.jpg,"
            f"{price},in stock,new,Acme,{product_type}\n")


@by_either_reader
def test_import_a_csv_file_with_a_progress_bar_and_errors_by_line(runner, store, tmp_path):
    feed = tmp_path / "feed.csv"
    feed.write_text(HEADER + "".join(row(f"A{n}") for n in range(1500)) + row("BAD", price="cheap") + "C1,short\n")

    result = runner.invoke(args=["catalog", "import", str(feed), "--store", store.public_key, "--strict"])

    assert result.exit_code == 1  # --strict: some items were refused
    assert "Importing" in result.stderr
    assert ("1502 read: 1500 ready for TikTok, 0 invalid, 2 refused (malformed), 0 removed. (1500 new or changed.)"
            in result.stdout)
    assert "line 1502: BAD: price: 'cheap' is not an amount" in result.stdout
    assert "line 1503: (no id): has 2 columns; the header has 10" in result.stdout
    assert "Sync #" in result.stdout  # the store is connected: a sync is queued
    assert len(states(store)) == 1500


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def web(tmp_path):
    """A local web server for ``tmp_path``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@by_either_reader
def test_import_an_rss_feed_from_a_url_replaces_the_catalog(runner, store, tmp_path, web):
    (tmp_path / "one.csv").write_text(HEADER + row("OLD-1") + row("KEEP"))
    runner.invoke(args=["catalog", "import", str(tmp_path / "one.csv"), "--store", store.public_key])
    (tmp_path / "feed.xml").write_text(
        '<?xml version="1.0"?>\n<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel>\n'
        + "".join(f"<item><g:id>{sku}</g:id><title>Bolsa {sku}</title><description>&lt;p&gt;Couro&lt;/p&gt;"
                  f"</description><link>https://loja.example.com/p/{sku}</link><g:image_link>"
                  f"https://loja.example.com/{sku}.jpg</g:image_link><g:price>99.00 BRL</g:price><g:availability>"
                  f"in stock</g:availability><g:condition>new</g:condition><g:brand>Acme</g:brand></item>\n"
                  for sku in ("KEEP", "NEW-1"))
        + "</channel></rss>\n")

    result = runner.invoke(args=["catalog", "import", f"{web}/feed.xml", "--store", store.public_key])

    assert result.exit_code == 0, result.output
    assert "2 read: 2 ready for TikTok, 0 invalid, 0 refused (malformed), 1 removed." in result.stdout
    assert states(store) == {"OLD-1": "deleted", "KEEP": "queued", "NEW-1": "queued"}
    answer = cli_json(runner, "catalog", "why", "--store", store.public_key, "NEW-1", "--json")
    assert answer["title"] == "Bolsa NEW-1"


@by_either_reader
def test_a_hostile_or_broken_feed_stops_with_its_line_and_removes_nothing(runner, store, tmp_path):
    (tmp_path / "one.csv").write_text(HEADER + row("A") + row("B"))
    runner.invoke(args=["catalog", "import", str(tmp_path / "one.csv"), "--store", store.public_key])
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n<rss><channel><item><g:id>&a;'
                    '</g:id></item></channel></rss>')
    result = runner.invoke(args=["catalog", "import", str(bomb), "--store", store.public_key])
    assert result.exit_code == 1 and "line 2: the feed declares a DTD or entities" in result.output
    empty = tmp_path / "empty.csv"
    empty.write_text(HEADER)
    result = runner.invoke(args=["catalog", "import", str(empty), "--store", store.public_key])
    assert result.exit_code == 1 and "would remove every product" in result.output
    assert states(store) == {"A": "queued", "B": "queued"}


def test_status_json_counts_every_state_and_categories_hide(runner, session, store, tmp_path):
    feed = tmp_path / "feed.csv"
    feed.write_text(HEADER + row("A", product_type="Roupas > Sale") + row("B") + row("C", price="0"))
    runner.invoke(args=["catalog", "import", str(feed), "--store", store.public_key])

    hidden = runner.invoke(args=["catalog", "categories", "--store", store.public_key, "--hide", "Roupas > Sale"])
    assert "Roupas > Sale  (1 product)  [hidden]" in hidden.output

    status = cli_json(runner, "catalog", "status", "--store", store.public_key, "--json")
    assert set(status["counts"]) == {"excluded", "invalid", "queued", "uploading", "pending_review", "listed",
                                     "rejected", "deleted"}
    assert (status["counts"]["excluded"], status["counts"]["invalid"], status["counts"]["queued"]) == (1, 1, 1)
    why = runner.invoke(args=["catalog", "why", "--store", store.public_key, "A"])
    assert "excluded" in why.output and "hidden category 'Roupas > Sale'" in why.output
    listed = runner.invoke(args=["catalog", "products", "--store", store.public_key, "--state", "invalid"])
    assert "C  [invalid]  Not sent to TikTok: it fails TikTok's rules. Price must be greater than 0." in listed.output
