"""A short-lived in-process cache of Ads reports per store and period, so reloading the page does
not ask TikTok again; a pause, a resume or a budget change empties the store's entries.

Each server process keeps its own entries. A change made in any process on the host (a worker, the
``ads`` commands) is marked on a version board in shared memory, which every process reads before
it answers from its cache: the next load after a change asks TikTok, whoever made the change.
"""
import os
import threading
import time
from collections import OrderedDict

from server.board import VersionBoard, slot_for

EXTENSION = "ttc_ads_cache"
BOARD_FILE = "ads-versions.board"
MAX_ENTRIES = 512  # stores × periods kept at once; the oldest entry goes first


class ReportCache:
    """Values by key, each kept ``ttl`` seconds; keys start with the store id. With a ``board``,
    an entry also goes when its store's slot changed since the value was fetched."""

    def __init__(self, ttl, *, board=None, clock=time.monotonic, max_entries=MAX_ENTRIES):
        self.ttl = float(ttl)
        self.board = board
        self._clock = clock
        self._max = max_entries
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def version(self, store_id):
        """The store's change counter now (read it before fetching what ``put`` will keep)."""
        return self.board.read(_slot(store_id)) if self.board is not None else 0

    def get(self, key):
        """The value stored under ``key`` if it is still fresh, else None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, seen, value = entry
            if self._clock() >= expires or seen != self.version(key[0]):
                del self._entries[key]
                return None
            return value

    def put(self, key, value, *, seen=None):
        """Keep ``value`` under ``key`` for ``ttl`` seconds (nothing when ttl is 0); ``seen`` is the
        store's ``version`` from before the value was fetched."""
        if self.ttl <= 0:
            return
        with self._lock:
            self._entries[key] = (self._clock() + self.ttl, self.version(key[0]) if seen is None else seen, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def forget_store(self, store_id):
        """Drop every entry of one store, in this process and (through the board) in the others."""
        if self.board is not None:
            self.board.bump([_key(store_id)])
        with self._lock:
            for key in [k for k in self._entries if k[0] == store_id]:
                del self._entries[key]


def _key(store_id):
    return f"ads:{store_id}"


def _slot(store_id):
    return slot_for(_key(store_id))


def report_cache(app):
    """The application's report cache (built on first use)."""
    cache = app.extensions.get(EXTENSION)
    if cache is None:
        board = VersionBoard(os.path.join(app.instance_path, BOARD_FILE))
        cache = app.extensions.setdefault(EXTENSION, ReportCache(app.config["TTC_ADS_CACHE_SECONDS"], board=board))
    return cache
