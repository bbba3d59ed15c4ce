"""`make serve PORT=...`: the snippets the admin shows point at the port the server listens on."""
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.tcp import free_port

REPO = Path(__file__).resolve().parents[2]


def _csrf(page):
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


@pytest.fixture
def served(tmp_path):
    """`make serve PORT=<free port>` on a fresh instance folder; yields the base URL."""
    port = free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("TTC_")}
    env.update(TTC_INSTANCE_PATH=str(tmp_path / "instance"), TTC_WORKERS="1", TTC_ARGON2_TIME_COST="1",
               TTC_ARGON2_MEMORY_KIB="8", TTC_ARGON2_PARALLELISM="1")
    server = subprocess.Popen(["make", "-s", "serve", f"PORT={port}"], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                requests.get(base + "/signin", timeout=1)
                break
            except requests.ConnectionError:
                assert server.poll() is None, server.stderr.read().decode()[-2000:]
                time.sleep(0.1)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        server.stderr.close()


def test_the_pixel_snippet_names_the_port_make_serve_listens_on(served):
    browser = requests.Session()
    page = browser.get(served + "/signup").text
    browser.post(served + "/signup", data={"email": "ana@example.com", "password": "lighthouse kettle orbit",
                                           "csrf_token": _csrf(page)}, timeout=10)
    form = browser.get(served + "/stores/new").text
    created = browser.post(served + "/stores/new", timeout=10, data={
        "csrf_token": _csrf(form), "name": "Loja", "domains": "loja.example.com", "platform": "generic",
        "country": "BR", "currency": "BRL", "pixel_code": "C9Q2MJ3C77U4P674RPG0"})
    assert created.url.endswith("/pixel"), created.text[:500]
    assert f"{served}/pixel/" in created.text  # the head snippet loads from this server's port
    assert "127.0.0.1:8000" not in created.text
