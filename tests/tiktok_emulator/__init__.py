"""A TikTok Business API emulator for tests and local development.

``create_app(settings)`` builds the Flask app; ``EmulatorServer`` runs it threaded on a loopback
port; ``python -m tests.tiktok_emulator --port N`` runs it alone; ``pytest_plugin`` provides the
``tiktok_emulator`` fixture. The API lives under ``/open_api/v1.3/`` and the consent page at
``/portal/auth``. Tests steer it through ``/_emulator/``: ``reset``, ``config``, ``world``,
``tokens``, ``tokens/revoke``, ``auth_codes``, ``faults``, ``requests``, ``stats``, ``images``,
``clock``, ``catalogs``, ``catalogs/<id>/products``, ``events`` and ``echo``.
"""
from .app import create_app
from .server import EmulatorServer
from .state import DEFAULT_APP_ID, DEFAULT_APP_SECRET

__all__ = ["DEFAULT_APP_ID", "DEFAULT_APP_SECRET", "EmulatorServer", "create_app"]
