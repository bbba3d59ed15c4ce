"""Run the VTEX emulator on a loopback port in a background thread (tests, benchmarks)."""
from __future__ import annotations

from tests.emulator_server import AppServer

from .app import create_app


class VtexEmulatorServer(AppServer):
    """A threaded werkzeug server around a fresh VTEX emulator app."""

    name = "vtex-emulator"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, settings: dict | None = None):
        super().__init__(create_app(settings), host, port)
