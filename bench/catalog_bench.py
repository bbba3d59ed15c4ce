"""Catalog benchmark: prints figures, never asserts.

1. Intake: a generated Google Merchant Center feed (CSV, and the same products as RSS XML) read,
   normalized, checked against TikTok's rules and mapped to TikTok's payload (its hash), without
   the database, against plain ``csv.reader`` over the same file in the same run (median of runs);
   then the whole import into the database (a SQLite file, and PostgreSQL when a server answers
   at ``--postgresql``), in one process and with the default feed worker (interleaved runs,
   medians), with each process's peak memory.
2. Sync to the TikTok emulator (its own process): the first full sync (requests by kind, wall time)
   beside what a 100-products-per-request uploader (TikTok's WooCommerce plugin) would need; then a
   delta with 1% of the products changed.
3. (``--reconcile N``) A reconcile of an N-product store against TikTok's 100,000-product listing
   cap: time and requests used, beside how far paging one listing gets (bench/_reconcile.py).

    python bench/catalog_bench.py [--products 100000] [--runs 3] [--million] [--postgresql URL]
                                  [--reconcile 300000] [--reconcile-only]

``--million`` also imports a 1,000,000-product feed in a separate process to show peak memory.
Targets: >= 20,000 products/s intake without image checks (the import into the database);
< 300 MB peak for a million; a 1% delta is 1 upload and takes under 10 s.
"""
import argparse
import contextlib
import csv
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import _reconcile  # noqa: E402
from _harness import add_machine_args, check_machine, free_port, wait_http  # noqa: E402

COLUMNS = ["id", "title", "description", "link", "image_link", "additional_image_link", "availability",
           "condition", "price", "sale_price", "brand", "item_group_id", "product_type", "color", "size", "gtin"]
HTML = ("<p>Camiseta de <b>algodão orgânico</b>, corte reto.</p><ul><li>100% algodão</li><li>Lavar à mão"
        "</li><li>Tamanhos P a GG</li></ul><p>Cor: {color}. Coleção {group}.</p>")
PLAIN = "Camiseta de algodão orgânico, corte reto. Cor: {color}. Coleção {group}. Lavar à mão."
COLORS = ["azul", "preto", "branco", "verde", "vermelho"]
SIZES = ["P", "M", "G", "GG"]


def product_row(n, price_bump=0):
    """One feed row; four sizes share a group (and its description), a third of the groups use HTML."""
    group = n // 4
    color = COLORS[group % len(COLORS)]
    description = (HTML if group % 3 == 0 else PLAIN).format(color=color, group=group)
    price = 39.90 + (n % 50) + price_bump
    return [f"SKU-{n:07d}", f"Camiseta {color} {group} tamanho {SIZES[n % 4]}", description,
            f"https://loja.example.com/p/{group}?size={SIZES[n % 4]}", f"https://loja.example.com/img/{group}.jpg",
            f"https://loja.example.com/img/{group}-b.jpg,https://loja.example.com/img/{group}-c.jpg",
            "in stock" if n % 17 else "out of stock", "new", f"{price:.2f} BRL", "", "Acme", f"G-{group}",
            "Roupas > Camisetas", color, SIZES[n % 4], gtin13(f"789{n:09d}")]


