"""Reading a VTEX account's catalog (VTEX_API.md): SKU ids 1,000 a page, each SKU's context, then
price and availability for the trade policy from the checkout simulation, 50 SKUs a call.

Never the search API: it stops at 2,500 items (VTEX_API.md 1.4). Every choice the reference marks
UNCONFIRMED is in the block of constants below.
"""
import re
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from server.catalog.sources import http
from server.catalog.sources.errors import SourceError

# --- choices the reference leaves open (VTEX_API.md) ----------------------------------------------
PAGE_SIZE = 1000  # 1.4: stockkeepingunitids pagesize, documented maximum
TREE_LEVELS = 10  # 2.6: deep enough for any store's tree; categories missing from it are read as SKUs name them
SIMULATION_BATCH = 50  # 2.5: several items per simulation call, as weni does (batch size UNCONFIRMED)
DEFAULT_ENVIRONMENT = "vtexcommercestable"  # 1.1: the only value in the spec's enum
ENVIRONMENT = re.compile(r"^vtexcommerce[a-z0-9]{1,40}$")  # others (e.g. ...beta) tolerated, nothing else in a host
# 2.6: which flags hide a product is UNCONFIRMED; an inactive SKU or product, an invisible product,
# or a SKU outside the trade policy keeps it off TikTok (hidden: it comes back when that changes).
HIDING_FLAGS = ("IsActive", "IsProductActive", "ProductIsVisible")
# 2.6: a category that is inactive, or not shown in the store front, hides its products ("hidden").
CATEGORY_HIDING_FLAGS = ("IsActive", "ShowInStoreFront")
# 3.1: the notification's An is the account, sometimes with a suffix ("prezunic.myvtex").
# 6: the store's currency and country from the orderForm's storePreferencesData (UNCONFIRMED as a
# profile endpoint: VTEX has none; GET /api/checkout/pub/orderForm answers a new cart's data).
ORDER_FORM = "/api/checkout/pub/orderForm"
# The orderForm's countryCode is ISO 3166 alpha-3 ("BRA"); TikTok's markets are alpha-2.
ALPHA3 = {"AUS": "AU", "CAN": "CA", "EGY": "EG", "FRA": "FR", "DEU": "DE", "IDN": "ID", "ISR": "IL", "ITA": "IT",
          "JPN": "JP", "KOR": "KR", "MYS": "MY", "RUS": "RU", "SAU": "SA", "SGP": "SG", "ESP": "ES", "TWN": "TW",
          "THA": "TH", "TUR": "TR", "ARE": "AE", "GBR": "GB", "USA": "US", "VNM": "VN", "BRA": "BR", "MEX": "MX",
          "ARG": "AR", "CHL": "CL", "COL": "CO", "PER": "PE", "PRT": "PT", "URY": "UY", "PRY": "PY"}
# 3.1: the affiliate API (2025-05); whether PUT creates a missing affiliate is UNCONFIRMED, so a
# refusal is answered with the manual steps. The id is three consonants.
AFFILIATE_ID = "TKT"
MANUAL_STEPS = ("In the VTEX admin: Order management > Settings > Affiliates > New affiliate.",
                f"Name: TikTok; ID: {AFFILIATE_ID}; Trade Policy: the sales channel above.",
                "Search Endpoint: the notification URL above; then save.")
# 2.8: /arquivos/ids/{id}-{w}-{h}/{file} is file {id} at w x h ({file} and a ?v= cache buster kept).
# The SKU context gives no image size, so an image whose URL states none, or states one under
# TikTok's 500x500, is sent in its RESIZED x RESIZED form rather than as the original (measured
# only to learn it may be too small). Whether VTEX enlarges a smaller original to fill the box
# (rather than only shrinking, or padding), and whether IO hosts (vtexassets.com) take the same
# path (rather than width/height query parameters), is UNCONFIRMED: the 500x500 check measures
# the resized URL like any other, so a resize that stays small keeps the product off TikTok.
RESIZED = 1000
SMALLEST = 500  # TikTok's minimum side (server/catalog/images.py MIN_SIDE)
IMAGE_PATH = re.compile(r"^(https://[^/?#]+/arquivos/ids/)(\d+)(?:-(\d+)-(\d+))?(?=[/?#]|$)(.*)$")
PLATFORM = "VTEX"


