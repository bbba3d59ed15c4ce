"""deploy/nginx/pixel-cache.conf in a real nginx in front of the app: published scripts answered by
nginx itself with the app's bytes and validators, everything else through the app and nginx's cache.

nginx comes from Debian's packages (`make services` installs nginx-light)."""
import gzip
import http.client
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

from server.stores import service
from tests.factories import make_store
from tests.tcp import free_port

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "deploy/nginx/pixel-cache.conf"


def _shipped_with_root(folder):
    text = SHIPPED.read_text()
    roots = re.findall(r"^\s*root (\S+);", text, re.M)
    assert len(roots) == 1, "the shipped configuration names one published folder"
    return text.replace(f"root {roots[0]};", f"root {folder};")


@pytest.fixture
def published(app_config, tmp_path):
    folder = tmp_path / "published"
    app_config["TTC_PIXEL_PUBLISH_DIR"] = str(folder)
    return folder


@pytest.fixture
def nginx(published, live_server, tmp_path):
    """nginx on a free port: the shipped pixel configuration in front of ``live_server``."""
    if not shutil.which("nginx"):
        pytest.fail("nginx is not installed; `make services` installs it")
    work = tmp_path / "nginx"
    work.mkdir()
    (work / "pixel-cache.conf").write_text(_shipped_with_root(published))
    port, app_port = free_port(), urllib.parse.urlsplit(live_server.url).port
    (work / "nginx.conf").write_text(f"""
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    types {{ application/javascript js; application/json json; }}
    upstream tiktok_connector {{ server 127.0.0.1:{app_port}; keepalive 8; }}
    proxy_cache_path {work}/cache levels=1:2 keys_zone=ttc_pixel:1m max_size=16m inactive=1h use_temp_path=off;
    server {{
        listen 127.0.0.1:{port};
        include {work}/pixel-cache.conf;
        location / {{ proxy_pass http://tiktok_connector; }}
    }}
}}
""")
    command = ["nginx", "-c", str(work / "nginx.conf"), "-p", str(work)]
    if os.geteuid() == 0:
        command += ["-g", "user root;"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            _get(port, "/pixel/")
            break
        except OSError:
            assert process.poll() is None, (work / "error.log").read_text()
            time.sleep(0.05)
    yield port
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(10)


def _get(port, path, method="GET", body=None, **headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _until_from_file(port, path):
    """GET until nginx answers from the published file; returns the X-Cache-Status values seen."""
    seen = []
    for _ in range(50):
        seen.append(_get(port, path)[1].get("x-cache-status"))
        if seen[-1] == "FILE":
            return seen
        time.sleep(0.05)
    return seen


def test_nginx_answers_published_scripts_itself_with_the_apps_bytes_and_validators(nginx, live_server, session):
    store = make_store(domains=["loja.example.com"])
    app = live_server.app.test_client()
    for path in (f"/pixel/{store.public_key}.js", f"/pixel/{store.public_key}/ecwid.js"):
        from_app = app.get(path)
        assert _until_from_file(nginx, path)[-1] == "FILE"
        status, headers, body = _get(nginx, path)
        assert status == 200 and body == from_app.data
        for name in ("ETag", "Cache-Control", "Content-Type", "X-Content-Type-Options",
                     "Cross-Origin-Resource-Policy"):
            assert headers[name.lower()] == from_app.headers[name], name
        assert "last-modified" not in headers and "x-accel-expires" not in headers
        status, headers, body = _get(nginx, path, If_None_Match=from_app.headers["ETag"])
        assert (status, body, headers["x-cache-status"]) == (304, b"", "FILE")
        status, headers, body = _get(nginx, path, Accept_Encoding="gzip")
        assert headers["content-encoding"] == "gzip" and gzip.decompress(body) == from_app.data


def test_a_store_change_reaches_nginx_clients_before_the_max_age_runs_out(nginx, live_server, session):
    store = make_store()
    path = f"/pixel/{store.public_key}.js"
    assert _until_from_file(nginx, path)[-1] == "FILE"
    service.update_store(session, store, consent_mode="hold")
    changed_at = time.monotonic()
    max_age = live_server.app.config["TTC_PIXEL_MAX_AGE"]
    answers = []
    while time.monotonic() - changed_at < max_age / 2:
        status, headers, body = _get(nginx, path)
        answers.append(b'"consent_mode":"hold"' in body)
        if answers[-1] and headers["x-cache-status"] == "FILE":
            break
        time.sleep(0.1)
    assert answers[-1], "the change did not reach nginx's clients within half the max-age"
    assert headers["x-cache-status"] == "FILE"  # and the new bytes were published again


def test_config_json_unknown_keys_and_the_collector_still_go_to_the_app(nginx, live_server, session):
    store = make_store(domains=["loja.example.com"])
    path = f"/pixel/{store.public_key}/config.json"
    first = _get(nginx, path, Origin="https://loja.example.com")
    again = _get(nginx, path, Origin="https://loja.example.com")
    assert first[0] == again[0] == 200 and first[2] == again[2]
    assert (first[1]["x-cache-status"], again[1]["x-cache-status"]) == ("MISS", "HIT")
    assert again[1]["access-control-allow-origin"] == "https://loja.example.com"
    status, headers, body = _get(nginx, "/pixel/nosuchstorekey00000.js")
    assert status == 404 and headers["content-type"].startswith("application/json")
    status, headers, body = _get(nginx, f"/pixel/{store.public_key}/events", method="POST", body=b"{",
                                 Content_Type="application/json")
    assert 400 <= status < 500 and headers["content-type"].startswith("application/json")
