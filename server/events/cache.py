"""Per-worker cache of what the collector needs to know about a store, kept honest by the pixel's
version board: a change to the store (or to its events settings, which touch the store) is seen by
every worker on the host at once, and the database is asked again every ``revalidate_seconds``.

Unknown keys are remembered too (briefly, and a bounded number), so a flood of made-up keys
costs the database nothing.
"""
import time
from dataclasses import dataclass

from server.board import slot_for
from server.pixel.representation import allowed_origins

MAX_UNKNOWN = 10_000


@dataclass(frozen=True)
class CollectorEntry:
    """One store as the collector sees it. ``store_id`` None: no store has this key."""

    slot: int
    seen: int
    fresh_until: float
    store_id: int | None = None
    accepting: bool = False  # pixel live, connected to TikTok, server events on
    hold: bool = False  # consent mode "hold": only events the page says were consented
    events: frozenset = frozenset()  # event names the pixel fires
    order_event: str = "Purchase"
    origins: frozenset = frozenset()
    country: str | None = None
    advanced_matching: bool = False  # name, address and locale of the shopper may be sent


def snapshot(store):
    """The collector's view of ``store`` (without the cache bookkeeping)."""
    settings = getattr(store, "event_settings", None)
    names = {store.order_event if name == "PlaceAnOrder" else name for name in store.events or []}
    return dict(store_id=store.id, hold=store.consent_mode == "hold", events=frozenset(names),
                order_event=store.order_event, origins=allowed_origins(store.domains),
                country=store.country,
                advanced_matching=bool(store.advanced_matching),
                accepting=bool(store.pixel_live and store.tiktok_state == "connected"
                               and settings is not None and settings.server_events))


class CollectorCache:
    """Store key -> CollectorEntry; entries are immutable, so threads share the dict safely."""

    def __init__(self, board, *, revalidate_seconds, clock=time.monotonic):
        self.board = board
        self.revalidate_seconds = revalidate_seconds
        self.clock = clock
        self.entries = {}

    def fresh(self, public_key):
        """The cached entry if nothing says it changed; None means: ask the database."""
        entry = self.entries.get(public_key)
        if entry is None or self.board.read(entry.slot) != entry.seen or self.clock() > entry.fresh_until:
            return None
        return entry

    def refresh(self, public_key, load_store):
        """Re-read the store (``load_store(key)`` -> Store or None) and cache what the collector needs."""
        slot = slot_for(public_key)
        seen = self.board.read(slot)  # before the database: a change committed meanwhile shows next time
        store = load_store(public_key)
        values = snapshot(store) if store is not None else {}
        if store is None and len(self.entries) >= MAX_UNKNOWN:
            self.entries = {key: entry for key, entry in self.entries.items() if entry.store_id is not None}
        entry = CollectorEntry(slot, seen, self.clock() + self.revalidate_seconds, **values)
        self.entries[public_key] = entry
        return entry
