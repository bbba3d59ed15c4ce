"""Catalogs and catalog products: create/get/overview/bind, upload/update/delete, get, logs."""
from __future__ import annotations

import copy
import time

from flask import Blueprint

from . import review
from .envelope import ApiError, int_param, ok, paginate, params, require, state

bp = Blueprint("tiktok_catalog", __name__, url_prefix="/open_api/v1.3/catalog")

STATUSES = ("WAITING", "PROCESSING")
CATALOG_TYPES = {"ECOM", "HOTEL", "FLIGHT", "DESTINATION", "ENTERTAINMENT", "AUTO_VEHICLE", "AUTO_MODEL",
                 "MINI_SERIES"}


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


def audit(entry: dict, catalog: dict, st) -> dict:
    """The review a product shows now: processing until its log finished and review time passed."""
    log = catalog["logs"].get(entry["feed_log_id"])
    if (log and stage(log, st) < 2) or st.now() - entry["updated"] < float(st.settings["review_delay_seconds"]):
        return {"audit_status": "processing", "rejected_info": []}
    return copy.deepcopy(entry["verdict"])


@bp.post("/create/")
def create():
    """Create a catalog in a Business Center."""
    values = params()
    bc_id = _bc(values)
    require(values, "name", "catalog_conf")
    conf = values["catalog_conf"]
    if len(str(values["name"])) > 128:
        raise ApiError(40002, "name: Longer than maximum length 128.")
    if values.get("catalog_type", "ECOM") not in CATALOG_TYPES:
        raise ApiError(40002, "catalog_type: Invalid enum value.")
    require(conf, "region_code", "currency")
    st = state()
    with st.lock:
        catalog_id = st.new_id("74")
        st.catalogs[catalog_id] = {
            "catalog_id": catalog_id, "bc_id": bc_id, "catalog_name": str(values["name"]),
            "catalog_type": values.get("catalog_type", "ECOM"),
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
            counts[audit(entry, catalog, st)["audit_status"]] += 1
    return ok(dict(counts, **{f"organic_{k}": v for k, v in counts.items()}))


@bp.post("/eventsource/bind/")
def bind():
    """Bind a pixel (or app) to a catalog."""
    values = params()
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
    """Upsert products by sku_id (asynchronous: returns a feed_log_id)."""
    return _write("upload")


@bp.post("/product/update/")
def product_update():
    """Partially update existing products."""
    return _write("update")


@bp.post("/product/delete/")
def product_delete():
    """Delete products by sku_id."""
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
            entry.update({k: log[k] for k in ("add_count", "update_count", "delete_count", "error_count", "warn_count")})
            entry["end_time"] = entry["start_time"]
            entry["feed_log_data"] = {"error_affected_products": copy.deepcopy(log["errors"]),
                                      "warn_affected_products": copy.deepcopy(log["warnings"])}
    return ok({"product_feed_log": entry})


@bp.get("/product/get/")
def product_get():
    """Products with their review (``audit``), filtered by sku_ids/product_ids/conditions."""
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
        items = [_product_out(e, catalog, st) for e in catalog["products"].values()]
    if values.get("sku_ids"):
        wanted = {str(s) for s in values["sku_ids"]}
        items = [i for i in items if str(i["sku_id"]) in wanted]
    if values.get("product_ids"):
        wanted = {str(s) for s in values["product_ids"]}
        items = [i for i in items if i["product_id"] in wanted]
    items = [i for i in items if _matches(i, values.get("conditions"))]
    chunk, info = paginate(items, values, max_page_size=500)
    return ok({"list": chunk, "page_info": info})


def _product_out(entry: dict, catalog: dict, st) -> dict:
    item = copy.deepcopy(entry["data"])
    item["product_id"] = entry["product_id"]
    item["audit"] = audit(entry, catalog, st)
    item["active_status"] = "ACTIVATED"
    ready = item["audit"]["audit_status"] == "approved" and item.get("availability") in (
        "IN_STOCK", "AVAILABLE_FOR_ORDER", "PREORDER")
    item["ad_creation_eligible"] = "AVAILABLE" if ready else "NOT_AVAILABLE"
    return item


def _matches(item: dict, conditions) -> bool:
    if not conditions:
        return True
    clauses = conditions.get("and") or conditions.get("or") or []
    results = []
    for clause in clauses:
        field = clause.get("field")
        value = item["audit"]["audit_status"] if field == "audit_status" else item.get(field)
        wanted = [str(v).lower() for v in clause.get("values") or []]
        hit = str(value).lower() in wanted
        results.append(not hit if clause.get("operator") in ("NE", "NOT_IN") else hit)
    return all(results) if "and" in conditions else any(results)


