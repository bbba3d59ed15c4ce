"""Pytest plugin: the real application served over HTTP on 127.0.0.1, for browser tests.

``live_server`` serves the ``app`` fixture (same database, same clean-up) from werkzeug's
``make_server`` in a thread, on a free port; ``TTC_PUBLIC_URL`` is set to that address so the
snippets the pages show point at it. Ask for ``live_server`` before (or instead of) ``app``.
"""
import threading
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from tests.emulator_server import QuietHandler


@dataclass(frozen=True)
class LiveServer:
    """A running server: ``url`` without a trailing slash, and the Flask ``app`` it serves."""

    url: str
    app: object

    def __call__(self, path="/"):
        """The absolute URL of ``path`` on this server."""
        return self.url + path


def _not_ready(environ, start_response):
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]


@pytest.fixture
def live_server(request, app_config):
    """The application on http://127.0.0.1:<free port>, in a background thread."""
    server = make_server("127.0.0.1", 0, _not_ready, threaded=True, request_handler=QuietHandler)
    url = f"http://127.0.0.1:{server.server_port}"
    app_config["TTC_PUBLIC_URL"] = url
    app = request.getfixturevalue("app")
    if app.config["TTC_PUBLIC_URL"] != url:
        server.server_close()
        pytest.fail("the app was built before live_server: ask for live_server first, and use live_server.app")
    server.app = app
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield LiveServer(url, app)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
