"""The benchmarks keep up with the code they measure: `make bench` must not stop at an import.

Running every benchmark needs minutes, wrk and nginx; these checks take a second: every import a
benchmark makes (at the top or inside a function) resolves, the catalog benchmark's intake
pipeline runs on a small feed, and the functions the source benchmark times are still there (both
went stale once when the catalog's modules moved, and `make bench` stopped at the first).
"""
import ast
import importlib
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
