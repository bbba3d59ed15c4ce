"""The emulator's HTTP routes: VTEX's (VTEX_API.md) and a control API under /_emulator/."""
from __future__ import annotations

import time

import requests
from flask import Flask, jsonify, request

from .images import register_images
from .state import VtexState

MAX_PAGE_SIZE = 1000


def create_app(settings: dict | None = None) -> Flask:
    """A fresh emulator app holding one VTEX account."""
    app = Flask(__name__)
    app.config["STATE"] = VtexState(**(settings or {}))

    def state() -> VtexState:
        return app.config["STATE"]

    def error(status, message, headers=None):
        response = jsonify({"Message": message})
        response.status_code = status
        for name, value in (headers or {}).items():
            response.headers[name] = value
        return response

    def guard(endpoint, *, authenticated=True):
        refused = state().gate(endpoint)
        if refused:
            status, wait = refused
            return error(status, "Too Many Requests" if status == 429 else "Service Unavailable",
                         {"Retry-After": str(wait)} if wait else None)
        slow = state().faults.get("slow")
        if slow:
            time.sleep(slow)
        if authenticated:
            if state().faults.get("revoked"):
                return error(401, "Unauthorized: the app key was revoked")
            key, token = request.headers.get("X-VTEX-API-AppKey"), request.headers.get("X-VTEX-API-AppToken")
            if key != state().app_key or token != state().app_token:
                return error(401, "Unauthorized")
        return None

    @app.get("/api/catalog_system/pvt/sku/stockkeepingunitids")
    def sku_ids():
        refused = guard("stockkeepingunitids")
        if refused:
            return refused
        page, size = request.args.get("page", type=int), request.args.get("pagesize", type=int)
        if not page or not size or page < 1 or size < 1:
            return error(400, "page and pagesize are required")
        if size > MAX_PAGE_SIZE:
            return error(400, f"pagesize must be at most {MAX_PAGE_SIZE}")
        with state().lock:
            ids = state().sku_ids()
        return jsonify(ids[(page - 1) * size: page * size])

    @app.get("/api/catalog_system/pvt/sku/stockkeepingunitbyid/<int:sku_id>")
    def sku_context(sku_id):
        refused = guard("stockkeepingunitbyid")
        if refused:
            return refused
        with state().lock:
            context = state().context(sku_id)
        return jsonify(context) if context else error(404, "SKU not found")

    @app.get("/api/catalog/pvt/category/<int:category_id>")
    def category(category_id):
        refused = guard("category")
        if refused:
            return refused
        with state().lock:
            record = state().category(category_id)
        return jsonify(record) if record else error(404, "Category not found")

    @app.get("/api/catalog_system/pub/category/tree/<int:levels>")
    def category_tree(levels):
        refused = guard("category/tree")
        if refused:
            return refused
        with state().lock:
            children = [state().category(c) for c in range(10, 10 + state().category_count)]
            shown = [{"id": c["Id"], "name": c["Name"], "hasChildren": False, "children": []}
                     for c in children if c.get("IsActive")]  # whether inactive ones are listed is UNCONFIRMED
            root = state().category(1)
        return jsonify([{"id": 1, "name": root["Name"], "hasChildren": bool(shown),
                         "children": shown if levels > 1 else []}])

    @app.get("/api/catalog_system/pvt/products/GetProductAndSkuIds")
    def product_and_sku_ids():
        refused = guard("GetProductAndSkuIds")
        if refused:
            return refused
        with state().lock:
            ids = state().sku_ids()
            per = state().skus_per_product
        products = sorted({1000 + (i - 1) // per for i in ids})
        start, end = request.args.get("_from", 1, type=int), request.args.get("_to", 250, type=int)
        chosen = products[max(0, start - 1): min(end, start + 249)]
        return jsonify({"data": {str(p): [] for p in chosen},
                        "range": {"total": len(products), "from": start, "to": end}})

    @app.route("/api/checkout/pub/orderForm", methods=["GET", "POST"])
    def order_form():
        refused = guard("orderForm", authenticated=False)
        if refused:
            return refused
        return jsonify({"orderFormId": "emulated", "salesChannel": request.args.get("sc", "1"), "items": [],
                        "storePreferencesData": {"countryCode": state().country,
                                                 "currencyCode": state().currency}})

    @app.post("/api/checkout/pub/orderForms/simulation")
    def simulation():
        refused = guard("simulation", authenticated=False)
        if refused:
            return refused
        body = request.get_json(silent=True) or {}
        channel = request.args.get("sc", "1")
        answered = []
        with state().lock:
            for index, wanted in enumerate(body.get("items") or []):
                sku_id = int(wanted.get("id") or 0)
                offer = state().offer(sku_id)
                context = state().context(sku_id)
                if offer is None or int(channel) not in (context.get("SalesChannels") or []):
                    continue  # VTEX_API.md 2.5: an unknown SKU gives no item
                answered.append({"id": str(sku_id), "requestIndex": index, "quantity": 1, "seller": "1",
                                 "price": offer["listPrice"], "listPrice": offer["listPrice"],
                                 "sellingPrice": offer["sellingPrice"], "availability": offer["availability"]})
        return jsonify({"items": answered, "country": state().country})

    @app.route("/api/fulfillment/pvt/affiliates/<affiliate_id>", methods=["GET", "PUT", "DELETE"])
    def affiliate(affiliate_id):
        refused = guard("affiliates")
        if refused:
            return refused
        with state().lock:
            if request.method == "PUT":
                state().affiliates[affiliate_id] = request.get_json(silent=True) or {}
                return "", 204
            if request.method == "DELETE":
                state().affiliates.pop(affiliate_id, None)
                return "", 204
            found = state().affiliates.get(affiliate_id)
        return jsonify({"id": affiliate_id, **found}) if found else error(404, "Affiliate not found")

    register_control(app, state)
    register_images(app, state)
    return app


def register_control(app, state):
    """The test-side API: change the catalog, switch faults, send notifications, read counts."""

    @app.post("/_emulator/reset")
    def reset():
        app.config["STATE"] = VtexState(**(request.get_json(silent=True) or {}))
        return {"ok": True}

    @app.post("/_emulator/faults")
    def faults():
        with state().lock:
            state().faults = dict(request.get_json(silent=True) or {})
        return {"ok": True}

    @app.post("/_emulator/skus/<int:sku_id>")
    def change_sku(sku_id):
        body = request.get_json(silent=True) or {}
        with state().lock:
            if body.get("delete"):
                state().deleted.add(sku_id)
            state().overrides.setdefault(sku_id, {}).update(body.get("context") or {})
            state().offers.setdefault(sku_id, {}).update(body.get("offer") or {})
        return {"ok": True}

    @app.post("/_emulator/categories/<int:category_id>")
    def change_category(category_id):
        with state().lock:
            state().category_overrides.setdefault(category_id, {}).update(request.get_json(silent=True) or {})
        return {"ok": True}

    @app.get("/_emulator/stats")
    def stats():
        with state().lock:
            return {"requests": dict(state().requests), "throttled": state().throttled,
                    "limits": list(state().limits), "affiliates": state().affiliates}

    @app.post("/_emulator/notify")
    def notify():
        """Send the affiliate notification (VTEX_API.md 3.1) for a SKU to a URL, as VTEX's broadcaster."""
        body = request.get_json(silent=True) or {}
        sku_id = int(body["sku"])
        with state().lock:
            context = state().context(sku_id)
        payload = {"IdSku": str(sku_id), "An": body.get("an", f"{state().account}.myvtex"),
                   "IdAffiliate": body.get("affiliate", "TKT"), "DateModified": "2026-12-06T03:11:28.1978783Z",
                   "IsActive": context is not None and context.get("IsActive", True),
                   "StockModified": bool(body.get("stock")), "PriceModified": bool(body.get("price")),
                   "HasStockKeepingUnitModified": bool(body.get("modified", True)),
                   "HasStockKeepingUnitRemovedFromAffiliate": context is None}
        if context is not None:
            payload["ProductId"] = context["ProductId"]
        payload.update(body.get("extra") or {})
        answer = requests.post(body["url"], json=payload, timeout=10)
        return {"status": answer.status_code, "body": answer.text[:2000], "sent": payload}
