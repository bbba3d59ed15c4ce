"""The pixel: per-store configuration for shoppers' browsers (the public endpoints and their fast
path), and the admin's Pixel page and overview card.

A feature adds fields to the public configuration from its own ``init_app``::

    pixel.add_public_fields(app, server_event_fields)   # function(store) -> dict
"""
import os
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from server.board import VersionBoard
from server.models.store import Store
from server.pixel import edge, pages
from server.pixel.cache import PixelCache
from server.pixel.edge import PixelEdge
from server.pixel.published import Publisher
from server.stores.navigation import register_store_page, register_store_panel
from snippets import render_ecwid, render_loader

__all__ = ["add_public_fields", "init_app"]

BOARD_FILE = "pixel-versions.board"
# Published scripts: nginx keeps the app's own answer for a script one second only (it answers while
# the file is missing: just after a change removed it), so the file written next takes over at once.
# nginx does not pass this header on to browsers.
PUBLISHED_SCRIPT_HEADERS = (("X-Accel-Expires", "1"),)
PUBLIC_FIELDS = "ttc_pixel_fields"  # app.extensions: the features' additions to the public configuration


@dataclass
class PixelState:
    """What the pixel endpoints keep per application."""

    board: VersionBoard
    cache: PixelCache
    publisher: Publisher | None  # TTC_PIXEL_PUBLISH_DIR set: scripts published as files for nginx


def add_public_fields(app, function):
    """Add ``function(store) -> dict`` to every store's public configuration (any init order)."""
    app.extensions.setdefault(PUBLIC_FIELDS, []).append(function)


def _render_ecwid(public_key):
    return render_ecwid(public_key, current_app.config["TTC_PUBLIC_URL"])


def init_app(app):
    """Register the pixel endpoints and the Pixel page, put the fast path in front of Flask, and watch
    stores for changes."""
    max_age = app.config["TTC_PIXEL_MAX_AGE"]
    swr = app.config["TTC_PIXEL_STALE_WHILE_REVALIDATE"]
    board = VersionBoard(os.path.join(app.instance_path, BOARD_FILE))
    folder = app.config["TTC_PIXEL_PUBLISH_DIR"]
    publisher = Publisher(folder, board, app.config["TTC_PIXEL_REVALIDATE_SECONDS"]) if folder else None
    cache = PixelCache(board, revalidate_seconds=app.config["TTC_PIXEL_REVALIDATE_SECONDS"],
                       cache_control=f"public, max-age={max_age}, stale-while-revalidate={swr}",
                       render_script=render_loader, render_ecwid=_render_ecwid,
                       fields=app.extensions.setdefault(PUBLIC_FIELDS, []),
                       script_headers=PUBLISHED_SCRIPT_HEADERS if publisher else ())
    app.extensions["ttc_pixel"] = PixelState(board, cache, publisher)
    app.register_blueprint(edge.bp)
    app.register_blueprint(pages.bp)
    register_store_page(app, "pixel_admin.pixel", "Pixel", order=20, also=("pixel_admin.pixel_save",))
    register_store_panel(app, "pixel", "pixel/panel.html", order=10, context=pages.panel)
    app.wsgi_app = PixelEdge(app.wsgi_app, cache, publisher)
    _watch_store_changes()


def _watch_store_changes():
    # Session-class listeners are process-wide: register them once, whatever the number of apps.
    if not event.contains(Session, "after_flush", _collect_changed_stores):
        event.listen(Session, "after_flush", _collect_changed_stores)
        event.listen(Session, "after_commit", _publish_changed_stores)
        event.listen(Session, "after_soft_rollback", _forget_changed_stores)


def _collect_changed_stores(session, flush_context):
    touched = session.info.setdefault("ttc_changed_stores", set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Store) and obj.public_key:
            touched.add(obj.public_key)


def _publish_changed_stores(session):
    keys = session.info.pop("ttc_changed_stores", None)
    if keys:
        state = current_app.extensions["ttc_pixel"]
        state.board.bump(keys)  # first: a file written from the old version is then removed by its writer
        if state.publisher is not None:
            state.publisher.purge(keys)


def _forget_changed_stores(session, previous_transaction):
    session.info.pop("ttc_changed_stores", None)
