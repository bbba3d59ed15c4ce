"""Reading an Ecwid store's catalog (ECWID_API.md): the profile first, categories, then products
100 a page; each combination is a SKU of the product's item group.

Every choice the reference marks UNCONFIRMED is in the block of constants below.
"""
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from server.catalog.sources import http
from server.catalog.sources.errors import SourceError, SourceSuspended

# --- choices the reference leaves open (ECWID_API.md) ---------------------------------------------
DEFAULT_BASE = "https://app.ecwid.com"  # 1.1
PAGE = 100  # 1.4: the maximum limit
DELTA_OVERLAP = 120  # 3.2: seconds re-read before the cursor (updatedFrom inclusive is UNCONFIRMED)
IMAGE_SIDE = 1500  # 3.3: image1500pxUrl / imageUrl fit the original into 1500 px, never enlarged (UNCONFIRMED)
UNLIMITED_STOCK = "in stock"  # 8: unlimited = always in stock
PLATFORM = "Ecwid"


def sku_of(product_id, combination_id=None):
    """Our SKU for a product (or one of its combinations): ``"{product}-{combination}"`` (3.4)."""
    return str(product_id) if combination_id is None else f"{product_id}-{combination_id}"


class Ecwid:
    """One Ecwid store read with one token; ``counter`` counts the requests made."""

    def __init__(self, settings, credentials, *, currency=None, threads=1, timeout=30.0, per_minute=0, retry_base=0.5):
        self.store_id = str(settings["store_id"])
        self.base = (settings.get("base_url") or DEFAULT_BASE).rstrip("/") + f"/api/v3/{self.store_id}"
        self.currency = currency
        self.timeout = timeout
        self.headers = {"Authorization": f"Bearer {credentials['token']}", "Accept": "application/json",
                        "Accept-Encoding": "gzip"}
        self.session = http.platform_session(threads)
        self.counter = http.Counter()
        self.pacer = http.Pacer(per_minute)
        self.retry_base = retry_base
        self.enabled = None  # {category id: enabled}, read once per pull
        self.image_sizes = {}  # image URL -> (width, height) known from the product, no download needed
        self._sizes_lock = threading.Lock()  # products may be read in another thread than the import's
        self.newest = 0  # the largest updateTimestamp seen

    def close(self):
        """Close the connections."""
        self.session.close()

    def _get(self, path, **params):
        response = http.call(self.session, "GET", self.base + path, platform=PLATFORM, headers=self.headers,
                             params=params or None, timeout=self.timeout, counter=self.counter, pacer=self.pacer,
                             retry_base=self.retry_base)
        try:
            return response.status_code, response.json()
        except ValueError:
            raise SourceError(f"{PLATFORM} answered {path} with something that is not JSON") from None

    def order(self, order_id):
        """One order (``GET /orders/{orderId}``, scope read_orders), or None when Ecwid has none."""
        status, order = self._get(f"/orders/{order_id}")
        if status == 404:
            return None
        return order

    def probe(self):
        """The store as the merchant should recognise it; raises when it is closed or suspended."""
        status, profile = self._get("/profile")
        if status == 404:
            raise SourceError(f"{PLATFORM}: no store {self.store_id} ({profile.get('errorMessage') or 'not found'})")
        settings, account = profile.get("settings") or {}, profile.get("account") or {}
        if account.get("suspended"):
            raise SourceSuspended(f"{PLATFORM}: store {self.store_id} is suspended")
        _, page = self._get("/products", limit=1, responseFields="total")
        return {"name": settings.get("storeName"), "country": (profile.get("company") or {}).get("countryCode"),
                "currency": (profile.get("formatsAndUnits") or {}).get("currency"),
                "product_count": page.get("total"), "closed": bool(settings.get("closed"))}

    def _pages(self, path, **params):
        """Every item of a list endpoint; the next page is requested while this one is handed over."""
        with ThreadPoolExecutor(max_workers=1) as ahead:
            offset = 0
            status, page = self._get(path, offset=offset, limit=PAGE, **params)
            while True:
                items = page.get("items") or [] if status != 404 else []
                offset += len(items)
                more = bool(items) and offset < int(page.get("total") or 0)
                following = ahead.submit(self._get, path, offset=offset, limit=PAGE, **params) if more else None
                yield from items
                if following is None:
                    return
                status, page = following.result()

    def load_categories(self):
        """Read every category (hidden ones too) once: which are enabled."""
        self.enabled = {int(c["id"]): c.get("enabled", True) is not False
                        for c in self._pages("/categories", hidden_categories="true")}

    def items(self):
        """Every product's SKUs as Merchant items (oldest first: stable paging, 1.4)."""
        if self.enabled is None:
            self.load_categories()
        for product in self._pages("/products", sortBy="ADDED_TIME_ASC"):
            yield from self.product_items(product)

    def fetch(self, product_ids):
        """``(items, found ids)`` for these products, read again (ids missing from the answer are gone)."""
        if self.enabled is None:
            self.load_categories()
        items, found = [], set()
        for start in range(0, len(product_ids), PAGE):
            chunk = ",".join(str(int(p)) for p in product_ids[start:start + PAGE])
            for product in self._pages("/products", productId=chunk):
                found.add(int(product["id"]))
                items.extend(self.product_items(product))
        return items, found

    def changed_since(self, cursor):
        """``(items, deleted product ids)`` since the ``cursor`` (UNIX seconds), overlap included."""
        since = max(0, int(cursor) - DELTA_OVERLAP)
        if self.enabled is None:
            self.load_categories()
        items = [i for p in self._pages("/products", updatedFrom=since, sortBy="UPDATED_TIME_ASC")
                 for i in self.product_items(p)]
        deleted = [int(d["id"]) for d in self._pages("/products/deleted", from_date=since) if "id" in d]
        return items, deleted

    def category_products(self, category_id):
        """The ids of the products in one category (for a category change)."""
        status, category = self._get(f"/categories/{int(category_id)}", productIds="true")
        return [] if status == 404 else [int(p) for p in category.get("productIds") or []]

    def product_items(self, product):
        """One product as Merchant items: one per combination, or one when it has none."""
        self.newest = max(self.newest, int(product.get("updateTimestamp") or 0))
        base = self._base(product)
        combinations = product.get("combinations") or []
        if not combinations:
            return [{"id": sku_of(product["id"]), **base, **self._offer(product, product)}]
        items = []
        for combination in combinations:
            options = " ".join(str(o.get("value")) for o in combination.get("options") or [] if o.get("value"))
            item = {"id": sku_of(product["id"], combination.get("id")), **base,
                    **self._offer(combination, product), "item_group_id": str(product["id"])}
            if options:
                item["title"] = f"{base['title']} ({options})"
            image = combination.get("imageUrl")
            if image:
                item["image_link"] = image
                self._size(image, combination.get("originalImage"))
            gtin = _attribute(combination.get("attributes"), "UPC")
            if gtin:
                item["gtin"] = gtin
            items.append(item)
        return items

    def _base(self, product):
        images = sorted((product.get("media") or {}).get("images") or [],
                        key=lambda i: (not i.get("isMain"), i.get("orderBy") or 0))
        urls = [i.get("image1500pxUrl") for i in images if i.get("image1500pxUrl")]
        if not urls and product.get("imageUrl"):
            urls = [product["imageUrl"]] + [g.get("imageUrl") for g in product.get("galleryImages") or []
                                            if g.get("imageUrl")]
        if urls:
            self._size(urls[0], product.get("originalImage"))
        return {"item_group_id": str(product["id"]), "title": product.get("name") or "",
                "description": product.get("description") or product.get("seoDescription") or "",
                "link": product.get("url"), "image_link": urls[0] if urls else None,
                "additional_image_link": urls[1:11], "brand": _attribute(product.get("attributes"), "BRAND"),
                "gtin": _attribute(product.get("attributes"), "UPC"),
                "condition": (product.get("productCondition") or "NEW").lower(),
                "mpn": product.get("sku") or None, "status": "active" if self._shown(product) else "hidden"}

    def _shown(self, product):
        """4.2: a disabled product, or one only in disabled categories, is hidden (reversibly)."""
        if product.get("enabled") is False:
            return False
        flags = [c.get("enabled", self.enabled.get(int(c["id"]), True)) is not False
                 for c in product.get("categories") or [] if "id" in c]
        if not flags:
            flags = [self.enabled.get(int(c), True) for c in product.get("categoryIds") or []]
        return not flags or any(flags)

    def _offer(self, entry, product):
        price = entry.get("defaultDisplayedPrice", product.get("defaultDisplayedPrice", entry.get("price")))
        compare = entry.get("defaultDisplayedCompareToPrice", product.get("defaultDisplayedCompareToPrice"))
        suffix = f" {self.currency}" if self.currency else ""
        fields = {}
        if isinstance(compare, (int, float)) and isinstance(price, (int, float)) and compare > price > 0:
            fields.update(price=f"{_money(compare)}{suffix}", sale_price=f"{_money(price)}{suffix}")
        elif isinstance(price, (int, float)) and price > 0:
            fields["price"] = f"{_money(price)}{suffix}"
        unlimited = entry.get("unlimited", product.get("unlimited"))
        quantity = entry.get("quantity")
        in_stock = entry.get("inStock", entry.get("instock"))  # 3.4: both spellings are seen
        available = unlimited or (quantity > 0 if isinstance(quantity, int) else bool(in_stock))
        fields["availability"] = UNLIMITED_STOCK if available else "out of stock"
        return fields

    def _size(self, url, original):
        if not isinstance(original, dict):
            return
        width, height = original.get("width"), original.get("height")
        if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
            scale = min(1.0, IMAGE_SIDE / max(width, height))
            with self._sizes_lock:
                self.image_sizes[url] = (int(width * scale), int(height * scale))

    def take_image_sizes(self):
        """The image sizes learnt since the last call ({url: (width, height)})."""
        with self._sizes_lock:
            sizes, self.image_sizes = self.image_sizes, {}
        return sizes


def _attribute(attributes, kind):
    for attribute in attributes or []:
        if attribute.get("type") == kind and attribute.get("value"):
            return str(attribute["value"])
    return None


def _money(value):
    return str(Decimal(str(value)).quantize(Decimal("0.01")))
