"""Run the VTEX emulator on a loopback port in a background thread (tests, benchmarks)."""
from __future__ import annotations

import threading

from werkzeug.serving import make_server

from tests.tiktok_emulator.server import QuietHandler

from .app import create_app


class VtexEmulatorServer:
    """A threaded werkzeug server around a fresh emulator app."""

    def __init__(self, host="127.0.0.1", port=0, settings=None):
        self.app = create_app(settings)
        self._server = make_server(host, port, self.app, threaded=True, request_handler=QuietHandler)
        self.host, self.port = host, self._server.server_port
        self._thread = None

    @property
    def url(self):
        """The host root, e.g. ``http://127.0.0.1:5123``."""
        return f"http://{self.host}:{self.port}"

    def start(self):
        """Serve in a daemon thread."""
        self._thread = threading.Thread(target=self._server.serve_forever, name="vtex-emulator", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        """Serve in this thread until interrupted."""
        self._server.serve_forever()

    def stop(self):
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)
