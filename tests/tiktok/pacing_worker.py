"""A worker process for the pacing tests and benchmark: writes to one catalog through a pacer.

``python -m tests.tiktok.pacing_worker --backend redis|local|none ...``; prints one JSON line
with how many calls succeeded and how many failed, by error class. With ``--ready-go`` it prints
"ready" once set up and begins when a line arrives on its standard input, so a parent can start
several workers together.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter

import requests

from server.tiktok import LocalPacer, NullPacer, RateLimits, RedisPacer, RetryPolicy, TikTokClient, TikTokError
from server.tiktok.products import delete_products, upload_products


def build_pacer(backend: str, namespace: str, directory: str | None, redis_url: str, limits: RateLimits):
    """The pacer a worker uses."""
    if backend == "redis":
        import redis
        return RedisPacer(redis.Redis.from_url(redis_url), limits, namespace=namespace)
    if backend == "local":
        return LocalPacer(directory, limits, namespace=namespace)
    return NullPacer(limits)


def main(argv=None) -> None:
    """Run the writes and print the outcome."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["redis", "local", "none"], required=True)
    parser.add_argument("--namespace", required=True)
    parser.add_argument("--dir")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--bc", required=True)
    parser.add_argument("--catalog", required=True)
    parser.add_argument("--worker", type=int, default=0)
    parser.add_argument("--uploads", type=int, default=0)
    parser.add_argument("--deletes", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=0.0, help="keep uploading this long instead")
    parser.add_argument("--start-at", type=float, default=0.0, help="wall-clock time to begin")
    parser.add_argument("--ready-go", action="store_true", help='print "ready", begin on a line from stdin')
    args = parser.parse_args(argv)

    pacer = build_pacer(args.backend, args.namespace, args.dir, args.redis_url, RateLimits())
    outcome = Counter()
    with requests.Session() as session:
        client = TikTokClient(session, base_url=args.url, access_token=args.token, timeout=(5, 10),
                              pacer=pacer, retry=RetryPolicy(max_attempts=1))
        time.sleep(max(0.0, args.start_at - time.time()))
        if args.ready_go:
            print("ready", flush=True)
            sys.stdin.readline()
        started = time.monotonic()
        batch = 0

        def one(call):
            try:
                call()
                outcome["ok"] += 1
            except TikTokError as error:
                outcome[f"{type(error).__name__}:{error.code}"] += 1

        def upload():
            products = [_product(f"w{args.worker}-{batch}-{i}") for i in range(3)]
            one(lambda: upload_products(client, args.bc, args.catalog, products))

        while batch < args.uploads or (args.seconds and time.monotonic() - started < args.seconds):
            upload()
            batch += 1
        for n in range(args.deletes):
            one(lambda n=n: delete_products(client, args.bc, args.catalog, [f"w{args.worker}-{n}-0"]))
        outcome["elapsed_ms"] = int((time.monotonic() - started) * 1000)
    print(json.dumps(outcome), flush=True)


def _product(sku: str) -> dict:
    return {"sku_id": sku, "title": f"Item {sku}", "description": "Bench item", "availability": "IN_STOCK",
            "brand": "Acme", "image_url": f"https://img.example/{sku}-800x800.jpg",
            "product_detail": {"condition": "NEW"}, "price_info": {"price": 10.0},
            "landing_page": {"landing_page_url": f"https://shop.example/{sku}"}}


if __name__ == "__main__":
    main()
