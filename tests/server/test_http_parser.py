"""gunicorn's HTTP parser in C (the `fast` extra, gunicorn_h1c): an install that can build it has it,
deploy/gunicorn.conf.py lets gunicorn use it, and it reads shoppers' requests as the Python parser does."""
import importlib.util
import shutil
from pathlib import Path

import pytest
from gunicorn.app.base import Application
from gunicorn.http.parser import RequestParser
from gunicorn.http.wsgi import create

ROOT = Path(__file__).resolve().parents[2]
BEACON = (b'{"event":"AddToCart","event_id":"1-2-3","url":"https://shop.example.com/p/caneca",'
          b'"properties":{"contents":[{"content_id":"SKU-5","price":24.5,"quantity":2}],"currency":"BRL"}}')
CHROME = (b"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          b"Chrome/124.0.0.0 Safari/537.36")
REQUESTS = {
    "beacon": (b"POST /pixel/9dLAZPogPjUcHzZje8XLGw/events HTTP/1.1\r\nHost: connector.example.com\r\n"
               b"Content-Length: %d\r\nContent-Type: text/plain;charset=UTF-8\r\nOrigin: https://shop.example.com\r\n"
               b"User-Agent: " + CHROME + b"\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n") % len(BEACON) + BEACON,
    "pixel script": (b"GET /pixel/9dLAZPogPjUcHzZje8XLGw.js?v=3 HTTP/1.1\r\nHost: connector.example.com\r\n"
                     b"User-Agent: " + CHROME + b"\r\nAccept: */*\r\nAccept-Language: pt-BR,pt;q=0.9\r\n"
                     b"Accept-Encoding: gzip, deflate, br\r\nReferer: https://shop.example.com/p/caneca\r\n"
                     b"Sec-Fetch-Dest: script\r\nIf-None-Match: \"-otwYY3xVUPd5PqqJ2wHKA\"\r\n"
                     b"Connection: keep-alive\r\n\r\n"),
}


class Deployed(Application):
    """gunicorn's settings as deploy/gunicorn.conf.py makes them (nothing is started)."""

    def init(self, parser, opts, args):
        return None

    def load_config(self):
        self.load_config_from_file(str(ROOT / "deploy/gunicorn.conf.py"))

    def load(self):
        return None


def read(cfg, raw):
    """What a worker hands the app: (whether the C parser read it, the WSGI environ, the body)."""
    request = next(RequestParser(cfg, [raw], ("127.0.0.1", 40000)))
    body = request.body.read()
    _, environ = create(request, None, ("127.0.0.1", 40000), ("127.0.0.1", 8000), cfg)
    return request._use_fast, {name: value for name, value in environ.items() if isinstance(value, str)}, body


@pytest.mark.skipif(not (shutil.which("cc") or shutil.which("gcc")), reason="no C compiler here")
def test_an_install_with_a_c_compiler_parses_shoppers_requests_in_c():
    assert importlib.util.find_spec("gunicorn_h1c"), "make installs the fast extra: make .venv/bin/activate"
    cfg = Deployed().cfg
    assert cfg.http_parser == "auto"
    for name, raw in REQUESTS.items():
        assert read(cfg, raw)[0] is True, name


@pytest.mark.skipif(importlib.util.find_spec("gunicorn_h1c") is None, reason="installed without the fast extra")
@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_the_c_parser_reads_a_request_as_the_python_parser_does(name):
    fast, python = Deployed().cfg, Deployed().cfg
    python.set("http_parser", "python")
    used_c, environ, body = read(fast, REQUESTS[name])
    assert used_c
    assert (environ, body) == read(python, REQUESTS[name])[1:]
    assert environ["HTTP_HOST"] == "connector.example.com" and environ["HTTP_USER_AGENT"] == CHROME.decode()
    assert body == (BEACON if name == "beacon" else b"")
