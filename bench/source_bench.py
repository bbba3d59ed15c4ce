"""Catalog-source benchmark: prints figures, never asserts.

Against the VTEX and Ecwid emulators (each in its own process, with the rate limits given):
1. A first pull of ``--skus`` VTEX SKUs and of ``--products`` Ecwid products into an empty store
   (a SQLite file), each in a fresh process: requests made, seconds, the floor the emulated rate
   limits allow for those requests and the ratio floor / seconds (target >= 0.8), peak memory of the
   pulling process and of its feed worker (target < 300 MB).
2. The same pull again with nothing changed (requests and seconds), and Ecwid's delta
   (``updatedFrom``) with nothing changed.
3. One product changed on the platform, on a store of ``--small`` products connected to the TikTok
   emulator: from the platform's notification (VTEX) or webhook (Ecwid) to its upload accepted by
   TikTok (seconds; median of ``--runs``).

    python bench/source_bench.py [--skus 100000] [--products 100000] [--vtex-per-minute 30000]
                                 [--ecwid-per-minute 600] [--small 1000] [--runs 3]
                                 [--only vtex|ecwid] [--no-change]

Each pull's line is followed by when its last platform request answered and when the import and
the steps after it ended.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _harness import add_machine_args, check_machine, free_port, wait_http  # noqa: E402
from catalog_bench import WorkerMemory, make_app, make_store, start_emulator  # noqa: E402


def start_platform(name, *args):
    """An emulator (``vtex`` or ``ecwid``) in its own process; returns (process, url)."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", f"tests.{name}_emulator", "--port", str(port), *args], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/_emulator/stats")
    return process, url


def stats(url):
    """The emulator's request counts."""
    import requests

    return requests.get(url + "/_emulator/stats", timeout=10).json()


def settings(vtex_per_minute, ecwid_per_minute):
    """The app's pacing matches the emulated limits, as it matches the documented ones in production."""
    return {"TTC_VTEX_REQUESTS_PER_MINUTE": vtex_per_minute, "TTC_ECWID_REQUESTS_PER_MINUTE": ecwid_per_minute,
            "TTC_CATALOG_SOURCE_NOTIFY_DELAY": 0.0, "TTC_ECWID_CLIENT_SECRET": "emulated_client_secret"}


def pull_in_child(workdir, key, kind, url, extra):
    """Pull the source of store ``key`` in a fresh process; returns its figures."""
    out = subprocess.run([sys.executable, __file__, "--child-pull", str(workdir), key, kind, url, json.dumps(extra)],
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def child_pull(workdir, key, kind, url, extra):
    """(In the child) set the source if new, pull it (full, or Ecwid's delta) and report."""
    from server.catalog.sources import changes, service
    from server.extensions import db
    from server.stores.service import get_store

    app = make_app(Path(workdir), None)
    app.config.update(json.loads(extra))
    with app.app_context():
        store = get_store(db.session, key)
        if service.get_source(db.session, store) is None:
            if kind == "vtex":
                from tests.vtex_emulator.state import ACCOUNT, APP_KEY, APP_TOKEN

                service.set_source(db.session, store, "vtex", {"account": ACCOUNT, "base_url": url},
                                   {"app_key": APP_KEY, "app_token": APP_TOKEN})
            else:
                from tests.ecwid_emulator.state import STORE_ID, TOKEN

                service.set_source(db.session, store, "ecwid", {"store_id": STORE_ID, "base_url": url},
                                   {"token": TOKEN})
        phases = _time_phases(service)
        started = time.perf_counter()
        with WorkerMemory() as worker:
            if app.config.get("BENCH_DELTA"):
                result = changes.run_delta_job(type("Context", (), {"session": db.session})(), store.id)
            else:
                result = service.pull(db.session, store, trigger="bench")
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "received": result.get("received"), "changed": result.get("changed"),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "worker_peak_mb": worker.peak_mb,
            "phases": {name: round(at - started, 2) for name, at in phases.items()}}


def _time_phases(service):
    """Record when the last platform request answered and when the import and the steps after it
    ended (seconds from the pull's start, in the figures' "phases"): what follows the last request."""
    from server.catalog import service as catalog_service
    from server.catalog.sources import ecwid, image_sizes, vtex

    phases = {}

    def timed(owner, name, label):
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            try:
                return original(*args, **kwargs)
            finally:
                phases[label] = time.perf_counter()
        setattr(owner, name, wrapper)

    timed(ecwid.Ecwid, "_get", "last request")
    timed(vtex.Vtex, "_get", "last request")
    timed(catalog_service, "import_feed", "import ended")
    timed(image_sizes, "record", "image sizes ended")
    return phases