def account_matches(an, account):
    """Whether a notification's ``An`` names ``account`` (case and ``.myvtex``-style suffix ignored)."""
    return isinstance(an, str) and an.strip().lower().split(".", 1)[0] == account.lower()


class Vtex:
    """One VTEX account read with one app key; ``counter`` counts the requests made."""

    def __init__(self, settings, credentials, *, domain=None, currency=None, threads=8, timeout=30.0, per_minute=0,
                 retry_base=0.5):
        self.account = settings["account"]
        environment = settings.get("environment") or DEFAULT_ENVIRONMENT
        self.base = (settings.get("base_url") or f"https://{self.account}.{environment}.com.br").rstrip("/")
        self.sales_channel = str(settings.get("sales_channel") or "1")
        self.domain = domain or f"{self.account}.{environment}.com.br"
        self.currency = currency
        self.threads = max(1, int(threads))
        self.timeout = timeout
        self.headers = {"X-VTEX-API-AppKey": credentials["app_key"], "X-VTEX-API-AppToken": credentials["app_token"],
                        "Accept": "application/json", "Content-Type": "application/json"}
        self.session = http.platform_session(self.threads)
        self.counter = http.Counter()
        self.pacers = {}  # VTEX limits each endpoint apart (VTEX_API.md 1.3): one pacer per endpoint
        self.per_minute = per_minute
        self.retry_base = retry_base
        self.categories = {}  # id -> the category's record (fetched once per pull)

    def close(self):
        """Close the connections."""
        self.session.close()

    def _pacer(self, path):
        endpoint = path.rstrip("/").rsplit("/", 1)[0] if path.rstrip("/").rsplit("/", 1)[-1].isdigit() else path
        pacer = self.pacers.get(endpoint)
        if pacer is None:
            pacer = self.pacers.setdefault(endpoint, http.Pacer(self.per_minute))
        return pacer

    def _get(self, path, **params):
        response = http.call(self.session, "GET", self.base + path, platform=PLATFORM, headers=self.headers,
                             params=params or None, timeout=self.timeout, counter=self.counter, pacer=self._pacer(path),
                             retry_base=self.retry_base)
        return response

    def _json(self, response, what):
        try:
            return response.json()
        except ValueError:
            raise SourceError(f"{PLATFORM} answered {what} with something that is not JSON") from None

    def probe(self):
        """The account as the merchant should recognise it: name, country, currency, product count."""
        ids = self._get("/api/catalog_system/pvt/products/GetProductAndSkuIds", _from=1, _to=1)
        if ids.status_code == 404:
            raise SourceError(f"{PLATFORM}: no account {self.account!r} at {self.base}")
        total = (self._json(ids, "the product probe").get("range") or {}).get("total")
        form = self._json(self._get(ORDER_FORM, sc=self.sales_channel), "the orderForm")
        prefs = form.get("storePreferencesData") or {}
        country = prefs.get("countryCode")
        return {"name": self.account, "country": ALPHA3.get(country, country), "currency": prefs.get("currencyCode"),
                "product_count": total, "closed": False}

    def set_affiliate(self, url, email):
        """Point the account's affiliate at our notification URL; True when VTEX took it."""
        body = {"followUpEmail": email, "name": "TikTok", "salesChannel": self.sales_channel,
                "searchURIEndpoint": url, "searchURIEndpointVersion": "1.x.x", "useSellerPaymentMethod": False}
        try:
            response = http.call(self.session, "PUT", f"{self.base}/api/fulfillment/pvt/affiliates/{AFFILIATE_ID}",
                                 platform=PLATFORM, headers=self.headers, json=body, timeout=self.timeout,
                                 counter=self.counter, retry_base=self.retry_base)
        except SourceError:
            return False  # no permission for it, or not offered: the merchant does it by hand
        return response.status_code < 300

    def sku_ids(self):
        """Every SKU id of the account, a page (list) at a time."""
        page = 1
        while True:
            ids = self._json(self._get("/api/catalog_system/pvt/sku/stockkeepingunitids", page=page,
                                       pagesize=PAGE_SIZE), "the SKU id listing")
            if not ids:
                return
            yield [str(i) for i in ids]
            if len(ids) < PAGE_SIZE:
                return
            page += 1

    def items(self):
        """Every SKU as a Merchant item, a page at a time: the next page's contexts are read (in
        parallel) while this page's are priced and handed over, so the rate limit is the only wait."""
        with ThreadPoolExecutor(max_workers=self.threads) as pool, ThreadPoolExecutor(max_workers=2) as pricing:
            waiting = None
            for ids in self.sku_ids():
                reading = [pool.submit(self.context, sku) for sku in ids]
                if waiting is not None:
                    yield from self._page(pricing, None, contexts=[f.result() for f in waiting])
                waiting = reading
            if waiting is not None:
                yield from self._page(pricing, None, contexts=[f.result() for f in waiting])

    def fetch(self, sku_ids):
        """``(items, gone)`` for these SKUs, read again from VTEX (gone: the SKUs VTEX no longer has)."""
        with ThreadPoolExecutor(max_workers=self.threads) as pool:
            contexts = list(pool.map(self.context, sku_ids))
        gone = [sku for sku, context in zip(sku_ids, contexts, strict=True) if context is None]
        with ThreadPoolExecutor(max_workers=self.threads) as pool:
            return list(self._page(pool, [s for s in sku_ids if s not in gone], contexts=contexts)), gone

    def _page(self, pool, ids, contexts=None):
        if contexts is None:
            contexts = list(pool.map(self.context, ids))
        contexts = [c for c in contexts if c is not None]
        batches = [contexts[i:i + SIMULATION_BATCH] for i in range(0, len(contexts), SIMULATION_BATCH)]
        offers = {}
        for found in pool.map(self.simulate, batches):
            offers.update(found)
        for context in contexts:
            for category_id in _path(context.get("ProductCategoryIds")):
                if category_id not in self.categories:
                    self.categories[category_id] = self.category(category_id)
            yield self.item(context, offers.get(str(context.get("Id"))))

    def context(self, sku_id):
        """The SKU and its context, or None when VTEX no longer has it."""
        response = self._get(f"/api/catalog_system/pvt/sku/stockkeepingunitbyid/{int(sku_id)}")
        return None if response.status_code == 404 else self._json(response, f"SKU {sku_id}")

    def simulate(self, contexts):
        """{sku id: simulation item} for these SKUs in the trade policy (prices in cents)."""
        if not contexts:
            return {}
        items = [{"id": str(c["Id"]), "quantity": 1, "seller": _seller(c)} for c in contexts]
        response = http.call(self.session, "POST", self.base + "/api/checkout/pub/orderForms/simulation",
                             platform=PLATFORM, headers=self.headers, params={"sc": self.sales_channel},
                             json={"items": items}, timeout=self.timeout, counter=self.counter,
                             pacer=self._pacer("/api/checkout/pub/orderForms/simulation"),
                             retry_base=self.retry_base)
        body = self._json(response, "the checkout simulation")
        return {str(i.get("id")): i for i in body.get("items") or [] if isinstance(i, dict)}

    def load_categories(self):
        """Read the category tree and each category's record, before the SKUs (2.6)."""
        response = self._get(f"/api/catalog_system/pub/category/tree/{TREE_LEVELS}")
        tree = [] if response.status_code == 404 else self._json(response, "the category tree")
        ids, stack = [], list(tree if isinstance(tree, list) else [])
        while stack:
            node = stack.pop()
            if isinstance(node, dict) and str(node.get("id", "")).isdigit() and str(node["id"]) not in ids:
                ids.append(str(node["id"]))  # 2.6: a root can come twice; once is enough
                stack.extend(node.get("children") or [])
        with ThreadPoolExecutor(max_workers=self.threads) as pool:
            self.categories.update(zip(ids, pool.map(self.category, ids), strict=True))

    def category(self, category_id):
        """One category's record (Name, FatherCategoryId, IsActive, ...); {} when VTEX has none."""
        response = self._get(f"/api/catalog/pvt/category/{int(category_id)}")
        return {} if response.status_code == 404 else self._json(response, f"category {category_id}")

    def category_rows(self):
        """The categories seen in this pull, as the catalog stores them (hidden ones marked)."""
        rows = []
        for category_id, record in self.categories.items():
            if not record:
                continue
            father = record.get("FatherCategoryId")
            hidden = any(record.get(flag) is False for flag in CATEGORY_HIDING_FLAGS)
            rows.append({"id": category_id, "name": str(record.get("Name") or category_id)[:500],
                         "parent_id": str(father) if father else None, "hidden": hidden})
        return rows

    def item(self, context, offer):
        """One SKU (its context and simulation item) as a Merchant item."""
        sku = str(context["Id"])
        path = _path(context.get("ProductCategoryIds"))
        names = context.get("ProductCategories") or {}
        alternate = context.get("AlternateIds") or {}
        images = [sized_image(_https(i.get("ImageUrl"))) for i in context.get("Images") or [] if i.get("ImageUrl")]
        note = images[0][1] if images else None
        images = [url for url, _ in images]
        item = {"id": sku, "item_group_id": str(context.get("ProductId") or sku),
                "title": context.get("NameComplete") or " ".join(
                    filter(None, (context.get("ProductName"), context.get("SkuName")))),
                "description": context.get("ProductDescription") or "",
                "link": f"https://{self.domain}{context.get('DetailUrl') or ''}",
                "image_link": images[0] if images else None, "additional_image_link": images[1:11],
                "brand": context.get("BrandName"), "gtin": alternate.get("Ean"), "mpn": alternate.get("RefId"),
                "condition": "new", "category_ids": ",".join(path),
                "product_type": " > ".join(str(names.get(c, c)) for c in path)}
        item.update(self._offer(offer))
        item["status"] = "active" if self._shown(context) else "hidden"
        if note:
            item["source_note"] = note
        return item

    def _shown(self, context):
        if any(context.get(flag) is False for flag in HIDING_FLAGS):
            return False
        channels = context.get("SalesChannels")
        return not isinstance(channels, list) or not channels or int(self.sales_channel) in channels

    def _offer(self, offer):
        if not offer:
            return {"availability": "out of stock"}
        selling, listed = offer.get("sellingPrice") or offer.get("price"), offer.get("listPrice")
        fields = {"availability": "in stock" if offer.get("availability") == "available" else "out of stock"}
        suffix = f" {self.currency}" if self.currency else ""
        if isinstance(listed, int) and isinstance(selling, int) and listed > selling:
            fields.update(price=f"{_cents(listed)}{suffix}", sale_price=f"{_cents(selling)}{suffix}")
        elif isinstance(selling, int) and selling > 0:
            fields["price"] = f"{_cents(selling)}{suffix}"
        return fields


