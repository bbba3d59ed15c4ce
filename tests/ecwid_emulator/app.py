"""The emulator's HTTP routes: Ecwid's REST API v3 (ECWID_API.md) and a control API under /_emulator/."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

import requests
from flask import Flask, jsonify, request

from .oauth import register_oauth
from .state import BASE_TIME, FIRST_PRODUCT, EcwidState

MAX_LIMIT = 100


def signature(client_secret, event_created, event_id):
    """ECWID_API.md 5.3: base64(HMAC-SHA256(client_secret, "{eventCreated}.{eventId}"))."""
    digest = hmac.new(client_secret.encode(), f"{event_created}.{event_id}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def create_app(settings: dict | None = None) -> Flask:
    """A fresh emulator app holding one Ecwid store."""
    app = Flask(__name__)
    app.config["STATE"] = EcwidState(**(settings or {}))

    def state() -> EcwidState:
        return app.config["STATE"]

    def error(status, code, message, retry_after=None):
        response = jsonify({"errorMessage": message, "errorCode": code})
        response.status_code = status
        if retry_after:
            response.headers["Retry-After"] = str(retry_after)
        return response

    def guard(store_id, endpoint):
        if store_id != state().store_id:
            return error(404, "STORE_NOT_FOUND", "Store not found")
        auth = request.headers.get("Authorization", "")
        refused = state().gate(endpoint, auth[len("Bearer "):] if auth.startswith("Bearer ") else None)
        if refused:
            return error(*refused)
        slow = state().faults.get("slow")
        if slow:
            time.sleep(slow)
        return None

    def paged(items, expand=list):
        offset, limit = request.args.get("offset", 0, type=int), request.args.get("limit", 10, type=int)
        if limit > MAX_LIMIT or limit < 0 or offset < 0:
            return error(400, "WRONG_PARAMETER", f"limit must be between 0 and {MAX_LIMIT}")
        page = expand(items[offset: offset + limit])
        return jsonify({"total": len(items), "count": len(page), "offset": offset, "limit": limit, "items": page})

    @app.get("/api/v3/<int:store_id>/profile")
    def profile(store_id):
        refused = guard(store_id, "profile")
        if refused:
            return refused
        return jsonify({"generalInfo": {"storeId": store_id, "storeUrl": "https://loja.example.com"},
                        "settings": {"storeName": "Loja Emulada", "closed": state().closed},
                        "account": {"suspended": False}, "company": {"countryCode": state().country},
                        "formatsAndUnits": {"currency": state().currency}})

    @app.get("/api/v3/<int:store_id>/products")
    def products(store_id):
        refused = guard(store_id, "products")
        if refused:
            return refused
        args = request.args
        with state().lock:
            if args.get("productId"):  # ECWID_API.md 3.1: overrides all other filters
                wanted = [int(p) for p in args["productId"].split(",") if p.strip().isdigit()]
                found = [state().product(p) for p in wanted]
                items = [p for p in found if p]
            elif args.get("updatedFrom") is not None:
                since = args.get("updatedFrom", type=int)
                # Unchanged products keep their creation time; only those and the changed ones can match.
                first = max(0, since - BASE_TIME)
                ids = [p for p in state().ids() if p - FIRST_PRODUCT >= first or p in state().overrides]
                items = [p for p in map(state().product, ids) if p["updateTimestamp"] >= since]
                items.sort(key=lambda p: p["updateTimestamp"])
            else:  # computed for the page only: a 100,000-product store answers every page quickly
                ids = state().ids()
                return paged(ids, lambda page: [state().product(p) for p in page])
        return paged(items)

    @app.get("/api/v3/<int:store_id>/products/<int:product_id>")
    def product(store_id, product_id):
        refused = guard(store_id, "product")
        if refused:
            return refused
        with state().lock:
            found = state().product(product_id)
        return jsonify(found) if found else error(404, "PRODUCT_NOT_FOUND", "Product not found")

    @app.get("/api/v3/<int:store_id>/orders/<int:order_id>")
    def order(store_id, order_id):
        refused = guard(store_id, "order")
        if refused:
            return refused
        with state().lock:
            found = state().orders.get(order_id)
        return jsonify(found) if found else error(404, "ORDER_NOT_FOUND", "Order not found")

    @app.get("/api/v3/<int:store_id>/products/deleted")
    def deleted(store_id):
        refused = guard(store_id, "deleted")
        if refused:
            return refused
        since = request.args.get("from_date", 0, type=int)
        with state().lock:
            items = [{"id": p, "date": at} for p, at in sorted(state().deleted.items()) if at >= since]
        return paged(items)

    def category_record(category_id, with_products):
        record = {"id": category_id, "name": f"Coleção {category_id}", "enabled": state().enabled(category_id)}
        if with_products:
            record["productIds"] = [p for p in state().ids() if 100 + (p - 500_001) % state().category_count
                                    == category_id]
        return record

    @app.get("/api/v3/<int:store_id>/categories")
    def categories(store_id):
        refused = guard(store_id, "categories")
        if refused:
            return refused
        hidden = request.args.get("hidden_categories") == "true"
        with state().lock:
            items = [category_record(c, request.args.get("productIds") == "true") for c in state().category_ids()
                     if hidden or state().enabled(c)]
        return paged(items)

    @app.get("/api/v3/<int:store_id>/categories/<int:category_id>")
    def category(store_id, category_id):
        refused = guard(store_id, "category")
        if refused:
            return refused
        with state().lock:
            if category_id not in state().category_ids():
                return error(404, "CATEGORIES_NOT_FOUND", "Category not found")
            return jsonify(category_record(category_id, request.args.get("productIds") == "true"))

    register_control(app, state)
    register_oauth(app, state)
    return app


def register_control(app, state):
    """The test-side API: change the store, switch faults, send webhooks, read counts."""

    @app.post("/_emulator/reset")
    def reset():
        app.config["STATE"] = EcwidState(**(request.get_json(silent=True) or {}))
        return {"ok": True}

    @app.post("/_emulator/faults")
    def faults():
        with state().lock:
            state().faults = dict(request.get_json(silent=True) or {})
        return {"ok": True}

    @app.post("/_emulator/products/<int:product_id>")
    def change_product(product_id):
        body = request.get_json(silent=True) or {}
        with state().lock:
            if body.get("delete"):
                state().deleted[product_id] = int(time.time())
            else:
                state().change(product_id, body.get("fields") or {})
        return {"ok": True}

    @app.post("/_emulator/orders/<int:order_id>")
    def place_order(order_id):
        """An order as the REST API returns it (``id``, ``vendorOrderNumber``, ``total``, ``items``...)."""
        with state().lock:
            state().orders[order_id] = {"id": order_id, **(request.get_json(silent=True) or {})}
        return {"ok": True}

    @app.post("/_emulator/categories/<int:category_id>")
    def change_category(category_id):
        with state().lock:
            state().category_enabled[category_id] = bool((request.get_json(silent=True) or {}).get("enabled"))
        return {"ok": True}

    @app.get("/_emulator/stats")
    def stats():
        with state().lock:
            return {"requests": dict(state().requests), "throttled": state().throttled,
                    "per_minute": state().per_minute}

    @app.post("/_emulator/webhook")
    def webhook():
        """POST a signed webhook (ECWID_API.md 5.2-5.3) to a URL, as Ecwid does; or replay a sent one."""
        body = request.get_json(silent=True) or {}
        if body.get("raw"):
            event, sig = body["raw"]["event"], body["raw"]["signature"]
        else:
            event = {"eventId": body.get("eventId") or str(uuid.uuid4()),
                     "eventCreated": body.get("eventCreated") or int(time.time()),
                     "storeId": body.get("storeId", state().store_id), "entityId": body["entityId"],
                     "eventType": body["eventType"]}
            if body.get("data"):
                event["data"] = body["data"]
            sig = signature(body.get("client_secret", state().client_secret), event["eventCreated"], event["eventId"])
        answer = requests.post(f"{body['url']}?eventtype={event['eventType']}", data=json.dumps(event),
                               headers={"Content-Type": "application/json; charset=UTF-8",
                                        "X-Ecwid-Webhook-Signature": sig}, timeout=10)
        return {"status": answer.status_code, "body": answer.text[:2000], "event": event, "signature": sig}
