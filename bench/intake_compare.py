"""Intake of two source trees compared in the same run, alternated: prints figures, never asserts.

    git worktree add /tmp/catalog-old <commit>      # or: git archive <commit> | tar -x -C DIR
    python bench/intake_compare.py /tmp/catalog-old . [--products 20000] [--rounds 5]

One generated feed (this tree's ``catalog_bench`` generator, CSV and the same products as RSS) is
read by both trees. Each measurement runs in its own process, which imports its own tree, and
old and new take turns. Per process, the best of 3 (CPU time, the least disturbed by other load):
``bench``, the catalog benchmark's section 1 (its ``pipeline``, wall clock); ``intake``, what an
import does before the database (read, SKU, source hash, ``prepared.prepare``); ``prepare`` alone.
Printed: medians of the rounds, the ratio new/old, and the spread of the per-round ratios.
"""
import argparse
import gc
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def child(root, feed):
    sys.path.insert(0, root)
    try:  # the layout since the catalog became a pipeline of packages
        from server.catalog.checks.fields import MalformedItem, item_sku, source_hash
        from server.catalog.checks.prepared import StoreTerms, prepare
        from server.catalog.intake.feeds import read_feed
    except ImportError:  # a tree from before it
        from server.catalog.feeds import read_feed
        from server.catalog.fields import MalformedItem, item_sku, source_hash
        from server.catalog.prepared import StoreTerms, prepare

    terms = StoreTerms("BRL", ("loja.example.com",), "Loja")
    with open(feed, "rb") as handle:
        items = [item.fields for item in read_feed(handle)]
    gc.freeze()  # as an import does (service.py): what exists before it stays out of full collections
    whole = only = 0.0
    for _ in range(3):  # the best of three in this process: CPU time, the least disturbed by other load
        started = time.process_time()
        with open(feed, "rb") as handle:
            count = 0
            for item in read_feed(handle):
                raw = item.fields
                item_sku(raw), source_hash(raw)
                try:
                    prepare(raw, terms)
                except MalformedItem:
                    pass
                count += 1
        whole = max(whole, count / (time.process_time() - started))
        started = time.process_time()
        for raw in items:
            prepare(raw, terms)
        only = max(only, len(items) / (time.process_time() - started))
    sys.path.insert(0, str(Path(root) / "bench"))
    import catalog_bench  # the benchmark's own section 1: read + normalize + check + map + hash

    bench = max(catalog_bench.pipeline(feed) for _ in range(3))
    return {"intake": whole, "prepare": only, "bench": bench}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--products", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    sys.path.insert(0, str(Path(args.new) / "bench"))
    import catalog_bench  # the new bench's generator: the same feed for both
    work = Path(tempfile.mkdtemp(prefix="intake-compare-"))
    feeds = {"CSV": work / "feed.csv", "XML": work / "feed.xml"}
    try:
        catalog_bench.write_csv(feeds["CSV"], args.products)
        catalog_bench.write_xml(feeds["XML"], args.products)
        results = alternate(args, feeds)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(args, feeds, results)


def alternate(args, feeds):
    """{(kind, "old" or "new"): [figures of each round]}, old and new taking turns."""
    results = {(kind, tree): [] for kind in feeds for tree in ("old", "new")}
    for round_ in range(args.rounds):
        for kind, feed in feeds.items():
            order = ("old", "new") if round_ % 2 == 0 else ("new", "old")
            for tree in order:
                root = getattr(args, tree)
                out = subprocess.run([sys.executable, __file__, args.old, args.new, "--child", root, str(feed)],
                                     check=True, capture_output=True, text=True).stdout
                results[kind, tree].append(json.loads(out))
    return results


def report(args, feeds, results):
    print(f"{args.products:,} products, {args.rounds} rounds alternated; products/s medians, ratio new/old")
    for kind in feeds:
        for measure in ("bench", "intake", "prepare"):
            old = [r[measure] for r in results[kind, "old"]]
            new = [r[measure] for r in results[kind, "new"]]
            ratios = sorted(n / o for n, o in zip(new, old, strict=True))
            print(f"{kind} {measure:<8} old {statistics.median(old):>9,.0f}  new {statistics.median(new):>9,.0f}  "
                  f"ratio {statistics.median(new) / statistics.median(old):.3f}  "
                  f"(per-round ratios {ratios[0]:.3f}..{ratios[-1]:.3f})")


if __name__ == "__main__":
    main()
