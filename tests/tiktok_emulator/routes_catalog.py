"""Catalogs and catalog products: create/get/overview/bind, upload/update/delete, get, logs.

Each endpoint's docstring names the rules it enforces and their source (SDK =
tiktok/tiktok-business-api-sdk python_sdk/docs; BUBUBA = bububa/tiktok-business; OFFICIAL-DOC ids
as in TIKTOK_API.md). Product field rules are in ``review``.
"""
from __future__ import annotations

import copy
import functools
import json
import time
from pathlib import Path

from flask import Blueprint

from . import review
from .envelope import ApiError, int_param, ok, paginate, params, require, state
from .routes_account import check_advertiser

bp = Blueprint("tiktok_catalog", __name__, url_prefix="/open_api/v1.3/catalog")

STATUSES = ("WAITING", "PROCESSING")
CATALOG_TYPES = {"ECOM", "HOTEL", "FLIGHT", "DESTINATION", "ENTERTAINMENT", "AUTO_VEHICLE", "AUTO_MODEL",
                 "MINI_SERIES"}


MARKETS_FILE = Path(__file__).resolve().parents[2] / "server" / "data" / "markets.json"


@functools.lru_cache(maxsize=1)
def markets() -> dict:
    """{region_code: [currencies]} a catalog may be created with (TIKTOK_API.md section 9, kept in
    server/data/markets.json)."""
    table = json.loads(MARKETS_FILE.read_text(encoding="utf-8"))["markets"]
    return {code: list(entry["currencies"]) for code, entry in table.items()}


def _bc(values: dict) -> str:
    require(values, "bc_id")
    bc_id = str(values["bc_id"])
    if bc_id not in state().business_centers:
        raise ApiError(40001, f"You don't have permission to operate this business center:{bc_id}")
    return bc_id


def _catalog(values: dict) -> dict:
    bc_id = _bc(values)
    require(values, "catalog_id")
    catalog = state().catalogs.get(str(values["catalog_id"]))
    if catalog is None or catalog["bc_id"] != bc_id:
        raise ApiError(40001, f"You don't have permission to operate this catalog:{values['catalog_id']}")
    return catalog


def stage(log: dict, st) -> int:
    """0 WAITING, 1 PROCESSING, 2 finished: advanced by polls and by time."""
    steps = log["polls"] * int(st.settings["log_steps_per_poll"])
    step_seconds = float(st.settings["log_step_seconds"] or 0)
    if step_seconds > 0:
        steps += int((st.now() - log["created"]) / step_seconds)
    return min(2, steps)


def _reviewed(entry: dict, catalog: dict, st) -> bool:
    log = catalog["logs"].get(entry["feed_log_id"])
    waiting = st.now() - entry["updated"] < float(st.settings["review_delay_seconds"])
    return not ((log and stage(log, st) < 2) or waiting)


def audit_status(entry: dict, catalog: dict, st) -> str:
    """The review status a product shows now (``audit`` without copying its reasons)."""
    return entry["verdict"]["audit_status"] if _reviewed(entry, catalog, st) else "processing"


def audit(entry: dict, catalog: dict, st) -> dict:
    """The review a product shows now: processing until its log finished and review time passed."""
    if not _reviewed(entry, catalog, st):
        return {"audit_status": "processing", "rejected_info": []}
    return copy.deepcopy(entry["verdict"])


