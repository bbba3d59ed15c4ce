"""The emulator's whole world, in memory, behind one lock: apps, tokens, business centres,
advertisers, pixels, catalogs, products, upload logs, campaigns, events, faults and counters."""
from __future__ import annotations

import copy
import random
import re
import secrets
import threading
import time
from collections import defaultdict, deque

DEFAULT_APP_ID = "7000000000000000001"
DEFAULT_APP_SECRET = "emulator-app-secret-0001"
BC_ID = "7100000000000000001"
ADVERTISERS = {"7012345678901234567": "Emulator Store Ads", "7012345678901234568": "Emulator Second Account"}
SCOPES = {"bc": 1, "measurement": 2, "catalog": 3, "ads": 4, "reporting": 5}

DEFAULT_SETTINGS = {
    "apps": {DEFAULT_APP_ID: DEFAULT_APP_SECRET},
    "rate_limits_enabled": True,
    "app_per_second": 10,
    "endpoint_per_second": {"catalog/product/upload/": 5, "catalog/product/file/": 5,
                            "catalog/product/update/": 2, "catalog/product/delete/": 2,
                            "event/track/": 1000, "pixel/track/": 1000, "pixel/batch/": 1000},
    "outside_app_limit": ["event/track/", "pixel/track/", "pixel/batch/"],
    "catalog_per_hour": 1000,
    "rate_window_seconds": 1.0,
    # How long a catalog write is "being processed", so a concurrent one is detectable.
    "write_window_ms": 20,
    # TikTok documents that the second concurrent write "will fail" but not with which code.
    "write_conflict_code": 40202,
    # Which code a revoked token returns is unconfirmed (TIKTOK_API.md section 8).
    "revoked_token_code": 40105,
    "auth_code_ttl_seconds": 3600,
    "callback_sends_code_too": False,
    # Upload logs go WAITING -> PROCESSING -> SUCCESS/FAILED, one step per poll and per
    # log_step_seconds of time (0 turns the clock off).
    "log_steps_per_poll": 1,
    "log_step_seconds": 1.0,
    "review_delay_seconds": 0.0,
    "min_image_px": 500,
    "default_image_px": [1000, 1000],
    # TikTok leaves an undersized image "processing" forever; "rejected" is kinder for demos.
    "small_image_outcome": "processing",
    "prohibited_words": ["cigarette", "vape", "firearm", "pistol", "ammunition", "casino"],
    "min_campaign_budget": 50.0,
    # Whether operation_status DISABLE on campaign/ad group create is honoured: TikTok's SDK docs say only
    # for allowlisted accounts, silently ignored for the others.
    "create_disabled_honoured": False,
    "smart_plus_allowed": True,
    "seed": 1234,
    "max_request_log": 5000,
}


class EmulatorState:
    """Everything the emulator knows; every access holds ``self.lock``."""

    def __init__(self, settings: dict | None = None):
        self.lock = threading.RLock()
        self.reset(settings)

    def reset(self, settings: dict | None = None) -> None:
        """Forget everything and seed the default world."""
        with self.lock:
            self.settings = copy.deepcopy(DEFAULT_SETTINGS)
            self.settings.update(copy.deepcopy(settings or {}))
            self.clock_offset = 0.0
            self.rng = random.Random(self.settings["seed"])
            self.counter = 0
            self.auth_codes: dict[str, dict] = {}
            self.tokens: dict[str, dict] = {}
            self.business_centers = {BC_ID: {"bc_id": BC_ID, "name": "Emulator Business Center",
                                             "status": "ENABLE", "currency": "USD", "timezone": "Etc/GMT"}}
            self.advertisers = {aid: {"advertiser_id": aid, "advertiser_name": name, "bc_id": BC_ID,
                                      "currency": "USD", "timezone": "Etc/GMT"}
                                for aid, name in ADVERTISERS.items()}
            self.pixels: dict[str, dict] = {}
            self.catalogs: dict[str, dict] = {}
            self.campaigns: dict[str, dict] = {}
            self.adgroups: dict[str, dict] = {}
            self.ads: dict[str, dict] = {}
            self.identities: dict[str, dict] = {}
            self.product_sets: dict[str, dict] = {}
            self.create_requests: dict[tuple, str] = {}  # (path, request_id) -> the id it created
            self.events: deque = deque(maxlen=20000)
            self.images: dict[str, tuple[int, int]] = {}
            self.faults: list[dict] = []
            self.request_log: deque = deque(maxlen=self.settings["max_request_log"])
            self.stats = defaultdict(int)
            self.windows: dict[tuple, deque] = defaultdict(deque)
            self.write_locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
            self._seed_world()

    def _seed_world(self) -> None:
        first, second = list(ADVERTISERS)
        self.add_pixel(first, "Emulator Store Pixel", pixel_code="C9Q2MJ3C77U4P674RPG0")
        for advertiser_id, names in ((first, ["Catalog Sales - All Products", "Spring Sale", "Retargeting"]),
                                     (second, ["Brand Awareness", "Catalog Sales - Second"])):
            for name in names:
                campaign_id = self.new_id("17")
                self.campaigns[campaign_id] = {
                    "campaign_id": campaign_id, "advertiser_id": advertiser_id, "campaign_name": name,
                    "objective_type": "PRODUCT_SALES", "operation_status": "ENABLE",
                    "secondary_status": "CAMPAIGN_STATUS_ENABLE", "budget_mode": "BUDGET_MODE_DAY",
                    "budget": 100.0, "create_time": "2024-01-02 10:00:00", "modify_time": "2024-01-02 10:00:00"}

    def now(self) -> float:
        """The emulator's wall clock, which tests may move forward."""
        return time.time() + self.clock_offset

    def new_id(self, prefix: str = "73") -> str:
        """A fresh numeric id string, 19 digits like TikTok's."""
        self.counter += 1
        return f"{prefix}{self.counter:017d}"

    def new_secret(self) -> str:
        """A random opaque value for tokens and auth codes."""
        return secrets.token_hex(20)

    def add_pixel(self, advertiser_id: str, name: str, pixel_code: str | None = None) -> dict:
        """Create a pixel for an advertiser."""
        code = pixel_code or "C" + "".join(self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
                                           for _ in range(19))
        pixel = {"pixel_id": self.new_id("72"), "pixel_code": code, "pixel_name": name,
                 "advertiser_id": advertiser_id, "pixel_category": "ONLINE_STORE",
                 "advanced_matching_fields": {"email": True, "phone_number": True},
                 "activity_status": "ACTIVE"}
        self.pixels[code] = pixel
        return pixel

    def issue_token(self, app_id: str, advertiser_ids: list[str], scope: list[int] | None = None) -> dict:
        """Create an access token for an app and some advertisers."""
        token = {"access_token": self.new_secret(), "app_id": app_id,
                 "advertiser_ids": list(advertiser_ids), "scope": list(scope if scope is not None
                                                                      else SCOPES.values()),
                 "revoked": False, "created": self.now()}
        self.tokens[token["access_token"]] = token
        return token

    def image_size(self, url: str) -> tuple[int, int]:
        """Pixel size of an image: registered, else from a ``WxH`` in its URL, else a default."""
        if url in self.images:
            return self.images[url]
        match = re.search(r"(\d{2,5})x(\d{2,5})", url or "")
        if match:
            return int(match.group(1)), int(match.group(2))
        width, height = self.settings["default_image_px"]
        return int(width), int(height)
