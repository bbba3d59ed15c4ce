"""The writer: many safe replacements in flight, each reported by its token when done."""
import os
from pathlib import Path

import pytest

from injector import files
from injector.cli import main
from injector.files import TEMP_SUFFIX, read
from injector.writer import Writer
from tests.waiting import wait_until

from .conftest import SERVER, STORE


def make_pages(folder, count):
    pages = {}
    for index in range(count):
        path = folder / f"page-{index:03}.html"
        path.write_bytes(b"<p>%d</p>\r\n" % index * (index + 1))
        os.chmod(path, 0o640 if index % 2 else 0o604)
        pages[str(path)] = read(str(path), 1_000_000)
    return pages


def test_every_file_is_replaced_with_its_new_bytes_and_mode_and_reported_once(tmp_path, calls):
    pages = make_pages(tmp_path, 300)  # many more than the queue holds
    writer = Writer(threads=4, capacity=8)
    reported = []
    for token, (path, (data, signature)) in enumerate(pages.items()):
        writer.submit(token, path, data + b"<!-- new -->", signature)
        reported += writer.finished()
    reported += writer.close()
    assert sorted(reported) == [(token, None) for token in range(300)]
    for path, (data, signature) in pages.items():
        assert Path(path).read_bytes() == data + b"<!-- new -->"
        assert os.stat(path).st_mode == signature[3]
    assert not [name for name in os.listdir(tmp_path) if name.endswith(TEMP_SUFFIX)]
    assert writer.folders == {str(tmp_path)}


def test_a_file_changed_or_deleted_since_it_was_read_is_left_as_it_is_and_said_so(tmp_path, calls):
    pages = make_pages(tmp_path, 3)
    (edited, (data0, sig0)), (deleted, (_, sig1)), (kept, (_, sig2)) = pages.items()
    with open(edited, "ab") as handle:
        handle.write(b"edited meanwhile")
    os.unlink(deleted)
    writer = Writer(threads=2, capacity=2)
    for token, (path, signature) in enumerate(((edited, sig0), (deleted, sig1), (kept, sig2))):
        writer.submit(token, path, b"new", signature)
    outcome = dict(writer.close())
    assert outcome[0] == "changed while the injector was running: not written"
    assert outcome[1] in ("cannot write: No such file or directory", outcome[0])
    assert outcome[2] is None
    assert Path(edited).read_bytes() == data0 + b"edited meanwhile"
    assert Path(kept).read_bytes() == b"new"
    assert sorted(os.listdir(tmp_path)) == sorted(os.path.basename(p) for p in (edited, kept))


def test_a_folder_that_is_gone_is_a_clear_problem_not_a_crash(tmp_path, calls):
    writer = Writer(threads=1, capacity=1)
    writer.submit(7, str(tmp_path / "gone" / "page.html"), b"new", (1, 1, 1, 0o100644))
    assert writer.close() == [(7, "cannot write: No such file or directory")]
    assert writer.folders == set()


def test_a_closed_native_writer_takes_no_more_files(tmp_path):
    if files._fastio is None:
        pytest.skip("injector._fastio is not built (no C compiler on install)")
    native = files._fastio.Writer(2, 2)
    assert native.close() == []
    with pytest.raises(RuntimeError, match="closed"):
        native.submit(1, str(tmp_path / "page.html"), b"new", (1, 1, 1, 0o100644))
    with pytest.raises(ValueError):
        files._fastio.Writer(0, 2)


def test_apply_on_either_writer_writes_the_same_bytes(tmp_path, calls):
    page = b"<html>\r\n<head>\r\n  <title>x</title>\r\n</head>\r\n<body>\r\n</body>\r\n</html>\r\n"
    for index in range(40):
        (tmp_path / f"page-{index:02}.html").write_bytes(page)
    assert main(["apply", str(tmp_path), "--store", STORE, "--server", SERVER, "--quiet"]) == 1  # changed
    written = {path.read_bytes() for path in tmp_path.iterdir()}
    assert len(written) == 1 and written != {page}
    assert b"<!-- tiktok-connector:head v" in written.pop()


def cpus_of_threads():
    """The CPUs each thread of this process may run on, as sets."""
    found = []
    for task in os.listdir("/proc/self/task"):
        try:
            status = Path(f"/proc/self/task/{task}/status").read_text()
        except OSError:  # the thread ended meanwhile
            continue
        listed = next(line.split(":", 1)[1].strip() for line in status.splitlines()
                      if line.startswith("Cpus_allowed_list"))
        cpus = set()
        for part in listed.split(","):
            low, _, high = part.partition("-")
            cpus.update(range(int(low), int(high or low) + 1))
        found.append(cpus)
    return found


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
                    reason="needs Linux and two CPUs to share")
def test_while_open_the_feeding_thread_and_the_writers_keep_to_cpus_of_their_own(tmp_path, calls):
    allowed = os.sched_getaffinity(0)
    mine, theirs = {min(allowed)}, allowed - {min(allowed)}
    (path, (data, signature)), = make_pages(tmp_path, 1).items()
    writer = Writer(threads=3, capacity=3)
    try:
        assert os.sched_getaffinity(0) == mine
        writer.submit(0, path, b"new", signature)
        done = wait_until(writer.finished, message="the write never finished")
        assert done == [(0, None)]
        assert cpus_of_threads().count(theirs) >= 1  # the thread that wrote, at least
    finally:
        writer.close()
    assert os.sched_getaffinity(0) == allowed
    assert theirs not in cpus_of_threads() or allowed == theirs


def test_a_writer_asked_not_to_place_its_threads_leaves_every_thread_where_it_was(tmp_path, calls):
    before = os.sched_getaffinity(0)
    writer = Writer(threads=2, capacity=2, place=False)
    (path, (data, signature)), = make_pages(tmp_path, 1).items()
    writer.submit(0, path, b"new", signature)
    wait_until(writer.finished, message="the write never finished")
    assert all(cpus == before for cpus in cpus_of_threads())
    writer.close()
    assert os.sched_getaffinity(0) == before
