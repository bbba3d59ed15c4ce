"""Per-worker cache of each store's pixel responses, kept honest by the shared version board."""
import time
from dataclasses import dataclass

from server.board import slot_for
from server.pixel import representation as rep


@dataclass(frozen=True)
class CachedStore:
    """One store's two responses, and what they were built from."""

    slot: int
    seen: int  # the board counter when the store was read
    fresh_until: float  # monotonic time after which the database is asked again anyway
    version: int
    script: rep.Representation
    config: rep.Representation
    ecwid: rep.Representation  # the Ecwid storefront binding (loads ``script``)


class PixelCache:
    """Store key -> CachedStore. Safe to share between threads: entries are immutable."""

    def __init__(self, board, *, revalidate_seconds, cache_control, render_script, render_ecwid, fields=(),
                 script_headers=()):
        self.board = board
        self.script_headers = tuple(script_headers)  # added to both scripts' responses
        self.revalidate_seconds = revalidate_seconds
        self.cache_control = cache_control
        self.render_script = render_script  # config dict -> JavaScript text
        self.render_ecwid = render_ecwid  # store key -> JavaScript text
        self.fields = fields  # the features' additions to the public configuration (a live list)
        self.entries = {}

    def fresh(self, public_key):
        """The cached entry if nothing says it changed; None means: ask the database."""
        entry = self.entries.get(public_key)
        if entry is None or self.board.read(entry.slot) != entry.seen:
            return None
        if time.monotonic() > entry.fresh_until:
            return None
        return entry

    def refresh(self, public_key, load_store):
        """Re-read a store (``load_store(key)`` -> Store or None) and rebuild its bytes if it changed."""
        slot = slot_for(public_key)
        seen = self.board.read(slot)  # read before the database: a later bump forces another look
        store = load_store(public_key)
        if store is None:
            self.entries.pop(public_key, None)
            return None
        old = self.entries.get(public_key)
        deadline = time.monotonic() + self.revalidate_seconds
        if old is not None and old.version == store.version:
            entry = CachedStore(slot, seen, deadline, old.version, old.script, old.config, old.ecwid)
        else:
            entry = self._build(store, slot, seen, deadline)
        self.entries[public_key] = entry
        return entry

    def _build(self, store, slot, seen, deadline):
        config = rep.public_config(store, fields=self.fields)
        script = rep.build(self.render_script(config).encode("utf-8"), rep.JS_TYPE,
                           cache_control=self.cache_control, extra=self.script_headers)
        as_json = rep.build(rep.config_json(config), rep.JSON_TYPE, cache_control=self.cache_control,
                            origins=rep.allowed_origins(store.domains), vary_origin=True)
        ecwid = rep.build(self.render_ecwid(store.public_key).encode("utf-8"), rep.JS_TYPE,
                          cache_control=self.cache_control, extra=self.script_headers)
        return CachedStore(slot, seen, deadline, store.version, script, as_json, ecwid)
