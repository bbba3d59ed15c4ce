"""Run an emulator's WSGI app on a loopback port in a background thread (tests, benchmarks)."""
from __future__ import annotations

import threading

from werkzeug.serving import WSGIRequestHandler, make_server


class QuietHandler(WSGIRequestHandler):
    """Request handler that keeps werkzeug's access log off the test output."""

    def log_request(self, *args, **kwargs):
        pass

    def log(self, *args, **kwargs):
        pass


class AppServer:
    """A threaded werkzeug server around one emulator app (``self.app``)."""

    name = "emulator"

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, ssl_context=None):
        self.app = app
        self._server = make_server(host, port, self.app, threaded=True, request_handler=QuietHandler,
                                   ssl_context=ssl_context)
        self.host, self.port = host, self._server.server_port
        self.scheme = "https" if ssl_context else "http"
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The host root, e.g. ``http://127.0.0.1:5123``."""
        return f"{self.scheme}://{self.host}:{self.port}"

    def start(self):
        """Serve in a daemon thread."""
        self._thread = threading.Thread(target=self._server.serve_forever, name=self.name, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        self._server.serve_forever()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)