@bp.post("/create/")
def create():
    """Create a catalog in a Business Center.

    Rules and sources: bc_id, name, catalog_type and catalog_conf {region_code, currency} are
    required (SDK CatalogCreateBody.md, CatalogcreateCatalogConf.md); name at most 128 characters;
    catalog_type one of TikTok's catalog types (BUBUBA enum CatalogType); the region must be one
    TikTok serves and the currency one it takes there (TIKTOK_API.md section 9).
    """
    values = params()
    bc_id = _bc(values)
    require(values, "name", "catalog_conf", "catalog_type")
    conf = values["catalog_conf"]
    if len(str(values["name"])) > 128:
        raise ApiError(40002, "name: Longer than maximum length 128.")
    if values["catalog_type"] not in CATALOG_TYPES:
        raise ApiError(40002, "catalog_type: Invalid enum value.")
    require(conf, "region_code", "currency")
    allowed = markets().get(str(conf["region_code"]))
    if allowed is None:
        raise ApiError(40002, f"catalog_conf.region_code: {conf['region_code']} is not a supported region.")
    if conf["currency"] not in allowed:
        raise ApiError(40002, f"catalog_conf.currency: {conf['currency']} is not supported in "
                              f"{conf['region_code']} (use {', '.join(allowed)}).")
    st = state()
    with st.lock:
        catalog_id = st.new_id("74")
        st.catalogs[catalog_id] = {
            "catalog_id": catalog_id, "bc_id": bc_id, "catalog_name": str(values["name"]),
            "catalog_type": values["catalog_type"],
            "catalog_conf": {"region_code": conf["region_code"], "currency": conf["currency"],
                             "channel": conf.get("channel", "PARTNER")},
            "create_time": time.strftime("%Y-%m-%d %H:%M:%S"), "products": {}, "logs": {}, "event_sources": []}
    return ok({"catalog_id": catalog_id})


@bp.get("/get/")
def get():
    """List a Business Center's catalogs (page_size 1-1000), or one by catalog_id."""
    values = params()
    bc_id = _bc(values)
    st = state()
    with st.lock:
        items = [{k: v for k, v in c.items() if k not in ("products", "logs", "event_sources")}
                 for c in st.catalogs.values() if c["bc_id"] == bc_id
                 and (not values.get("catalog_id") or c["catalog_id"] == str(values["catalog_id"]))]
    chunk, info = paginate(items, values, max_page_size=1000)
    return ok({"list": chunk, "page_info": info})


@bp.get("/overview/")
def overview():
    """Review counts of a catalog."""
    values = params()
    st = state()
    with st.lock:
        catalog = _catalog(values)
        counts = {"approved": 0, "rejected": 0, "processing": 0}
        for entry in catalog["products"].values():
            counts[audit_status(entry, catalog, st)] += 1
    return ok(dict(counts, **{f"organic_{k}": v for k, v in counts.items()}))


@bp.post("/eventsource/bind/")
def bind():
    """Bind a pixel (or app) to a catalog.

    Rules and sources: advertiser_id, bc_id and catalog_id are required, pixel_code or app_id
    optional (SDK EventsourceBindBody.md); the advertiser must be one the token acts for; the
    pixel must exist.
    """
    values = params()
    check_advertiser(values.get("advertiser_id"))
    st = state()
    with st.lock:
        catalog = _catalog(values)
        if not values.get("pixel_code") and not values.get("app_id"):
            raise ApiError(40002, "pixel_code or app_id is required.")
        code = values.get("pixel_code")
        if code and code not in st.pixels:
            raise ApiError(40002, f"pixel_code: pixel {code} does not exist.")
        if code and code not in catalog["event_sources"]:
            catalog["event_sources"].append(code)
    return ok({})


def _write(kind: str):
    """Run a catalog write: one at a time per catalog, held for ``write_window_ms``."""
    values = params()
    st = state()
    with st.lock:
        catalog = _catalog(values)
        lock = st.write_locks[catalog["catalog_id"]]
    if not lock.acquire(blocking=False):
        with st.lock:
            st.stats["write_conflicts"] += 1
        raise ApiError(int(st.settings["write_conflict_code"]),
                       "Another upload or delete request for this catalog is being processed. Please retry later.")
    try:
        time.sleep(float(st.settings["write_window_ms"]) / 1000)
        with st.lock:
            log = _apply(kind, values, catalog, st)
            catalog["logs"][log["feed_log_id"]] = log
            st.stats["catalog_writes"] += 1
            st.stats[f"catalog_{kind}"] += 1
    finally:
        lock.release()
    return ok({"feed_log_id": log["feed_log_id"]})


