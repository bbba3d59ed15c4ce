"""Drive harness.js: run snippets in a fake browser page under Node and read back what reached ttq."""
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import snippets

HARNESS = Path(__file__).with_name("harness.js")
ES5_CHECK = Path(__file__).with_name("node") / "es5check.js"  # acorn, installed by `make services`
SERVER = "https://px.example.com"
KEY = "k3y_Store-01"
LOADER_URL = f"{SERVER}/pixel/{KEY}.js"
PIXEL_CODE = "C9Q2MJ3C77U4P674RPG0"
DELIVER = {"deliver": True}  # the async scripts requested so far arrive
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def node_binary():
    """Node.js, or a skip (a failure on CI) when it is missing."""
    path = os.environ.get("TTC_NODE") or shutil.which("node")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("node is not installed; the snippet tests run JavaScript in Node")
        pytest.skip("node is not installed")
    return path


def es5_errors(sources):
    """Parse each (name, source) as an ES5 script in one Node process: "name:line:column: reason" per failure."""
    if not (ES5_CHECK.parent / "node_modules" / "acorn").is_dir():
        pytest.fail(f"acorn is not installed in {ES5_CHECK.parent}; run `make services`")
    items = [{"name": name, "source": source} for name, source in sources]
    done = subprocess.run([node_binary(), str(ES5_CHECK)], input=json.dumps(items), capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return [found["message"] for found in json.loads(done.stdout) if found is not None]


def store_config(**overrides):
    """A realistic public config for an enabled store."""
    config = {
        "enabled": True,
        "pixel_code": PIXEL_CODE,
        "events": ["ViewContent", "AddToCart", "PlaceAnOrder"],
        "order_event": "PlaceAnOrder",
        "currency": "BRL",
        "consent_mode": "none",
        "advanced_matching": False,
    }
    config.update(overrides)
    return config


def run_pages(steps, config=None, *, crypto="full", storage="ok", scripts=None, hostname=None):
    """Run the steps in the fake page(s); returns one report per page load."""
    served = {LOADER_URL: snippets.render_loader(config if config is not None else store_config())}
    served.update(scripts or {})
    served = {url: source for url, source in served.items() if source is not None}  # None: a failed fetch
    scenario = {"steps": steps, "scripts": served, "crypto": crypto, "storage": storage, "hostname": hostname}
    done = subprocess.run([node_binary(), str(HARNESS)], input=json.dumps(scenario), capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["pages"]


def run_page(steps, config=None, **options):
    """Run the steps in one fake page; the report asserts nothing went wrong in the page."""
    page = run_pages(steps, config, **options)[-1]
    assert page["errors"] == [] and page["console"] == [], page
    return page


def head_step():
    """The head snippet, as pasted in the page."""
    return {"html": snippets.render_head(KEY, SERVER)}


def tracks(page):
    """The ttq.track calls a page made: [(name, params, options)]."""
    return [(call[1], call[2], call[3]) for call in page["ttq"] if call[0] == "track"]


def methods(page):
    """The ttq method names called, in order."""
    return [call[0] for call in page["ttq"]]


def consents(page):
    """The consent calls (page-wide, on the global ttq), in order."""
    return [call[0] for call in page["ttq_global"] if call[0].endswith("Consent")]


def tiktok_scripts(page):
    """The events.js URLs the page asked for."""
    return [src for src in page["scripts"] if src.startswith("https://analytics.tiktok.com/")]


def track(name, params):
    """A page calling ttc("track", ...)."""
    return {"eval": f"ttc('track', {json.dumps(name)}, {json.dumps(params)})"}


def filled(snippet, **values):
    """A generic/headless snippet with its "PLACEHOLDER" strings replaced, as a careful theme would."""
    for placeholder, value in values.items():
        snippet = snippet.replace(f'"{placeholder}"', snippets.js_value(value))
    return snippet
