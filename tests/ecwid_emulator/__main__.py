"""``python -m tests.ecwid_emulator --port 8767``: run the Ecwid emulator alone."""
from __future__ import annotations

import argparse

from .server import EcwidEmulatorServer
from .state import CLIENT_SECRET, STORE_ID, TOKEN


def main(argv=None):
    """Parse arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m tests.ecwid_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--products", type=int, default=12)
    parser.add_argument("--per-minute", type=int, default=600)
    args = parser.parse_args(argv)
    server = EcwidEmulatorServer(args.host, args.port, {"products": args.products, "per_minute": args.per_minute})
    print(f"Ecwid emulator on {server.url}: store {STORE_ID}, token {TOKEN}, client secret {CLIENT_SECRET}",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
