"""A run keeps what it knows of each file in an on-disk ledger: the table's order is a sorted walk's,
and memory does not grow with the folder."""
import contextlib
import gc
import io
import os
import tracemalloc

import pytest

from injector import files
from injector.cli import main
from injector.ledger import Ledger

from .conftest import SERVER, STORE

NAMES = ["a.html", "a/b.html", "a/x/y.html", "a/b-c.html", "a-c.html", "a0.html", "B.html", "b/é.html",
         "b/e.html", "z.html", "a/x-y.html", "é.html", "ab/c.html"]


def sorted_walk(root, prefix=""):
    """Every file under root, each folder's names sorted and sub-folders walked in place."""
    found = []
    for item in sorted(os.scandir(root), key=lambda item: item.name):
        if item.is_dir():
            found += sorted_walk(item.path, prefix + item.name + "/")
        else:
            found.append(prefix + item.name)
    return found


def test_files_come_in_the_order_of_a_walk_that_sorts_each_folder(tmp_path):
    root = tmp_path / "store"
    for name in NAMES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"<html><head></head><body></body></html>\n")
    (root / os.fsdecode(b"promo\xe7\xe3o.html")).write_bytes(b"<p>an ISO-8859-1 name</p>\n")
    (root / "a" / os.fsdecode(b"\xff.html")).write_bytes(b"<p>a name that is not UTF-8</p>\n")
    selection = files.Selection(suffixes=frozenset([".html"]))
    with Ledger() as ledger:
        ledger.add_entries(files.walk(str(root), selection))
        listed = [entry.rel for _n, entry in ledger.entries()]
        assert [n for n, _entry in ledger.entries()] == list(range(len(listed)))
        assert ledger.entry("a/b-c.html")[1].path == os.path.join(os.path.realpath(root), "a", "b-c.html")
    assert listed == sorted_walk(root)
    assert len(listed) == len(NAMES) + 2


def test_an_entry_is_found_by_its_name_on_whichever_page_it_is():
    def walked(i):
        skipped = i % 7 == 0
        return files.Entry(f"d/f{i:04}.html", f"/x/d/f{i:04}.html", "skipped" if skipped else "",
                           "too large" if skipped else "")

    with Ledger() as ledger:
        ledger.add_entries(walked(i) for i in reversed(range(1000)))
        for i in (0, 1, 127, 128, 129, 500, 999):
            assert ledger.entry(f"d/f{i:04}.html") == (i, walked(i))
        assert ledger.entry("d/f1000.html") is None
        assert [entry for _n, entry in ledger.entries()] == [walked(i) for i in range(1000)]


def test_the_table_keeps_names_that_are_not_utf8_in_order(tmp_path):
    root = tmp_path / "store"
    root.mkdir()
    for name in (b"b.html", b"promo\xe7\xe3o.html", b"a.html"):
        (root / os.fsdecode(name)).write_bytes(b"<html><head></head><body></body></html>\n")
    table = _run("apply", root, "--store", STORE, "--server", SERVER, "--dry-run")
    rows = [line.split()[0] for line in table.splitlines()[1:-1]]
    assert rows == ["a.html", "b.html", "promo\\xe7\\xe3o.html"]


def _run(*args):
    """stdout of one in-process run (the table)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), open(os.devnull, "w") as sink, contextlib.redirect_stderr(sink):
        assert main([str(arg) for arg in args]) in (0, 1)
    return out.getvalue()


def _peak_heap(*args):
    """Peak traced Python heap of one in-process run, its table written to /dev/null."""
    gc.collect()
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        tracemalloc.start()
        try:
            assert main([str(arg) for arg in args]) in (0, 1)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def _folder(root, count):
    root.mkdir()
    for index in range(count):
        body = (b'  <vtex:template id="header" />\n  <vtex.cmc:BuyButton />\n' if index % 2 else b"  <p>about</p>\n")
        (root / f"page-{index:05}.html").write_bytes(
            b"<html>\n<head>\n  <title>%d</title>\n</head>\n<body>\n%s</body>\n</html>\n" % (index, body))
    (root / "header.html").write_bytes(b'<div class="header"><vtex.cmc:fullTextSearchBox /></div>\n')
    return root


@pytest.mark.parametrize("command", ["dry-run", "apply", "status"])
def test_memory_does_not_grow_with_the_folder(tmp_path, command):
    small, large = _folder(tmp_path / "small", 300), _folder(tmp_path / "large", 3000)
    args = {"dry-run": ("apply", "--store", STORE, "--server", SERVER, "--dry-run"),
            "apply": ("apply", "--store", STORE, "--server", SERVER), "status": ("status",)}[command]
    _peak_heap(args[0], _folder(tmp_path / "warm", 50), *args[1:], "--jobs", "1")  # imports, first-use caches
    heaps = [_peak_heap(args[0], folder, *args[1:], "--jobs", "1") for folder in (small, large)]
    # Held in lists, each file's entry, planning facts and row came to about 1 KB: the 2,700 more
    # files would have added some 2.7 MB. What does vary is how many writes are in flight (apply),
    # bounded by the writer's window whatever the folder's size.
    per_file = (heaps[1] - heaps[0]) / 2700
    assert per_file < 150, f"{heaps[0] / 1e6:.2f} MB at 300 files, {heaps[1] / 1e6:.2f} MB at 3,000"
    if command == "apply":
        assert b"tiktok-connector:head" in (large / "page-02999.html").read_bytes()