def gtin13(first12):
    """A valid EAN-13 (its check digit computed), as a real feed carries: wrong ones cost a note each."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def write_csv(path, count, changed=()):
    """A CSV feed of ``count`` products (the ``changed`` ones with another price)."""
    changed = set(changed)
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for n in range(count):
            writer.writerow(product_row(n, price_bump=1 if n in changed else 0))


def write_xml(path, count):
    """The same products as an RSS 2.0 feed with the g: namespace."""
    from xml.sax.saxutils import escape

    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
                  'xmlns:g="http://base.google.com/ns/1.0"><channel><title>Loja</title>\n')
        for n in range(count):
            row = zip(COLUMNS, product_row(n), strict=True)
            fields = "".join(f"<g:{name}>{escape(value)}</g:{name}>" for name, value in row if value)
            out.write(f"<item>{fields}</item>\n")
        out.write("</channel></rss>\n")


def baseline_csv(path):
    """Rows/s of plain csv.reader over the file: the floor any CSV import pays."""
    started = time.perf_counter()
    with open(path, newline="", encoding="utf-8") as handle:
        rows = sum(1 for _ in csv.reader(handle)) - 1
    return rows / (time.perf_counter() - started)


def pipeline(path):
    """Products/s of read + normalize + check + map + hash, without the database."""
    from server.catalog.checks import rules
    from server.catalog.checks.fields import MalformedItem, normalize, source_hash
    from server.catalog.checks.mapping import payload_hash, tiktok_product
    from server.catalog.intake.feeds import read_feed

    count = 0
    started = time.perf_counter()
    with open(path, "rb") as handle:
        for item in read_feed(handle):
            source_hash(item.fields)
            try:
                product = normalize(item.fields)
            except MalformedItem:
                continue
            data = dict(product.data)
            if not rules.check(data, currency="BRL", domains=["loja.example.com"]):
                payload_hash(tiktok_product(data, currency="BRL"))
            count += 1
    return count / (time.perf_counter() - started)


def median_of(runs, function, *args):
    return statistics.median(function(*args) for _ in range(runs))


# --- the application side (a store, a database, the emulator) -------------------------------------

def make_app(workdir, emulator_url, import_worker="auto", database=None):
    from server.app import create_app

    return create_app({"INSTANCE_PATH": str(workdir / "instance"), "TTC_CATALOG_IMPORT_WORKER": import_worker,
                       "TTC_DATABASE_URL": database or f"sqlite:///{workdir / 'bench.sqlite3'}",
                       "TTC_TIKTOK_API_BASE": emulator_url or "http://127.0.0.1:9", "TTC_IMAGE_CHECKS": False,
                       "TTC_JOB_RUNNER": "off", "TTC_CATALOG_LOG_POLL_SECONDS": 0.2, "TTC_LOG_LEVEL": "WARNING"})


def make_store(emulator):
    """A store (connected to an emulator catalog when ``emulator`` is given); returns its key."""
    import requests

    from server.extensions import db
    from server.models.tiktok import TikTokConnection
    from server.security import encrypt_secret
    from server.stores.service import create_store
    from server.tiktok import NullPacer, TikTokClient
    from server.tiktok.catalogs import create_catalog

    store = create_store(db.session, name="Loja Bench", domains=["loja.example.com"], country="BR",
                         currency="BRL", platform="generic")
    if emulator is not None:
        token = emulator.seed_token()["access_token"]
        with requests.Session() as http:
            client = TikTokClient(http, base_url=emulator.url, access_token=token, pacer=NullPacer())
            catalog_id = create_catalog(client, emulator.bc_id, "Loja Bench", region_code="BR", currency="BRL")
        db.session.add(TikTokConnection(store_id=store.id, access_token=encrypt_secret(token), bc_id=emulator.bc_id,
                                        catalog_id=catalog_id, advertiser_id=emulator.advertiser_ids[0]))
        store.tiktok_state = "connected"
        db.session.commit()
    return store.public_key


def import_in_child(workdir, feed, key=None, import_worker="auto", database=None):
    """Import ``feed`` in a fresh process (a new store without ``key``); returns its figures."""
    out = subprocess.run([sys.executable, __file__, "--child-import", str(workdir), str(feed), key or "",
                          import_worker, database or ""],
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def child_import(workdir, feed, key, import_worker, database):
    """(In the child process) import a feed into the bench store; report speed and peak memory
    (of this process, and of the feed worker it started, if any)."""
    from server.catalog import service
    from server.extensions import db
    from server.stores.service import get_store

    app = make_app(Path(workdir), None, import_worker, database or None)
    with app.app_context():
        store = get_store(db.session, key) if key else None
        if store is None:
            store = get_store(db.session, make_store(None))
        key = store.public_key
        started = time.perf_counter()
        with open(feed, "rb") as handle, WorkerMemory() as worker:
            result = service.import_feed(db.session, store, handle)
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_peak = worker.peak_mb
    return {"per_second": result["received"] / seconds, "seconds": seconds, "peak_mb": peak,
            "worker_peak_mb": worker_peak,
            "received": result["received"], "changed": result["changed"], "key": key}


class WorkerMemory(threading.Thread):
    """The peak memory (VmHWM) of this process's feed worker, read from /proc while it runs.

    (``RUSAGE_CHILDREN`` would report the importer's own size: a child starts as a copy of it.)
    """

    def __init__(self):
        super().__init__(daemon=True)
        self.peak_mb = 0.0
        self.stop = threading.Event()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.join()

    def run(self):
        me = str(os.getpid())
        while not self.stop.wait(0.05):
            for task in Path(f"/proc/{me}/task").iterdir():
                try:
                    children = (task / "children").read_text().split()
                except OSError:
                    continue
                for child in children:
                    try:
                        status = Path(f"/proc/{child}/status").read_text()
                    except OSError:
                        continue
                    for line in status.splitlines():
                        if line.startswith("VmHWM:"):
                            self.peak_mb = max(self.peak_mb, int(line.split()[1]) / 1024)


def start_emulator():
    """The TikTok emulator in its own process (so it does not share our interpreter)."""
    from tests.tiktok_emulator.pytest_plugin import EmulatorHandle

    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "tests.tiktok_emulator", "--port", str(port)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(f"http://127.0.0.1:{port}/_emulator/config")
    handle = EmulatorHandle(f"http://127.0.0.1:{port}")
    handle.reset(review_delay_seconds=0, max_request_log=100_000)
    return process, handle


def sync(app, key):
    """Run a foreground sync like `flask catalog sync`; returns (seconds, run counts)."""
    from server.catalog import runs
    from server.extensions import db
    from server.jobs.runner import run_until_finished
    from server.models.catalog import SyncRun
    from server.stores.service import get_store

    with app.app_context():
        store = get_store(db.session, key)
        run = runs.request_sync(db.session, store, kind="delta", trigger="bench")
        db.session.commit()
        started = time.perf_counter()
        run_until_finished(app, run.job_id)
        seconds = time.perf_counter() - started
        run = db.session.get(SyncRun, run.id)
        return seconds, run.status, run.counts


def requests_by_kind(emulator):
    kinds = {}
    for entry in emulator.requests():
        kinds[entry["path"]] = kinds.get(entry["path"], 0) + 1
    return kinds


def naive_upload(emulator, products, batch):
    """Upload ``products`` in requests of ``batch`` (what the WooCommerce plugin does); returns
    (requests, seconds), paced at TikTok's 5 uploads/s like our client."""
    import requests

    from server.tiktok import LocalPacer, TikTokClient
    from server.tiktok import products as api
    from server.tiktok.catalogs import create_catalog

    logging.getLogger("server.tiktok").setLevel(logging.ERROR)  # a throttled call now and then is expected
    token = emulator.seed_token()["access_token"]
    with requests.Session() as http, tempfile.TemporaryDirectory() as pacer_dir:
        client = TikTokClient(http, base_url=emulator.url, access_token=token, pacer=LocalPacer(pacer_dir))
        catalog_id = create_catalog(client, emulator.bc_id, "Naive", region_code="BR", currency="BRL")
        started = time.perf_counter()
        sent = 0
        for start in range(0, len(products), batch):
            api.upload_products(client, emulator.bc_id, catalog_id, products[start:start + batch])
            sent += 1
        return sent, time.perf_counter() - started


def import_figures(args, workdir, feeds, database, label):
    """Print first-import figures in one process and with the default feed worker, interleaved."""
    for name, feed in feeds:
        alone, paired = [], []
        for _ in range(args.runs):  # interleaved, so a slow moment of the machine hits both
            alone.append(import_in_child(workdir, feed, None, "never", database))
            paired.append(import_in_child(workdir, feed, None, "auto", database))
        one = statistics.median(r["per_second"] for r in alone)
        two = statistics.median(r["per_second"] for r in paired)
        print(f"  {f'{label}, {name} feed, one process':<46}{one:>12,.0f}"
              f"   peak {max(r['peak_mb'] for r in alone):.0f} MB")
        print(f"  {f'{label}, {name} feed, default (a feed worker)':<46}{two:>12,.0f}   {two / one:.2f}x one process"
              f"   peak {max(r['peak_mb'] for r in paired):.0f} MB + worker "
              f"{max(r['worker_peak_mb'] for r in paired):.0f} MB")


@contextlib.contextmanager
def postgres_database(admin_url):
    """A throwaway PostgreSQL database's URL (None when no server answers), dropped afterwards."""
    if not admin_url:
        yield None
        return
    try:
        import psycopg

        admin = psycopg.connect(admin_url, connect_timeout=3, autocommit=True)
    except Exception as error:  # noqa: BLE001 - any failure means: no PostgreSQL figures
        print(f"  (PostgreSQL skipped: {error})")
        yield None
        return
    name = f"ttc_bench_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--million", action="store_true", help="also import 1,000,000 products for memory")
    parser.add_argument("--postgresql", default=os.environ.get("TTC_TEST_POSTGRES_URL",
                                                               "postgresql://postgres@127.0.0.1:5432/postgres"),
                        help="a PostgreSQL server (admin URL) to also import into; '' to skip")
    parser.add_argument("--reconcile", type=int, default=300_000, help="store size for the reconcile; 0 to skip")
    parser.add_argument("--reconcile-only", action="store_true", help="run only the reconcile part")
    parser.add_argument("--child-import", nargs=5, help=argparse.SUPPRESS)
    add_machine_args(parser)
    args = parser.parse_args()
    if args.child_import:
        print(json.dumps(child_import(*args.child_import)))
        return
    check_machine(args)
    if args.reconcile_only:
        reconcile_only(args.reconcile)
        return
    workdir = Path(tempfile.mkdtemp(prefix="catalog-bench-"))
    count = args.products
    feed_csv, feed_xml = workdir / "feed.csv", workdir / "feed.xml"
    write_csv(feed_csv, count)
    write_xml(feed_xml, count)
    print(f"Feed: {count:,} products ({feed_csv.stat().st_size / 1e6:.0f} MB CSV, "
          f"{feed_xml.stat().st_size / 1e6:.0f} MB RSS); medians of {args.runs} runs.")

    plain = median_of(args.runs, baseline_csv, feed_csv)
    ours_csv = median_of(args.runs, pipeline, feed_csv)
    ours_xml = median_of(args.runs, pipeline, feed_xml)
    print("\n1. Intake without the database (read + normalize + check + map + hash), products/s")
    print(f"  {'plain csv.reader (baseline)':<46}{plain:>12,.0f}")
    print(f"  {'CSV feed':<46}{ours_csv:>12,.0f}   {ours_csv / plain:.2f}x baseline")
    print(f"  {'RSS XML feed (expat, DTDs refused)':<46}{ours_xml:>12,.0f}   {ours_xml / plain:.2f}x baseline")

    process, emulator = start_emulator()
    try:
        app = make_app(workdir, emulator.url)
        with app.app_context():
            key = make_store(emulator)
        print("\n   Import into the database: read + normalize + check + map + store, products/s;")
        print("   each a first import into a new store, in its own process")
        import_figures(args, workdir, [("CSV", feed_csv), ("RSS", feed_xml)], None, "SQLite")
        with postgres_database(args.postgresql) as database:
            if database:
                import_figures(args, workdir, [("CSV", feed_csv)], database, "PostgreSQL")
        first = import_in_child(workdir, feed_csv, key)
        again = import_in_child(workdir, feed_csv, key)
        print(f"  {'first import of the synced store (CSV)':<46}{first['per_second']:>12,.0f}"
              f"   {first['seconds']:.1f} s")
        print(f"  {'same feed again (nothing changed)':<46}{again['per_second']:>12,.0f}   {again['seconds']:.1f} s"
              f"   changed {again['changed']}")
        if args.million:
            big = workdir / "million.csv"
            write_csv(big, 1_000_000)
            million = import_in_child(workdir, big)
            print(f"  {'1,000,000 products (memory)':<46}{million['per_second']:>12,.0f}   "
                  f"{million['seconds']:.1f} s   peak {million['peak_mb']:.0f} MB + worker "
                  f"{million['worker_peak_mb']:.0f} MB")

        emulator.clear_requests()
        seconds, status, counts = sync(app, key)
        kinds = requests_by_kind(emulator)
        uploads = kinds.get("catalog/product/upload/", 0)
        print(f"\n2. First full sync of {count:,} products to the emulator: {status} in {seconds:.1f} s")
        print(f"  requests: {uploads} uploads, {kinds.get('catalog/product/log/', 0)} upload-log reads, "
              f"{sum(kinds.values())} in all")
        naive_requests = -(-count // 100)
        print(f"  a 100-per-request uploader: {naive_requests:,} uploads ({naive_requests / uploads:.0f}x), "
              f"at least {naive_requests / 5:.0f} s at TikTok's 5 uploads/s, and "
              f"{naive_requests / 1000:.1f} h of the catalog's 1,000 requests/hour")
        sample = min(count, 10_000)
        products = [{**_payload(n)} for n in range(sample)]
        naive_n, naive_s = naive_upload(emulator, products, 100)
        ours_n, ours_s = naive_upload(emulator, products, 5000)
        print(f"  measured on {sample:,} products, uploads only: 100 per request {naive_n} requests {naive_s:.1f} s;"
              f" 5,000 per request {ours_n} requests {ours_s:.1f} s ({naive_s / ours_s:.1f}x faster)")

        changed = range(0, count, 100)  # 1%
        write_csv(feed_csv, count, changed=changed)
        delta_import = import_in_child(workdir, feed_csv, key)
        emulator.clear_requests()
        seconds, status, counts = sync(app, key)
        kinds = requests_by_kind(emulator)
        print(f"\n3. Delta: {len(changed):,} of {count:,} products changed (1%): import "
              f"{delta_import['seconds']:.1f} s, sync {status} in {seconds:.1f} s")
        print(f"  requests: {kinds.get('catalog/product/upload/', 0)} upload(s), "
              f"{kinds.get('catalog/product/delete/', 0)} delete(s), {sum(kinds.values())} in all "
              f"(planned {counts.get('planned', {}).get('upload')} uploads of products)")
        if args.reconcile:
            with app.app_context():
                big = make_store(emulator)
            _reconcile.print_figures(app, emulator, big, args.reconcile)
    finally:
        process.terminate()
        process.wait(10)


def reconcile_only(size):
    """Section 4 alone: a fresh emulator and SQLite database."""
    workdir = Path(tempfile.mkdtemp(prefix="catalog-bench-"))
    process, emulator = start_emulator()
    try:
        app = make_app(workdir, emulator.url)
        with app.app_context():
            key = make_store(emulator)
        _reconcile.print_figures(app, emulator, key, size)
    finally:
        process.terminate()
        process.wait(10)


def _payload(n):
    from server.catalog.checks.fields import normalize
    from server.catalog.checks.mapping import tiktok_product

    raw = dict(zip(COLUMNS, product_row(n), strict=True))
    return tiktok_product(normalize(raw).data, currency="BRL")


if __name__ == "__main__":
    main()
