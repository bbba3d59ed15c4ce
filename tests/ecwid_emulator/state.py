"""The emulated store: products, categories, profile, token, limits and faults."""
from __future__ import annotations

import threading
import time
from collections import Counter

from tests.vtex_emulator.state import Bucket

STORE_ID = 1003
TOKEN = "secret_" + "e" * 32
CLIENT_SECRET = "emulated_client_secret"
CLIENT_ID = "emulated-client-id"
REDIRECT_URI = "https://connector.test/connect/ecwid/callback"  # the app's registered redirect URI
BASE_TIME = 1_760_000_000
FIRST_PRODUCT = 500_001


class EcwidState:
    """Everything the emulated store holds; every method is thread-safe under ``lock``."""

    def __init__(self, *, products=12, categories=3, per_minute=600, currency="BRL", country="BR", closed=False,
                 redirect_uri=REDIRECT_URI, auto_approve=False, code_seconds=600, token_type="bearer"):
        self.lock = threading.Lock()
        self.store_id, self.token, self.client_secret = STORE_ID, TOKEN, CLIENT_SECRET
        self.client_id, self.redirect_uri, self.auto_approve = CLIENT_ID, redirect_uri, auto_approve
        self.code_seconds, self.token_type = code_seconds, token_type
        self.codes = {}  # code -> {"redirect_uri", "scope", "expires", "used", "token"}
        self.oauth_tokens = set()  # tokens issued through OAuth (and not revoked)
        self.count, self.category_count = products, categories
        self.currency, self.country, self.closed = currency, country, closed
        self.overrides = {}  # product id -> fields changed (and its new updateTimestamp)
        self.deleted = {}  # product id -> deletion time
        self.category_enabled = {}
        self.orders = {}  # order id -> the order as GET /orders/{id} answers it
        self.faults = {}
        self.requests = Counter()
        self.throttled = 0
        self.per_minute = per_minute
        self.bucket = Bucket(per_minute)
        self.clock = BASE_TIME

    def ids(self):
        """Every live product id, in the order they were added."""
        return [i for i in range(FIRST_PRODUCT, FIRST_PRODUCT + self.count) if i not in self.deleted]

    def category_ids(self):
        """Every category id."""
        return [100 + n for n in range(self.category_count)]

    def enabled(self, category_id):
        """Whether a category is enabled (shown in the storefront)."""
        return self.category_enabled.get(category_id, True)

    def product(self, product_id):
        """The product as ``GET /products/{id}`` answers it (ECWID_API.md 3.3-3.4), or None."""
        if product_id in self.deleted or not FIRST_PRODUCT <= product_id < FIRST_PRODUCT + self.count:
            return None
        n = product_id - FIRST_PRODUCT
        category = 100 + n % self.category_count
        image = f"https://d2j6dbq0eux0bg.cloudfront.net/images/{STORE_ID}/{product_id}.jpg"
        product = {
            "id": product_id, "sku": f"SKU{n:06d}", "name": f"Caneca {n}", "enabled": True,
            "description": f"<p>Caneca de cerâmica <b>{n}</b>.</p>", "price": 39.9, "defaultDisplayedPrice": 39.9,
            "unlimited": False, "quantity": 5 + n % 4, "inStock": True,
            "url": f"https://loja.example.com/products/caneca-{n}-p{product_id}",
            "updateTimestamp": BASE_TIME + n, "createTimestamp": BASE_TIME + n,
            "categoryIds": [category], "defaultCategoryId": category,
            "categories": [{"id": category, "enabled": self.enabled(category)}],
            "attributes": [{"id": 1, "name": "Marca", "type": "BRAND", "value": "Cerâmica Emulada"}],
            "imageUrl": image, "originalImage": {"url": image, "width": 1200, "height": 1200},
            "media": {"images": [{"id": "1", "isMain": True, "orderBy": 0, "image1500pxUrl": image}]},
            "combinations": [],
        }
        if n % 3 == 0:  # every third product comes in sizes
            product["combinations"] = [
                {"id": product_id * 10 + k, "combinationNumber": k, "options": [{"name": "Tamanho", "value": size}],
                 "sku": f"SKU{n:06d}-{size}", "defaultDisplayedPrice": 39.9 + k, "quantity": k - 1,
                 "unlimited": False, "inStock": k > 1}
                for k, size in ((1, "P"), (2, "G"))]
        product.update(self.overrides.get(product_id, {}))
        return product

    def change(self, product_id, fields):
        """Change a product (its updateTimestamp moves on)."""
        self.clock = max(self.clock + 1, int(time.time()))
        self.overrides.setdefault(product_id, {}).update(fields, updateTimestamp=self.clock)

    def gate(self, endpoint, token):
        """Count a request; an error ``(status, code, message, retry_after)`` when refused, else None."""
        with self.lock:
            self.requests[endpoint] += 1
            faults = self.faults
            if faults.get("storm_429", 0) > 0:
                faults["storm_429"] -= 1
                self.throttled += 1
                return 429, "RATE_LIMITED", "Too many requests", faults.get("retry_after", 1)
            if faults.get("fail_5xx", 0) > 0:
                faults["fail_5xx"] -= 1
                return 500, "INTERNAL_ERROR", "Internal error", None
            if faults.get("revoked") or (token != self.token and token not in self.oauth_tokens):
                return 403, "INVALID_API_TOKEN", "Invalid API token", None
            if faults.get("suspended"):
                return 402, "STORE_IS_SUSPENDED", "The store is suspended", None
            wait = self.bucket.take()
            if wait:
                self.throttled += 1
                return 429, "RATE_LIMITED", "Too many requests", max(1, -int(-wait // 1))
        return None
