"""Pytest plugin: headless Debian Chromium driven by Playwright, with screenshots kept as artifacts."""
import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path():
    """The system Chromium binary, or None when it is not installed."""
    return os.environ.get("TTC_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def artifacts_dir():
    """Where browser tests leave screenshots (TTC_TEST_ARTIFACTS, default build/test-artifacts)."""
    path = Path(os.environ.get("TTC_TEST_ARTIFACTS", "build/test-artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs it from Debian's packages")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser page; console errors are collected in page.console_errors."""
    context = browser.new_context()
    tab = context.new_page()
    tab.console_errors = []
    tab.on("console", lambda msg: msg.type == "error" and tab.console_errors.append(msg.text))
    tab.on("pageerror", lambda exc: tab.console_errors.append(str(exc)))
    yield tab
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
    try:
        tab.screenshot(path=str(artifacts_dir() / f"{name}.png"), full_page=True)
    except Exception:  # a closed or crashed page leaves no screenshot; the test result says why
        pass
    context.close()
