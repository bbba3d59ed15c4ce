"""kill -9 in the middle of apply: every template is whole, either its old or its new bytes."""
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest

from .conftest import REPO, SERVER, STORE, cli, read_tree

FILES = 400


def make_store(folder):
    folder.mkdir()
    rng = random.Random(7)
    filler = "".join(f'    <div class="item-{i}"><a href="/p/{i}">Produto {i}</a></div>\n' for i in range(300))
    for i in range(FILES):
        control = "<vtex.cmc:BuyButton />" if i % 3 == 0 else "<vtex.cmc:searchResult />"
        newline = "\r\n" if i % 2 else "\n"
        head = f"<html>\n<head>\n  <title>page {i} {rng.random()}</title>\n</head>\n"
        page = f"{head}<body>\n{filler}  {control}\n</body>\n</html>\n"
        (folder / f"page-{i:03}.html").write_bytes(page.replace("\n", newline).encode())


def replaced(folder, inodes):
    return sum(1 for entry in os.scandir(folder) if entry.name in inodes and entry.inode() != inodes[entry.name])


@pytest.mark.slow
def test_killed_runs_leave_whole_files_and_no_template_like_temp_files(tmp_path):
    folder, reference = tmp_path / "store", tmp_path / "reference"
    make_store(folder)
    shutil.copytree(folder, reference)
    cli("apply", "--store", STORE, "--server", SERVER, reference, check_code=1)
    old, new = read_tree(folder), read_tree(reference)
    inodes = {entry.name: entry.inode() for entry in os.scandir(folder)}
    env = dict(os.environ, PYTHONPATH=str(REPO))
    command = [sys.executable, "-m", "injector", "apply", "--store", STORE, "--server", SERVER, str(folder)]
    for round_number, extra_wait in enumerate((0.0, 0.001, 0.005, 0.02, 0.05)):
        seen = replaced(folder, inodes)
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        # Kill once this run has started replacing files, a little later each round.
        while process.poll() is None and replaced(folder, inodes) <= seen and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(extra_wait)
        process.send_signal(signal.SIGKILL)
        process.wait()
        for name in os.listdir(folder):
            if name in old:
                assert (folder / name).read_bytes() in (old[name], new[name]), (round_number, name)
            else:  # a temporary file the kill left: hidden and never named like a template
                assert name.startswith(".") and name.endswith(".tiktok-injector.tmp"), name
    done = cli("apply", "--store", STORE, "--server", SERVER, folder)
    assert done.returncode in (0, 1)
    assert read_tree(folder) == new
    assert sorted(os.listdir(folder)) == sorted(new)


def test_examining_workers_leave_when_the_command_is_killed(tmp_path):
    folder = tmp_path / "store"
    make_store(folder)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    command = [sys.executable, "-m", "injector", "status", "--jobs", "2", str(folder)]
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers, deadline = [], time.monotonic() + 30
    while len(workers) < 2 and process.poll() is None and time.monotonic() < deadline:
        workers = _children(process.pid)
        time.sleep(0.01)
    assert workers, "the pool never started"
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 30
    while any(os.path.exists(f"/proc/{pid}") for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in workers if os.path.exists(f"/proc/{pid}")]
    for pid in left:  # never leave strays behind, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not left


def _children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat_file:
                    if int(stat_file.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except OSError:
                continue
    return found
