"""A short-lived in-process cache of Ads reports per store and period, so reloading the page does
not ask TikTok again; a pause, a resume or a budget change empties the store's entries.

Each server process keeps its own: after a change made in another process, this one may show the
old figures for at most ``TTC_ADS_CACHE_SECONDS``.
"""
import threading
import time
from collections import OrderedDict

EXTENSION = "ttc_ads_cache"
MAX_ENTRIES = 512  # stores × periods kept at once; the oldest entry goes first


class ReportCache:
    """Values by key, each kept ``ttl`` seconds; keys start with the store id."""

    def __init__(self, ttl, *, clock=time.monotonic, max_entries=MAX_ENTRIES):
        self.ttl = float(ttl)
        self._clock = clock
        self._max = max_entries
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        """The value stored under ``key`` if it is still fresh, else None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, value = entry
            if self._clock() >= expires:
                del self._entries[key]
                return None
            return value

    def put(self, key, value):
        """Keep ``value`` under ``key`` for ``ttl`` seconds (nothing when ttl is 0)."""
        if self.ttl <= 0:
            return
        with self._lock:
            self._entries[key] = (self._clock() + self.ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def forget_store(self, store_id):
        """Drop every entry of one store."""
        with self._lock:
            for key in [k for k in self._entries if k[0] == store_id]:
                del self._entries[key]


def report_cache(app):
    """The application's report cache (built on first use)."""
    cache = app.extensions.get(EXTENSION)
    if cache is None:
        cache = app.extensions.setdefault(EXTENSION, ReportCache(app.config["TTC_ADS_CACHE_SECONDS"]))
    return cache