def floor_seconds(kind, counts, per_minute):
    """The least time the emulated limits allow for these requests (VTEX: per endpoint and account)."""
    if kind == "vtex":
        per_endpoint = max(counts.values()) / (per_minute / 60)
        return max(per_endpoint, sum(counts.values()) / (3 * per_minute / 60))
    return sum(counts.values()) / (per_minute / 60)


def first_and_again(args, workdir, kind, url, per_minute, extra):
    """Figures of a first pull and of a pull with nothing changed (and Ecwid's delta)."""
    from server.extensions import db

    app = make_app(workdir, None)
    with app.app_context():
        key = make_store(None)
        db.session.remove()
    rows = []
    cases = [("first pull", {}), ("again, nothing changed", {})]
    if kind == "ecwid":
        cases.append(("delta (updatedFrom), nothing changed", {"BENCH_DELTA": True}))
    for label, options in cases:
        before = stats(url)
        figures = pull_in_child(workdir, key, kind, url, {**extra, **options})
        after = stats(url)
        counts = {k: v - before["requests"].get(k, 0) for k, v in after["requests"].items()}
        counts = {k: v for k, v in counts.items() if v}
        throttled = after["throttled"] - before["throttled"]
        floor = floor_seconds(kind, {k: v for k, v in counts.items()}, per_minute) if counts else 0.0
        rows.append((label, sum(counts.values()), throttled, figures, floor))
    return rows


def print_rows(title, rows):
    """The pull figures as a table."""
    print(f"\n{title}")
    print(f"  {'case':<40}{'items':>9}{'requests':>10}{'429s':>7}{'seconds':>9}{'floor s':>9}{'ratio':>7}"
          f"{'peak MB':>9}{'worker MB':>11}")
    for label, requests, throttled, f, floor in rows:
        ratio = floor / f["seconds"] if f["seconds"] else 0
        print(f"  {label:<40}{f['received'] or 0:>9}{requests:>10}{throttled:>7}{f['seconds']:>9.1f}{floor:>9.1f}"
              f"{ratio:>7.2f}{f['peak_mb']:>9.0f}{f['worker_peak_mb']:>11.0f}")
        phases = sorted(f["phases"].items(), key=lambda phase: phase[1])
        print("    " + ", ".join(f"{name} at {at:.1f} s" for name, at in phases))


def change_to_tiktok(args, workdir, kind, url, extra):
    """Seconds from one change's notification to TikTok accepting its upload (median of runs)."""
    import threading

    import requests
    from werkzeug.serving import make_server

    from server.catalog.sources import service
    from server.extensions import db
    from server.jobs.runner import run_due
    from server.models.catalog import CatalogProduct, SyncRun
    from server.stores.service import get_store

    process, tiktok = start_emulator()
    try:
        app = make_app(workdir, tiktok.url)
        app.config.update(extra)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        with app.app_context():
            store = get_store(db.session, make_store(tiktok))
            if kind == "vtex":
                from tests.vtex_emulator.state import ACCOUNT, APP_KEY, APP_TOKEN

                service.set_source(db.session, store, "vtex", {"account": ACCOUNT, "base_url": url},
                                   {"app_key": APP_KEY, "app_token": APP_TOKEN})
            else:
                from tests.ecwid_emulator.state import STORE_ID, TOKEN

                service.set_source(db.session, store, "ecwid", {"store_id": STORE_ID, "base_url": url},
                                   {"token": TOKEN})
            service.pull(db.session, store)
            _drain(app, run_due)
            seconds = []
            for run in range(args.runs):
                if kind == "vtex":
                    source = service.get_source(db.session, store)
                    sku = 1 + run
                    requests.post(f"{url}/_emulator/skus/{sku}", json={"offer": {"sellingPrice": 1000 + run}},
                                  timeout=10)
                    started = time.perf_counter()
                    answer = requests.post(url + "/_emulator/notify", timeout=30, json={
                        "url": f"{base}/hooks/{store.public_key}/vtex/{service.notify_secret(source)}", "sku": sku,
                        "price": True}).json()
                else:
                    from tests.ecwid_emulator.state import FIRST_PRODUCT

                    product = FIRST_PRODUCT + 1 + 3 * run
                    requests.post(f"{url}/_emulator/products/{product}", json={"fields": {"name": f"Nova {run}"}},
                                  timeout=10)
                    started = time.perf_counter()
                    answer = requests.post(url + "/_emulator/webhook", timeout=30, json={
                        "url": f"{base}/hooks/{store.public_key}/ecwid", "eventType": "product.updated",
                        "entityId": product}).json()
                assert answer["status"] == 200, answer
                _drain(app, run_due)
                seconds.append(time.perf_counter() - started)
                last = db.session.execute(db.select(SyncRun).order_by(SyncRun.id.desc())).scalars().first()
                assert last.status == "succeeded", (last.status, last.error)
            on_tiktok = db.session.execute(db.select(db.func.count()).select_from(CatalogProduct).where(
                CatalogProduct.store_id == store.id, CatalogProduct.synced_hash.is_not(None))).scalar_one()
        server.shutdown()
        return statistics.median(seconds), on_tiktok
    finally:
        process.terminate()
        process.wait()


