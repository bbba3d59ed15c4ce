"""``python -m tests.tiktok_emulator --port 8765``: run the TikTok emulator alone."""
from __future__ import annotations

import argparse

from .server import EmulatorServer
from .state import DEFAULT_APP_ID, DEFAULT_APP_SECRET


def main(argv=None) -> None:
    """Parse arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m tests.tiktok_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--app-id", default=DEFAULT_APP_ID)
    parser.add_argument("--app-secret", default=DEFAULT_APP_SECRET)
    parser.add_argument("--no-rate-limits", action="store_true", help="answer every call, however fast")
    args = parser.parse_args(argv)
    settings = {"apps": {args.app_id: args.app_secret}, "rate_limits_enabled": not args.no_rate_limits}
    server = EmulatorServer(args.host, args.port, settings)
    print(f"TikTok emulator on {server.url} (auth page {server.url}/portal/auth, app_id {args.app_id})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
