"""In Chromium: the injected head snippet loads the store's pixel script from the connector."""
import functools
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from injector.cli import main

from .conftest import CORPUS

PRODUCT = "JonatasRicardo__vtex-dev__src__html__templates__VTEXDEV-product.html"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep the test output clean
        pass


@pytest.fixture
def site(tmp_path):
    """A folder served over HTTP on 127.0.0.1; yields (folder, base URL)."""
    root = tmp_path / "site"
    (root / "pixel").mkdir(parents=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.browser
def test_injected_page_loads_the_pixel_script_from_the_server(page, site):
    root, base = site
    shutil.copy(CORPUS / PRODUCT, root / "product.html")
    (root / "favicon.ico").write_bytes(b"")  # so the only requests are the page's own
    (root / "pixel" / "store_1.js").write_text(
        "window.pixelLoads = (window.pixelLoads || 0) + 1;\n"
        "window.queuedEvents = (window.ttc && window.ttc.q || []).map(function (a) { return a[1]; });\n"
    )
    assert main(["apply", str(root), "--store", "store_1", "--server", base, "--include", "product.html"]) == 1
    page.goto(f"{base}/product.html")
    page.wait_for_function("window.pixelLoads === 1")
    assert page.evaluate("typeof window.ttc") == "function"
    assert page.evaluate("window.pixelLoads") == 1
    assert page.console_errors == []
