"""Fixtures for the injector tests: template folders in tmp_path and the command line as a process."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from injector import files
from injector.runner import build_snippets

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEMPLATES = FIXTURES / "templates"
CORPUS = FIXTURES / "corpus"
STORE, SERVER = "store_1", "https://px.example.com"


def fixture_files(folder=TEMPLATES):
    """Every fixture file in a folder, by name."""
    return sorted(path for path in folder.iterdir() if path.is_file() and path.name != "NOTICE.md")


def read_tree(root):
    """rel path -> bytes for every file under root."""
    root = Path(root)
    found = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    return {str(p.relative_to(root)): p.read_bytes() for p in found}


def cli(*args, check_code=None, timeout=120, env=None):
    """Run ``python -m injector`` as a process from the repository root."""
    env = dict(os.environ, PYTHONPATH=str(REPO), **(env or {}))
    done = subprocess.run(
        [sys.executable, "-m", "injector", *map(str, args)],
        cwd=REPO, env=env, capture_output=True, timeout=timeout,
    )
    if check_code is not None:
        assert done.returncode == check_code, (done.returncode, done.stdout.decode(), done.stderr.decode())
    return done


@pytest.fixture(params=["compiled", "python"])
def calls(request, monkeypatch):
    """The test runs on _fastio's calls and native writer threads, and again on the Python code
    that stands for them where the module is not built."""
    if request.param == "compiled":
        if files._fastio is None:
            pytest.skip("injector._fastio is not built (no C compiler on install)")
    else:
        monkeypatch.setattr(files, "_fastio", None)
    return request.param


@pytest.fixture
def snippets():
    """Every block's snippet for the test store, as apply renders them."""
    return build_snippets("vtex-legacy", STORE, SERVER)


@pytest.fixture
def template_dir(tmp_path):
    """A copy of the synthetic fixture templates."""
    target = tmp_path / "templates"
    shutil.copytree(TEMPLATES, target)
    return target
