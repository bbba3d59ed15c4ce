"""The public pixel endpoints: per-store configuration for shoppers' browsers."""
import os
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session
from flask import current_app

from server.board import VersionBoard
from server.pixel.cache import PixelCache
from server.pixel.edge import PixelEdge
from server.pixel.views import bp

BOARD_FILE = "pixel-versions.board"


@dataclass
class PixelState:
    """What the pixel endpoints keep per application."""

    board: VersionBoard
    cache: PixelCache


def _render_script(config):
    from snippets import render_loader

    return render_loader(config)


def _render_ecwid(public_key):
    from snippets import render_ecwid

    return render_ecwid(public_key, current_app.config["TTC_PUBLIC_URL"])


def init_app(app):
    """Register the pixel views, put the fast path in front of Flask, and watch stores for changes."""
    max_age = app.config["TTC_PIXEL_MAX_AGE"]
    swr = app.config["TTC_PIXEL_STALE_WHILE_REVALIDATE"]
    board = VersionBoard(os.path.join(app.instance_path, BOARD_FILE))
    cache = PixelCache(board, revalidate_seconds=app.config["TTC_PIXEL_REVALIDATE_SECONDS"],
                       cache_control=f"public, max-age={max_age}, stale-while-revalidate={swr}",
                       render_script=_render_script, render_ecwid=_render_ecwid)
    app.extensions["ttc_pixel"] = PixelState(board, cache)
    app.register_blueprint(bp)
    app.wsgi_app = PixelEdge(app.wsgi_app, cache)
    _watch_store_changes()


def _watch_store_changes():
    # Session-class listeners are process-wide: register them once, whatever the number of apps.
    if not event.contains(Session, "after_flush", _collect_changed_stores):
        event.listen(Session, "after_flush", _collect_changed_stores)
        event.listen(Session, "after_commit", _publish_changed_stores)
        event.listen(Session, "after_soft_rollback", _forget_changed_stores)


def _collect_changed_stores(session, flush_context):
    from server.models.store import Store

    touched = session.info.setdefault("ttc_changed_stores", set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Store) and obj.public_key:
            touched.add(obj.public_key)


def _publish_changed_stores(session):
    keys = session.info.pop("ttc_changed_stores", None)
    if keys:
        current_app.extensions["ttc_pixel"].board.bump(keys)


def _forget_changed_stores(session, previous_transaction):
    session.info.pop("ttc_changed_stores", None)
