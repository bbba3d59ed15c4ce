"""TikTok client benchmark against the emulator; prints figures, asserts nothing.

1. Overhead: calls/s through TikTokClient (no pacer, local pacer, Redis pacer) against a bare
   ``requests.Session.get`` of the same endpoint, measured in the same run (median of rounds).
2. Pacing: with the emulator enforcing 5 uploads/s, several worker processes upload to one
   catalog for ``--seconds``; prints the sustained rate, its share of the limit, and how many
   40100 answers and write conflicts the emulator gave.

    python bench/tiktok_client_bench.py [--seconds 60] [--calls 500] [--rounds 5] [--workers 3]
"""
from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import redis
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _harness import add_machine_args, check_machine  # noqa: E402
from server.tiktok import LocalPacer, NullPacer, RateLimits, RedisPacer, TikTokClient  # noqa: E402
from server.tiktok.catalogs import create_catalog  # noqa: E402

UPLOAD_LIMIT = 5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_emulator(port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "tests.tiktok_emulator", "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    proc.stdout.readline()
    return proc


def control(url: str, method: str, path: str, **kwargs):
    response = requests.request(method, f"{url}/_emulator/{path}", timeout=10, **kwargs)
    response.raise_for_status()
    return response.json()


def rate(n: int, fn) -> float:
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - started)


def overhead(url: str, token: str, calls: int, rounds: int, workdir: Path) -> None:
    control(url, "POST", "config", json={"rate_limits_enabled": False})
    unlimited = RateLimits(app_per_second=10**6, endpoint_per_second={})
    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    redis_client = redis.Redis()
    local = LocalPacer(workdir / "overhead", unlimited, namespace=namespace)
    with requests.Session() as session:
        endpoint = f"{url}/open_api/v1.3/user/info/"

        def bare():
            session.get(endpoint, headers={"Access-Token": token}, timeout=(5, 30)).json()

        variants = {"bare requests.Session.get": bare}
        for name, pacer in (("TikTokClient, no pacer", NullPacer()), ("TikTokClient + LocalPacer", local),
                            ("TikTokClient + RedisPacer", RedisPacer(redis_client, unlimited, namespace=namespace))):
            client = TikTokClient(session, base_url=url, access_token=token, pacer=pacer)
            variants[name] = lambda client=client: client.get("user/info/")
        results = {name: [] for name in variants}
        for fn in variants.values():
            rate(50, fn)  # warm connections and caches
        for _ in range(rounds):
            for name, fn in variants.items():
                results[name].append(rate(calls, fn))
    baseline = statistics.median(results["bare requests.Session.get"])
    print(f"\n== client overhead: GET user/info/, median of {rounds} rounds x {calls} calls ==")
    for name, values in results.items():
        median = statistics.median(values)
        print(f"{name:30s} {median:8.0f} calls/s  {1e6 / median:7.0f} us/call  ratio {median / baseline:5.2f}"
              f"  (+{1e6 / median - 1e6 / baseline:5.0f} us vs bare)")
    local.close()
    for key in redis_client.scan_iter(f"{namespace}:*"):
        redis_client.delete(key)
    redis_client.close()
    control(url, "POST", "config", json={"rate_limits_enabled": True})


def pacing(url: str, token: str, bc_id: str, backend: str, seconds: float, workers: int, workdir: Path) -> None:
    with requests.Session() as session:
        client = TikTokClient(session, base_url=url, access_token=token)
        catalog_id = create_catalog(client, bc_id, f"bench {backend}", region_code="US", currency="USD")
    control(url, "DELETE", "requests")
    before = control(url, "GET", "stats")
    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    start_at = time.time() + 2.0
    procs = [subprocess.Popen(
        [sys.executable, "-m", "tests.tiktok.pacing_worker", "--backend", backend, "--namespace", namespace,
         "--dir", str(workdir / backend), "--url", url, "--token", token, "--bc", bc_id, "--catalog", catalog_id,
         "--worker", str(n), "--seconds", str(seconds), "--start-at", str(start_at)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True) for n in range(workers)]
    outcomes = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    after = control(url, "GET", "stats")
    if backend == "redis":
        with redis.Redis() as redis_client:
            for key in redis_client.scan_iter(f"{namespace}:*"):
                redis_client.delete(key)
    uploads = [r for r in control(url, "GET", "requests", params={"path": "catalog/product/upload/"})
               if r["code"] == 0]
    times = sorted(r["time"] for r in uploads)
    span = times[-1] - times[0] if len(times) > 1 else float("nan")
    # Arrivals come in bursts of up to UPLOAD_LIMIT per window: count whole seconds from the
    # first arrival, so a final burst does not inflate the rate.
    whole = int(span) if span == span else 0
    sustained = sum(1 for t in times if t < times[0] + whole) / whole if whole else 0.0
    refused = after.get("rate_limited", 0) - before.get("rate_limited", 0)
    conflicts = after.get("write_conflicts", 0) - before.get("write_conflicts", 0)
    client_errors = sum(v for o in outcomes for k, v in o.items() if k not in ("ok", "elapsed_ms"))
    print(f"{backend:6s} workers={workers} accepted={len(times):5d} span={span:6.1f}s "
          f"sustained={sustained:5.2f}/s ({100 * sustained / UPLOAD_LIMIT:5.1f}% of {UPLOAD_LIMIT}/s) "
          f"40100={refused} write_conflicts={conflicts} client_errors={client_errors}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each pacing run")
    parser.add_argument("--calls", type=int, default=500, help="calls per overhead round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=3, help="uploading processes in the pacing runs")
    add_machine_args(parser)
    args = parser.parse_args()
    check_machine(args)
    port = free_port()
    emulator = start_emulator(port)
    url = f"http://127.0.0.1:{port}"
    try:
        seeded = control(url, "POST", "tokens", json={})
        with tempfile.TemporaryDirectory() as tmp:
            overhead(url, seeded["access_token"], args.calls, args.rounds, Path(tmp))
            print(f"\n== pacing: {args.workers} processes uploading to one catalog for {args.seconds:g}s, "
                  f"emulator enforcing {UPLOAD_LIMIT} uploads/s ==")
            for backend in ("redis", "local"):
                pacing(url, seeded["access_token"], seeded["bc_id"], backend, args.seconds, args.workers, Path(tmp))
    finally:
        emulator.terminate()
        emulator.wait()


if __name__ == "__main__":
    main()