def _apply(kind: str, values: dict, catalog: dict, st) -> dict:
    log = {"feed_log_id": st.new_id("75"), "kind": kind, "created": st.now(), "polls": 0,
           "add_count": 0, "update_count": 0, "delete_count": 0, "errors": [], "warnings": [],
           "error_count": 0, "warn_count": 0}
    if kind == "delete":
        sku_ids = values.get("sku_ids")
        if not isinstance(sku_ids, list) or not sku_ids or len(sku_ids) > 1000:
            raise ApiError(40002, "sku_ids: Length must be between 1 and 1000.")
        for sku in sku_ids:
            if catalog["products"].pop(str(sku), None) is not None:
                log["delete_count"] += 1
        log["final_status"] = "SUCCESS"
        return log
    products = values.get("products")
    if not isinstance(products, list) or not products or len(products) > 5000:
        raise ApiError(40002, "products: Length must be between 1 and 5000.")
    skus = [str(p.get("sku_id")) for p in products if isinstance(p, dict) and p.get("sku_id")]
    if len(skus) != len(set(skus)):
        raise ApiError(40002, "products: Duplicate sku_id in one request is not supported.")
    errors, warnings = [], []
    for index, product in enumerate(products, start=1):
        product = product if isinstance(product, dict) else {}
        existing = catalog["products"].get(str(product.get("sku_id")))
        if kind == "update":
            if existing is None:
                errors.append((index, product, ("sku_id", "Product does not exist", "Upload the product first.")))
                continue
            product = _merge(existing["data"], product)
        problems = review.field_errors(product, catalog)
        if problems:
            errors += [(index, product, p) for p in problems]
            log["error_count"] += 1
            continue
        verdict, found = review.verdict(product, catalog, st)
        warnings += [(index, product, w) for w in found]
        log["warn_count"] += bool(found)
        log["update_count" if existing else "add_count"] += 1
        catalog["products"][str(product["sku_id"])] = {
            "data": copy.deepcopy(product), "product_id": existing["product_id"] if existing else st.new_id("76"),
            "feed_log_id": log["feed_log_id"], "updated": st.now(), "verdict": verdict}
    log["error_count"] = max(log["error_count"], len({i for i, _p, _e in errors}))
    log["errors"], log["warnings"] = review.group_issues(errors), review.group_issues(warnings)
    log["final_status"] = "FAILED" if log["error_count"] == len(products) else "SUCCESS"
    return log


def _merge(old: dict, new: dict) -> dict:
    merged = copy.deepcopy(old)
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


@bp.post("/product/upload/")
def product_upload():
    """Upsert products by sku_id (asynchronous: returns a feed_log_id).

    Rules and sources: 1 to 5,000 products, no sku_id twice (BUBUBA api/catalog/product/upload.go);
    one write per catalog at a time (OFFICIAL-DOC 1740562489236481); each product's fields as in
    ``review`` (refused products are reported in the log, the others kept).
    """
    return _write("upload")


@bp.post("/product/update/")
def product_update():
    """Partially update existing products."""
    return _write("update")


@bp.post("/product/delete/")
def product_delete():
    """Delete products by sku_id: 1 to 1,000 sku_ids (OFFICIAL-DOC 1740562489236481)."""
    return _write("delete")


@bp.get("/product/log/")
def product_log():
    """An upload's processing log; each poll moves it along."""
    values = params()
    require(values, "feed_log_id")
    st = state()
    with st.lock:
        catalog = _catalog(values)
        log = catalog["logs"].get(str(values["feed_log_id"]))
        if log is None:
            raise ApiError(40007, f"feed_log_id {values['feed_log_id']} does not exist.")
        current = stage(log, st)
        log["polls"] += 1
        entry = {"feed_log_id": log["feed_log_id"], "update_mode": "INCREASE",
                 "process_status": STATUSES[current] if current < 2 else log["final_status"],
                 "start_time": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(log["created"]))}
        if current == 2:
            entry.update({k: log[k]
                          for k in ("add_count", "update_count", "delete_count", "error_count", "warn_count")})
            entry["end_time"] = entry["start_time"]
            entry["feed_log_data"] = {"error_affected_products": copy.deepcopy(log["errors"]),
                                      "warn_affected_products": copy.deepcopy(log["warnings"])}
    return ok({"product_feed_log": entry})


