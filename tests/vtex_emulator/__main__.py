"""``python -m tests.vtex_emulator --port 8766``: run the VTEX emulator alone."""
from __future__ import annotations

import argparse

from .server import VtexEmulatorServer
from .state import ACCOUNT, APP_KEY, APP_TOKEN


def main(argv=None):
    """Parse arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m tests.vtex_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--products", type=int, default=20)
    parser.add_argument("--skus-per-product", type=int, default=2)
    parser.add_argument("--per-endpoint-per-minute", type=int, default=15_000)
    parser.add_argument("--per-account-per-minute", type=int, default=45_000)
    args = parser.parse_args(argv)
    server = VtexEmulatorServer(args.host, args.port, {
        "products": args.products, "skus_per_product": args.skus_per_product,
        "per_endpoint_per_minute": args.per_endpoint_per_minute, "per_account_per_minute": args.per_account_per_minute})
    print(f"VTEX emulator on {server.url}: account {ACCOUNT}, app key {APP_KEY}, app token {APP_TOKEN}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
