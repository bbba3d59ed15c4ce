"""Disk I/O at the edge: atomic writes that refuse to clobber, leftovers cleaned, progress shown."""
import io
import os
import random

import pytest

from injector import classify, files, scan
from injector.cli import main
from injector.errors import FileError
from injector.files import TEMP_SUFFIX, read, write_atomic
from injector.report import Progress

from .conftest import SERVER, STORE, cli


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path, calls):
    target = tmp_path / "page.html"
    target.write_bytes(b"<html></html>")
    data, signature = read(str(target), 1000)
    target.write_bytes(b"<html>edited meanwhile</html>")
    with pytest.raises(FileError, match="changed while"):
        write_atomic(str(target), data + b"<!-- new -->", signature)
    assert target.read_bytes() == b"<html>edited meanwhile</html>"
    assert os.listdir(tmp_path) == ["page.html"]


@pytest.mark.parametrize("backup", [False, True])
def test_an_atomic_write_replaces_the_file_and_keeps_its_mode(tmp_path, calls, backup):
    target = tmp_path / "page.html"
    target.write_bytes(b"old")
    os.chmod(target, 0o604)
    _, signature = read(str(target), 1000)
    write_atomic(str(target), b"new", signature, backup=str(tmp_path / "backup" / "page.html") if backup else None)
    assert target.read_bytes() == b"new"
    assert os.stat(target).st_mode & 0o777 == 0o604
    if backup:
        assert (tmp_path / "backup" / "page.html").read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == (["backup", "page.html"] if backup else ["page.html"])


def test_both_calls_read_the_same_bytes_and_signature(tmp_path):
    if files._fastio is None:
        pytest.skip("injector._fastio is not built (no C compiler on install)")
    for name, data in (("empty.html", b""), ("page.html", b"<p>\xe7</p>\r\n" * 5000)):
        (tmp_path / name).write_bytes(data)
        compiled = files._fastio.read(str(tmp_path / name), 1_000_000)
        assert compiled == (data, files._signature(os.stat(tmp_path / name)))


def test_a_file_longer_than_its_size_said_is_read_to_its_end(calls):
    """/proc files say 0 bytes and hold more: the read goes on past the size taken before it."""
    with open("/proc/self/cmdline", "rb") as handle:
        expected = handle.read()
    assert os.stat("/proc/self/cmdline").st_size == 0 and expected
    assert read("/proc/self/cmdline", 1000)[0] == expected


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file to another owner")
def test_a_rewritten_file_keeps_its_owner(tmp_path, calls):
    target = tmp_path / "page.html"
    target.write_bytes(b"old")
    os.chown(target, 4321, 4322)
    write_atomic(str(target), b"new", read(str(target), 10)[1])
    info = os.stat(target)
    assert (info.st_uid, info.st_gid) == (4321, 4322) and target.read_bytes() == b"new"


def test_a_missing_or_unreadable_file_is_a_clear_error(tmp_path, calls):
    with pytest.raises(FileError, match="cannot read: No such file or directory"):
        read(str(tmp_path / "gone.html"), 1000)
    (tmp_path / "folder.html").mkdir()
    with pytest.raises(FileError, match="cannot read: Is a directory"):
        read(str(tmp_path / "folder.html"), 1_000_000)


def test_a_file_deleted_since_it_was_read_is_not_written_and_leaves_nothing(tmp_path, calls):
    target = tmp_path / "page.html"
    target.write_bytes(b"<html></html>")
    _, signature = read(str(target), 1000)
    target.unlink()
    with pytest.raises(FileError, match="cannot write: No such file or directory"):
        write_atomic(str(target), b"new", signature)
    assert os.listdir(tmp_path) == []


def test_a_temporary_name_in_use_is_never_clobbered(tmp_path, monkeypatch):
    """Names are random; when one is taken (O_EXCL) the next is tried and the other file kept."""
    if files._fastio is None:
        pytest.skip("injector._fastio is not built (no C compiler on install)")
    target = tmp_path / "page.html"
    target.write_bytes(b"old")
    monkeypatch.setattr(files, "_temp_names", random.Random(7))
    taken = tmp_path / f".page.html.{random.Random(7).getrandbits(32):08x}{TEMP_SUFFIX}"
    taken.write_bytes(b"someone else's")
    write_atomic(str(target), b"new", read(str(target), 10)[1])
    assert target.read_bytes() == b"new" and taken.read_bytes() == b"someone else's"
    assert sorted(os.listdir(tmp_path)) == sorted([taken.name, "page.html"])


def test_reads_return_every_byte_of_empty_small_and_large_files(tmp_path, calls):
    for name, data in (("empty.html", b""), ("small.html", b"<p>\xe7</p>\r\n"), ("large.html", os.urandom(300_000))):
        (tmp_path / name).write_bytes(data)
        assert read(str(tmp_path / name), 1_000_000)[0] == data
    with pytest.raises(FileError, match="larger than"):
        read(str(tmp_path / "large.html"), 1000)


