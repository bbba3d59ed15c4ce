"""Control endpoints under ``/_emulator/`` for tests: reset, settings, seeding, faults, clock,
and what the emulator received. Not part of TikTok's API."""
from __future__ import annotations

import copy

from flask import Blueprint, jsonify, request

from .envelope import state
from .routes_catalog import audit
from .state import BC_ID, DEFAULT_APP_ID

bp = Blueprint("emulator_control", __name__, url_prefix="/_emulator")

FAULT_KINDS = {"http_error", "timeout", "slow", "garbage", "code", "rate_limit"}


def _body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@bp.post("/reset")
def reset():
    """Forget everything; optional ``settings`` override the defaults."""
    state().reset(_body().get("settings"))
    return jsonify({"ok": True})


@bp.route("/config", methods=["GET", "POST"])
def config():
    """Read the settings, or merge new values into them."""
    st = state()
    with st.lock:
        if request.method == "POST":
            for key, value in _body().items():
                if key not in st.settings:
                    return jsonify({"error": f"unknown setting {key}"}), 400
                st.settings[key] = value
        return jsonify(copy.deepcopy(st.settings))


@bp.get("/echo")
def echo():
    """Answer with the query string: a stand-in OAuth redirect target for tests."""
    return jsonify(request.args.to_dict())


@bp.get("/world")
def world():
    """The seeded ids: apps, Business Center, advertisers, pixels, campaigns."""
    st = state()
    with st.lock:
        return jsonify({"app_id": DEFAULT_APP_ID, "apps": list(st.settings["apps"]), "bc_id": BC_ID,
                        "advertisers": list(st.advertisers.values()), "pixels": list(st.pixels.values()),
                        "campaigns": list(st.campaigns.values())})


@bp.post("/tokens")
def seed_token():
    """Issue a token without the OAuth dance: ``{app_id?, advertiser_ids?, scope?}``."""
    body = _body()
    st = state()
    with st.lock:
        token = st.issue_token(str(body.get("app_id") or DEFAULT_APP_ID),
                               body.get("advertiser_ids") or list(st.advertisers), body.get("scope"))
        return jsonify({"access_token": token["access_token"], "advertiser_ids": token["advertiser_ids"],
                        "scope": token["scope"], "app_id": token["app_id"], "bc_id": BC_ID})


@bp.post("/tokens/revoke")
def revoke():
    """Revoke a token as if the advertiser cancelled the authorization."""
    st = state()
    with st.lock:
        token = st.tokens.get(_body().get("access_token", ""))
        if token is None:
            return jsonify({"error": "unknown token"}), 404
        token["revoked"] = True
    return jsonify({"ok": True})


@bp.post("/auth_codes")
def auth_code():
    """Issue an auth code as the consent page would: ``{app_id?, advertiser_ids?}``."""
    body = _body()
    st = state()
    with st.lock:
        code = st.new_secret()
        st.auth_codes[code] = {"app_id": str(body.get("app_id") or DEFAULT_APP_ID), "used": False,
                               "advertiser_ids": body.get("advertiser_ids") or list(st.advertisers),
                               "created": st.now()}
    return jsonify({"auth_code": code})


@bp.route("/faults", methods=["GET", "POST", "DELETE"])
def faults():
    """Add a fault (``kind``: http_error, timeout, slow, garbage, code, rate_limit; ``path``,
    ``rate`` 0-1, ``count``, ``status``, ``code``, ``seconds``), list them, or clear them."""
    st = state()
    with st.lock:
        if request.method == "DELETE":
            st.faults.clear()
        elif request.method == "POST":
            body = _body()
            if body.get("kind") not in FAULT_KINDS:
                return jsonify({"error": f"kind must be one of {sorted(FAULT_KINDS)}"}), 400
            fault = dict(body)
            if fault["kind"] == "rate_limit":
                fault.update(kind="code", code=40100)
            fault["remaining"] = body.get("count")
            st.faults.append(fault)
        return jsonify(copy.deepcopy(st.faults))


@bp.route("/requests", methods=["GET", "DELETE"])
def requests_log():
    """The API calls received (secrets left out), optionally only for ``?path=``."""
    st = state()
    with st.lock:
        if request.method == "DELETE":
            st.request_log.clear()
            return jsonify([])
        path = request.args.get("path")
        return jsonify([dict(r) for r in st.request_log if not path or r["path"] == path])


@bp.get("/stats")
def stats():
    """Counters: requests, rate_limited, write_conflicts, catalog_writes, faults, events."""
    st = state()
    with st.lock:
        return jsonify(dict(st.stats))


@bp.post("/images")
def images():
    """Register image sizes: ``{"images": {url: [width, height]}}``."""
    st = state()
    with st.lock:
        for url, (width, height) in (_body().get("images") or {}).items():
            st.images[url] = (int(width), int(height))
    return jsonify({"ok": True})


@bp.post("/rate_windows/pass")
def pass_rate_windows():
    """What waiting out the per-second rate windows does: calls made so far stop counting against
    them (the hourly catalog write limit keeps its calls)."""
    st = state()
    with st.lock:
        for key in [key for key in st.windows if key[0] != "catalog-hour"]:
            del st.windows[key]
    return jsonify({"ok": True})


@bp.post("/clock")
def clock():
    """Move the emulator's clock forward by ``advance`` seconds (auth code expiry, logs, review)."""
    st = state()
    with st.lock:
        st.clock_offset += float(_body().get("advance", 0))
        return jsonify({"offset": st.clock_offset})


@bp.get("/catalogs")
def catalogs():
    """Every catalog with its product count and bound pixels."""
    st = state()
    with st.lock:
        return jsonify([{k: v for k, v in c.items() if k not in ("products", "logs")} | {
            "product_count": len(c["products"])} for c in st.catalogs.values()])


@bp.get("/catalogs/<catalog_id>/products")
def catalog_products(catalog_id: str):
    """A catalog's products as stored, with the review each shows now."""
    st = state()
    with st.lock:
        catalog = st.catalogs.get(catalog_id)
        if catalog is None:
            return jsonify({"error": "unknown catalog"}), 404
        return jsonify({sku: {"data": e["data"], "product_id": e["product_id"], "audit": audit(e, catalog, st)}
                        for sku, e in catalog["products"].items()})


@bp.post("/catalogs/<catalog_id>/seed")
def seed_products(catalog_id: str):
    """Put ``count`` reviewed products straight into a catalog (``prefix`` + number as SKU, the
    ``audit_status`` given): big catalogs for tests and benchmarks without uploading them."""
    body = _body()
    st = state()
    with st.lock:
        catalog = st.catalogs.get(catalog_id)
        if catalog is None:
            return jsonify({"error": "unknown catalog"}), 404
        status = body.get("audit_status", "approved")
        prefix, start, count = str(body.get("prefix", "S-")), int(body.get("start", 0)), int(body["count"])
        now = st.now() - float(st.settings["review_delay_seconds"] or 0) - 1
        for n in range(start, start + count):
            sku = f"{prefix}{n}"
            catalog["products"][sku] = {
                "data": {"sku_id": sku, "title": f"Product {n}", "availability": "IN_STOCK"},
                "product_id": st.new_id("76"), "feed_log_id": None, "updated": now,
                "verdict": {"audit_status": status, "rejected_info": []}}
        return jsonify({"product_count": len(catalog["products"])})


@bp.get("/events")
def events():
    """Events received through the Events API, optionally for ``?pixel_code=``."""
    st = state()
    code = request.args.get("pixel_code")
    with st.lock:
        return jsonify([e for e in st.events if not code or e["pixel_code"] == code])