@bp.get("/product/get/")
def product_get():
    """Products with their review (``audit``), filtered by sku_ids/product_ids/conditions.

    Rules and sources (OFFICIAL-DOC 1740564136678402; BUBUBA model/catalog/product/get.go):
    page_size 1-500 (default 10); page x page_size <= 100,000; sku_ids and product_ids at most
    1,000 each and never together; ``conditions`` are ignored when either is given; condition
    operators EQ, NE, IN, NOT_IN and PREFIX on audit_status, sku_id and other product fields.
    """
    values = params()
    size = int_param(values, "page_size", 10, 1, 500)
    page = int_param(values, "page", 1, 1, 10**6)
    if page * size > 100000:
        raise ApiError(40002, "page * page_size must not exceed 100000.")
    if values.get("sku_ids") and values.get("product_ids"):
        raise ApiError(40002, "sku_ids and product_ids cannot be used together.")
    for key in ("sku_ids", "product_ids"):
        if key in values and (not isinstance(values[key], list) or len(values[key]) > 1000):
            raise ApiError(40002, f"{key}: must be a list of at most 1000 ids.")
    st = state()
    with st.lock:
        catalog = _catalog(values)
        products = catalog["products"]
        if values.get("sku_ids"):
            entries = [products[str(s)] for s in dict.fromkeys(values["sku_ids"]) if str(s) in products]
        elif values.get("product_ids"):
            wanted = {str(s) for s in values["product_ids"]}
            entries = [e for e in products.values() if e["product_id"] in wanted]
        else:
            entries = _matching(_by_prefix(products, values.get("conditions")), values.get("conditions"), catalog, st)
        # Only the page asked for is built: a 300,000-product catalog stays quick to page through.
        chunk, info = paginate(entries, values, max_page_size=500)
        items = [_product_out(e, catalog, st) for e in chunk]
    return ok({"list": items, "page_info": info})


def _product_out(entry: dict, catalog: dict, st) -> dict:
    item = copy.deepcopy(entry["data"])
    item["product_id"] = entry["product_id"]
    item["audit"] = audit(entry, catalog, st)
    item["active_status"] = "ACTIVATED"
    ready = item["audit"]["audit_status"] == "approved" and item.get("availability") in (
        "IN_STOCK", "AVAILABLE_FOR_ORDER", "PREORDER")
    item["ad_creation_eligible"] = "AVAILABLE" if ready else "NOT_AVAILABLE"
    return item


def _by_prefix(products: dict, conditions) -> list:
    """Entries narrowed by an ``and`` clause ``sku_id PREFIX`` on the keys first: counting a narrow
    prefix in a 300,000-product catalog stays quick."""
    for clause in (conditions or {}).get("and") or []:
        if clause.get("field") == "sku_id" and clause.get("operator") == "PREFIX":
            prefixes = tuple(str(v) for v in clause.get("values") or [])
            return [e for sku, e in products.items() if sku.startswith(prefixes)]
    return list(products.values())


def _matching(entries: list, conditions, catalog: dict, st) -> list:
    """The entries that match ``conditions`` (and/or of EQ, NE, IN, NOT_IN, PREFIX clauses)."""
    if not conditions:
        return entries
    clauses = conditions.get("and") or conditions.get("or") or []
    tests = [_clause_test(clause, catalog, st) for clause in clauses]
    combine = all if "and" in conditions else any
    return [e for e in entries if combine(test(e) for test in tests)]


def _clause_test(clause: dict, catalog: dict, st):
    field, operator = clause.get("field"), clause.get("operator")
    wanted = [str(v) for v in clause.get("values") or []]
    if field == "audit_status":
        value_of = _status_reader(catalog, st)
    else:
        def value_of(entry):
            return entry["data"].get(field)
    if operator == "PREFIX":  # case-sensitive here; TikTok's default is UNCONFIRMED
        prefixes = tuple(wanted)
        return lambda entry: str(value_of(entry)).startswith(prefixes)
    lowered = {v.lower() for v in wanted}
    negate = operator in ("NE", "NOT_IN")
    return lambda entry: (str(value_of(entry)).lower() in lowered) != negate


def _status_reader(catalog: dict, st):
    """``audit_status`` with the clock and settings read once per request (300,000 entries stay quick)."""
    now, delay, logs = st.now(), float(st.settings["review_delay_seconds"] or 0), catalog["logs"]

    def status(entry):
        log = logs.get(entry["feed_log_id"])
        if (log and stage(log, st) < 2) or now - entry["updated"] < delay:
            return "processing"
        return entry["verdict"]["audit_status"]
    return status