def _drain(app, run_due):
    """Run due jobs until none is left (the refresh, then the sync and its upload log polls)."""
    from server.extensions import db
    from server.models.job import Job

    for _ in range(2000):
        run_due(app, "bench")
        with app.app_context():
            waiting = db.session.execute(db.select(db.func.count()).select_from(Job).where(
                Job.status.in_(("queued", "running")), Job.kind != "catalog.review")).scalar_one()
            db.session.remove()
        if not waiting:
            return
        time.sleep(0.05)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--vtex-per-minute", type=int, default=30_000, help="emulated limit per endpoint")
    parser.add_argument("--ecwid-per-minute", type=int, default=600, help="emulated limit per token (Ecwid's own)")
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("vtex", "ecwid"), help="one platform's figures")
    parser.add_argument("--no-change", action="store_true", help="skip the one-change-to-TikTok figures")
    parser.add_argument("--child-pull", nargs=5, help=argparse.SUPPRESS)
    add_machine_args(parser)
    args = parser.parse_args()
    if args.child_pull:
        print(json.dumps(child_pull(*args.child_pull)))
        return
    check_machine(args)
    extra = settings(args.vtex_per_minute, args.ecwid_per_minute)
    print(f"VTEX: {args.skus} SKUs, {args.vtex_per_minute}/min per endpoint, {3 * args.vtex_per_minute}/min per "
          f"account; Ecwid: {args.products} products, {args.ecwid_per_minute}/min per token. SQLite file; "
          f"{os.cpu_count()} cores.")
    for kind, count, per_minute, options in (
            ("vtex", args.skus, args.vtex_per_minute, ["--products", str(args.skus // 2), "--skus-per-product", "2",
                                                       "--per-endpoint-per-minute", str(args.vtex_per_minute),
                                                       "--per-account-per-minute", str(3 * args.vtex_per_minute)]),
            ("ecwid", args.products, args.ecwid_per_minute, ["--products", str(count_products(args.products)),
                                                             "--per-minute", str(args.ecwid_per_minute)])):
        if args.only and kind != args.only:
            continue
        process, url = start_platform(kind, *options)
        try:
            with tempfile.TemporaryDirectory() as directory:
                rows = first_and_again(args, Path(directory), kind, url, per_minute, extra)
            print_rows(f"{kind.upper()}: pulls of {count} items", rows)
        finally:
            process.terminate()
            process.wait()
    for kind, options in (("vtex", ["--products", str(args.small // 2), "--skus-per-product", "2",
                                    "--per-endpoint-per-minute", str(args.vtex_per_minute)]),
                          ("ecwid", ["--products", str(args.small), "--per-minute", str(args.ecwid_per_minute)])):
        if args.no_change or (args.only and kind != args.only):
            continue
        process, url = start_platform(kind, *options)
        try:
            with tempfile.TemporaryDirectory() as directory:
                seconds, on_tiktok = change_to_tiktok(args, Path(directory), kind, url, extra)
            print(f"\n{kind.upper()}: one change, notification to upload accepted by TikTok: {seconds:.2f} s "
                  f"(median of {args.runs}; {on_tiktok} products on TikTok)")
        finally:
            process.terminate()
            process.wait()


def count_products(items):
    """Ecwid products to emulate so the store has about ``items`` of them (every product counted once)."""
    return items


if __name__ == "__main__":
    main()
