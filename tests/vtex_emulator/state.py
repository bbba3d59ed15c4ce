"""The emulated account: its SKUs, categories, prices, affiliates, limits and faults."""
from __future__ import annotations

import math
import threading
import time
from collections import Counter

ACCOUNT = "lojaemulada"
APP_KEY = "vtexappkey-lojaemulada-ABCDEF"
APP_TOKEN = "EMULATORTOKEN0123456789abcdefghijklmnopqrstuvwxyz"


class Bucket:
    """A token bucket: ``per_minute`` requests, at most one second's worth in a burst."""

    def __init__(self, per_minute):
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, self.rate)
        self.tokens = self.capacity
        self.at = time.monotonic()

    def take(self):
        """None when the request may go, else the seconds to wait."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        return (1 - self.tokens) / self.rate


class VtexState:
    """Everything the emulated account holds; every method is thread-safe."""

    def __init__(self, *, products=20, skus_per_product=2, categories=4, per_endpoint_per_minute=15_000,
                 per_account_per_minute=45_000, currency="BRL", country="BRA", image_base=None):
        self.lock = threading.Lock()
        self.account, self.app_key, self.app_token = ACCOUNT, APP_KEY, APP_TOKEN
        self.currency, self.country = currency, country
        self.image_base = image_base or f"http://{ACCOUNT}.vteximg.com.br"  # the image CDN's host
        self.image_sizes = {}  # file id -> its original (width, height)
        self.image_requests = []  # image paths asked for
        self.products, self.skus_per_product, self.category_count = products, skus_per_product, categories
        self.overrides = {}  # sku id -> context fields changed
        self.offers = {}  # sku id -> {listPrice, sellingPrice, availability}
        self.deleted = set()
        self.category_overrides = {}
        self.affiliates = {}
        self.faults = {}
        self.requests = Counter()  # endpoint name -> requests answered (429s included)
        self.throttled = 0
        self.limits = (per_endpoint_per_minute, per_account_per_minute)
        self.buckets = {}
        self.account_bucket = Bucket(per_account_per_minute)

    # --- the catalog ------------------------------------------------------------------------------
    def sku_ids(self):
        """Every live SKU id, ascending."""
        last = self.products * self.skus_per_product
        return [i for i in range(1, last + 1) if i not in self.deleted]

    def context(self, sku_id):
        """The SKU and its context (VTEX_API.md 2.2), or None."""
        if sku_id in self.deleted or not 1 <= sku_id <= self.products * self.skus_per_product:
            return None
        product_id = 1000 + (sku_id - 1) // self.skus_per_product
        category = 10 + (product_id % self.category_count)
        size = "PMG"[(sku_id - 1) % 3]
        context = {
            "Id": sku_id, "ProductId": product_id, "NameComplete": f"Camiseta {product_id} {size}",
            "ProductName": f"Camiseta {product_id}", "SkuName": size,
            "ProductDescription": f"<p>Camiseta de algodão <b>{product_id}</b>.</p>",
            "IsActive": True, "IsProductActive": True, "ProductIsVisible": True,
            "ImageUrl": f"{self.image_base}/arquivos/ids/{sku_id}-55-55/c.jpg",
            "Images": [{"ImageUrl": f"{self.image_base}/arquivos/ids/{sku_id}/c.jpg",
                        "ImageName": None, "FileId": sku_id},
                       {"ImageUrl": f"{self.image_base}/arquivos/ids/{sku_id + 500000}/v.jpg",
                        "ImageName": "verso", "FileId": sku_id + 500000}],
            "DetailUrl": f"/camiseta-{product_id}/p", "BrandId": "2000001", "BrandName": "Marca Emulada",
            "AlternateIds": {"Ean": ean13(f"789{sku_id:09d}"), "RefId": f"REF-{sku_id}"},
            "ProductCategoryIds": f"/1/{category}/",
            "ProductCategories": {"1": "Roupas", str(category): f"Linha {category}"},
            "SkuSellers": [{"SellerId": "1", "StockKeepingUnitId": sku_id, "IsActive": True}],
            "SalesChannels": [1, 2],
        }
        context.update(self.overrides.get(sku_id, {}))
        return context

    def offer(self, sku_id):
        """Price (cents) and availability of a SKU in the trade policy, or None."""
        if self.context(sku_id) is None:
            return None
        offer = {"listPrice": 7990, "sellingPrice": 5990 + (sku_id % 7) * 100, "availability": "available"}
        offer.update(self.offers.get(sku_id, {}))
        return offer

    def category(self, category_id):
        """A category record (VTEX_API.md 2.6), or None."""
        if category_id == 1:
            record = {"Id": 1, "Name": "Roupas", "FatherCategoryId": None}
        elif 10 <= category_id < 10 + self.category_count:
            record = {"Id": category_id, "Name": f"Linha {category_id}", "FatherCategoryId": 1}
        else:
            return None
        record.update({"IsActive": True, "ShowInStoreFront": True, "ActiveStoreFrontLink": True})
        record.update(self.category_overrides.get(category_id, {}))
        return record

    # --- limits and faults ------------------------------------------------------------------------
    def gate(self, endpoint):
        """Count a request; ``(status, seconds to wait)`` when it is refused, else None."""
        with self.lock:
            self.requests[endpoint] += 1
            faults = self.faults
            if faults.get("storm_429", 0) > 0:
                faults["storm_429"] -= 1
                self.throttled += 1
                return 429, faults.get("retry_after", 1)
            if faults.get("fail_5xx", 0) > 0:
                faults["fail_5xx"] -= 1
                return 503, None
            bucket = self.buckets.setdefault(endpoint, Bucket(self.limits[0]))
            wait = bucket.take() or self.account_bucket.take()
            if wait:
                self.throttled += 1
                return 429, max(1, math.ceil(wait))
        return None


def ean13(first12):
    """An EAN-13 (a Brazilian 789 prefix) with its check digit, as real products carry."""
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)
