"""What Ecwid and VTEX IO merchants install: the snippet command's output and the VTEX IO pixel app,
checked against the anatomy of VTEX's own pixel apps (VTEX_API.md 5.4) and run in Node."""
import json
import subprocess

import pytest

import snippets
from snippets.vtex_io import APP_NAME, app_files
from tests.factories import make_store
from tests.snippets.jsharness import node_binary

SERVER = "https://px.example.com"


def test_the_vtex_io_app_follows_a_pixel_apps_anatomy():
    files = app_files("k3y_Store-01", SERVER, vendor="mystore")

    assert set(files) == {"manifest.json", "pixel/head.html", "store/interfaces.json", "store/plugins.json",
                          "react/index.tsx", "react/package.json", "docs/README.md"}
    manifest = json.loads(files["manifest.json"])
    assert manifest["vendor"] == "mystore" and manifest["name"] == APP_NAME
    assert manifest["builders"] == {"react": "3.x", "store": "0.x", "pixel": "0.x", "docs": "0.x"}
    assert manifest["dependencies"] == {"vtex.pixel-interfaces": "1.x"}
    assert {"name": "pixel"} in manifest["policies"]
    key = manifest["settingsSchema"]["properties"]["storeKey"]
    assert key["default"] == "k3y_Store-01" and key["type"] == "string" and key["pattern"]
    assert json.loads(files["store/interfaces.json"]) == {f"pixel.{APP_NAME}": {"component": "index"}}
    assert json.loads(files["store/plugins.json"]) == {"pixels > pixel": f"pixel.{APP_NAME}"}
    head = files["pixel/head.html"]
    assert "{{settings.storeKey}}" in head and head.count("<script>") == 1
    assert "return null" in files["react/index.tsx"]


def test_the_vtex_io_head_script_runs_once_vtex_fills_in_the_setting():
    head = app_files("k3y", SERVER, vendor="mystore")["pixel/head.html"]
    body = head.split("<script>", 1)[1].rsplit("</script>", 1)[0]
    probe = """
const inserted = [], errors = [];
global.window = global; window.location = {origin: "https://shop.example"};
window.addEventListener = () => {}; window.console = {error: (m) => errors.push(m)};
global.document = {createElement: () => ({}),
                   getElementsByTagName: () => [{parentNode: {insertBefore: (s) => inserted.push(s.src)}}]};
%s
process.stdout.write(JSON.stringify({inserted, errors}));
"""
    def run(key):
        code = probe % body.replace("{{settings.storeKey}}", key)
        done = subprocess.run([node_binary(), "-e", code], capture_output=True, text=True, timeout=30, check=True)
        return json.loads(done.stdout)

    assert run("k3y") == {"inserted": [f"{SERVER}/pixel/k3y.js"], "errors": []}
    unset = run("")
    assert unset["inserted"] == [] and "set the store key" in unset["errors"][0]


def test_a_bad_vendor_is_refused():
    with pytest.raises(snippets.SnippetError):
        app_files("k3y", SERVER, vendor="my store")


def test_snippet_command_writes_the_vtex_io_app(runner, tmp_path, session):
    store = make_store(platform="vtex-io")

    result = runner.invoke(args=["snippet", store.public_key, "--platform", "vtex-io", "--out", str(tmp_path / "app"),
                                 "--vendor", "lojaexemplo"])

    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "app" / "manifest.json").read_text())
    assert manifest["vendor"] == "lojaexemplo"
    assert manifest["settingsSchema"]["properties"]["storeKey"]["default"] == store.public_key
    assert (tmp_path / "app" / "pixel" / "head.html").is_file() and "vtex link" in result.output


def test_snippet_command_prints_the_listener_and_the_ecwid_tag(runner, app, session):
    store = make_store(platform="ecwid")
    base = app.config["TTC_PUBLIC_URL"]

    tag = runner.invoke(args=["snippet", store.public_key])
    listener = runner.invoke(args=["snippet", store.public_key, "--platform", "vtex-io"])
    refused = runner.invoke(args=["snippet", store.public_key, "ViewContent"])
    generic = runner.invoke(args=["snippet", store.public_key, "Search", "--platform", "generic"])

    assert tag.output.strip() == f'<script async src="{base}/pixel/{store.public_key}/ecwid.js"></script>'
    assert "vtex:orderPlaced" in listener.output and f"{base}/pixel/{store.public_key}.js" in listener.output
    assert refused.exit_code != 0 and "need no event snippets" in refused.output
    assert generic.exit_code == 0 and "SEARCH_TERMS" in generic.output and 'e.g. "BRL"' not in generic.output


def test_scripts_stay_within_the_loaders_budget():
    import gzip

    for text in (snippets.render_ecwid("k3y", SERVER), snippets.vtex_io.render_listener("k3y", SERVER)):
        assert len(gzip.compress(text.encode("utf-8"), 9)) <= snippets.LOADER_BUDGET_GZIP_BYTES