def _seller(context):
    sellers = [s for s in context.get("SkuSellers") or [] if s.get("IsActive", True)]
    return str(sellers[0].get("SellerId") or "1") if sellers else "1"


def _path(text):
    return [part for part in str(text or "").split("/") if part.strip().isdigit()]


def _cents(value):
    return str((Decimal(value) / 100).quantize(Decimal("0.01")))


def sized_image(url):
    """``(url, note)``: a VTEX image URL of unknown or small size as its RESIZED x RESIZED form, and
    the sentence saying so (None when the URL is kept as it is)."""
    match = IMAGE_PATH.match(url or "")
    if match is None:
        return url, None
    prefix, file_id, width, height, rest = match.groups()
    if width and int(width) >= SMALLEST and int(height) >= SMALLEST:
        return url, None
    said = (f"VTEX's URL asks for {width}x{height} px, under TikTok's {SMALLEST}x{SMALLEST}" if width
            else "VTEX does not say its size")
    return (f"{prefix}{file_id}-{RESIZED}-{RESIZED}{rest}",
            f"image: {said}, so its {RESIZED}x{RESIZED} resize (/arquivos/ids/{file_id}-{RESIZED}-{RESIZED}/) "
            f"is sent rather than the original")


def _https(url):
    return "https://" + url[len("http://"):] if url and url.startswith("http://") else url