@pytest.mark.parametrize("grown", [1, 2, 70_000, 300_000])
def test_a_file_that_grew_after_its_size_was_taken_is_read_to_its_end(tmp_path, grown):
    data = os.urandom(1000 + grown)
    (tmp_path / "page.html").write_bytes(data)
    handle = os.open(tmp_path / "page.html", os.O_RDONLY)
    try:
        assert files._read_all(handle, 1000) == data  # the size as it was before the file grew
    finally:
        os.close(handle)


def test_a_large_write_lands_whole(tmp_path, calls):
    target = tmp_path / "page.html"
    target.write_bytes(b"old")
    data = os.urandom(3_000_000)
    write_atomic(str(target), data, read(str(target), 10)[1])
    assert target.read_bytes() == data
    assert os.listdir(tmp_path) == ["page.html"]


def test_leftovers_of_a_killed_run_are_removed_by_the_next_write(tmp_path):
    (tmp_path / "page.html").write_bytes(b"<html><head></head><body></body></html>")
    leftover = tmp_path / (".page.html.abcd1234" + TEMP_SUFFIX)
    leftover.write_bytes(b"<html><he")
    done = cli("apply", "--store", STORE, "--server", SERVER, "--dry-run", tmp_path, check_code=1)
    assert leftover.exists() and b"page.html.abcd1234" not in done.stdout  # never listed, kept on a dry run
    done = cli("apply", "--store", STORE, "--server", SERVER, tmp_path, check_code=1)
    assert not leftover.exists()
    assert b"1 leftover temporary files removed" in done.stdout


def test_file_names_that_are_not_utf8_are_processed_and_printed(tmp_path):
    name = os.fsencode(tmp_path) + b"/promo\xe7\xe3o.html"  # an ISO-8859-1 name from an old export
    with open(name, "wb") as handle:
        handle.write(b"<html><head></head><body></body></html>")
    env = {"PYTHONIOENCODING": "utf-8:strict"}
    done = cli("apply", "--store", STORE, "--server", SERVER, tmp_path, check_code=1, env=env)
    assert b"promo\\xe7\\xe3o.html" in done.stdout
    with open(name, "rb") as handle:
        assert b"tiktok-connector:head" in handle.read()


def test_quiet_lists_only_what_changes(tmp_path):
    (tmp_path / "page.html").write_bytes(b"<html><head></head><body></body></html>")
    (tmp_path / "part.html").write_bytes(b"<div>x</div>")
    done = cli("apply", "--store", STORE, "--server", SERVER, "-q", tmp_path, check_code=1)
    assert b"page.html" in done.stdout and b"part.html" not in done.stdout


def test_pages_that_do_not_include_the_head_template_are_pointed_out(tmp_path):
    (tmp_path / "head.html").write_bytes(b"<vtex:metaTags />\n<link rel=stylesheet href=/a.css>\n")
    (tmp_path / "with.html").write_bytes(b'<html><head><vtex:template id="head"/></head><body></body></html>\n')
    (tmp_path / "without.html").write_bytes(b"<html><head></head><body></body></html>\n")
    done = cli("apply", "--store", STORE, "--server", SERVER, "--head-template", "head.html", tmp_path, check_code=1)
    lines = done.stdout.decode().splitlines()
    assert "does not include head.html" in next(line for line in lines if line.startswith("without.html"))
    assert "does not include" not in next(line for line in lines if line.startswith("with.html"))


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_progress_bar_shows_on_a_terminal_for_large_folders_only():
    shown, piped = Terminal(), io.StringIO()
    for stream, total in ((shown, 500), (piped, 500)):
        progress = Progress(stream)
        for done in range(1, total + 1):
            progress(done, total)
        progress.close()
    assert "500/500 files" in shown.getvalue() and piped.getvalue() == ""
    small = Terminal()
    Progress(small)(5, 5)
    assert small.getvalue() == ""


def test_every_control_that_decides_a_kind_is_one_the_scanner_reports():
    deciding = classify.PRODUCT_CONTROLS | classify.ORDER_CONTROLS | classify.CATEGORY_CONTROLS
    assert deciding <= set(scan.CONTROLS)


def test_an_unexpected_failure_in_a_writer_thread_ends_the_run_with_code_2(tmp_path, monkeypatch, capsys):
    page = b"<html><head></head><body></body></html>"
    for index in range(100):  # more files than the write queue holds
        (tmp_path / f"page-{index:03}.html").write_bytes(page)

    def broken(*args):
        raise RuntimeError("disk driver bug")

    monkeypatch.setattr(files, "_fastio", None)  # the Python writer threads, which call write_atomic
    monkeypatch.setattr(files, "write_atomic", broken)
    assert main(["apply", str(tmp_path), "--store", STORE, "--server", SERVER, "--jobs", "1"]) == 2
    assert all(path.read_bytes() == page for path in tmp_path.iterdir())
