"""The benchmarks keep up with the code they measure: `make bench` must not stop at an import.

Running every benchmark needs minutes, wrk and nginx; these checks take a second: every import a
benchmark makes (at the top or inside a function) resolves, the catalog benchmark's intake
pipeline runs on a small feed, and the functions the source benchmark times are still there (both
went stale once when the catalog's modules moved, and `make bench` stopped at the first).
"""
import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = ("server", "injector", "snippets", "tests")
SCRIPTS = sorted((ROOT / "bench").glob("*.py"))


def our_imports(path):
    """(line, module, name or None) for each import of our own packages, except in an ImportError
    handler (the fallback for an older tree in bench/intake_compare.py)."""
    tree = ast.parse(path.read_text(), str(path))
    fallbacks = set()
    for handler in ast.walk(tree):
        if isinstance(handler, ast.ExceptHandler):
            fallbacks.update(id(node) for node in ast.walk(handler))
    for node in ast.walk(tree):
        if id(node) in fallbacks:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in OURS:
            yield from ((node.lineno, node.module, alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name, None) for alias in node.names if alias.name.split(".")[0] in OURS)


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda path: path.name)
def test_every_import_a_benchmark_makes_resolves(path):
    missing = []
    for line, module, name in our_imports(path):
        try:
            found = importlib.import_module(module)
            if name is not None and not hasattr(found, name):
                importlib.import_module(f"{module}.{name}")
        except ImportError as exc:
            missing.append(f"{path.name}:{line}: {module} {name or ''}: {exc}")
    assert not missing, "\n".join(missing)


def test_the_catalog_benchmark_pipeline_reads_a_feed(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    try:
        import catalog_bench
    finally:
        sys.modules.pop("catalog_bench", None)
    feed = tmp_path / "feed.csv"
    catalog_bench.write_csv(feed, 200)
    assert catalog_bench.pipeline(feed) > 0  # products per second


def test_the_source_benchmark_times_the_steps_a_pull_takes(monkeypatch):
    # It wraps functions by name to time a pull's phases; a renamed one stopped it once.
    from server.catalog import service as catalog_service
    from server.catalog.sources import ecwid, image_sizes, service, vtex

    for owner, name in ((ecwid.Ecwid, "_get"), (vtex.Vtex, "_get"), (catalog_service, "import_feed"),
                        (image_sizes, "record")):
        monkeypatch.setattr(owner, name, getattr(owner, name))  # put back after the test
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    try:
        import source_bench
    finally:
        sys.modules.pop("source_bench", None)
    source_bench._time_phases(service)
    assert image_sizes.record.__name__ == catalog_service.import_feed.__name__ == "wrapper"


def _harness(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    try:
        import _harness
    finally:
        sys.modules.pop("_harness", None)
    return _harness


def test_ratios_are_taken_within_each_round_of_the_interleaving(monkeypatch):
    harness = _harness(monkeypatch)
    # The machine slows down round by round; the case stays at 0.9 of the baseline within each round.
    result = {"base": {"runs": [1000, 500, 800, 300, 900], "rps": 800, "cpu_us": 100.0},
              "case": {"runs": [900, 450, 720, 270, 810], "rps": 720, "cpu_us": 125.0}}
    middle, low, high = harness.paired(result, "case", "base")
    assert (round(middle, 6), round(low, 6), round(high, 6)) == (0.9, 0.9, 0.9)
    line = harness.ratio_line(result, "case", "base", "case / base", 0.9)
    assert line == ("case / base = 0.90 run by run (0.90-0.90; ratio of medians 0.90), "
                    "0.80 by the server's CPU per request (target >= 0.9)")


def test_a_servers_cpu_counts_its_workers(monkeypatch):
    harness = _harness(monkeypatch)
    # A master whose worker spins: the tree holds the worker, and its CPU counts.
    master = subprocess.Popen([sys.executable, "-c", (
        "import subprocess, sys; worker = subprocess.Popen([sys.executable, '-c', "
        "'import time\\nend = time.process_time() + 0.5\\nwhile time.process_time() < end: pass\\n"
        "print(1, flush=True)\\ntime.sleep(60)']); worker.wait()")], stdout=subprocess.PIPE)
    try:
        assert master.stdout.readline() == b"1\n"  # the worker has used its half second of CPU
        tree = harness.process_tree(master.pid)
        assert len(tree) == 2 and master.pid in tree
        worker = (tree - {master.pid}).pop()
        with open(f"/proc/{worker}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])
        assert harness.tree_cpu_seconds(master.pid) >= ticks / os.sysconf("SC_CLK_TCK") >= 0.4
    finally:
        for pid in harness.process_tree(master.pid):
            os.kill(pid, 9)
        master.wait()
        master.stdout.close()
