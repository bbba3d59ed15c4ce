"""The emulator's image CDN (VTEX_API.md 2.8): ``/arquivos/ids/{id}/{file}`` is the original,
``/arquivos/ids/{id}-{w}-{h}/{file}`` the same image resized to fit w x h.

Whether VTEX enlarges a smaller original is UNCONFIRMED; the emulator does (keeping the aspect), so
a thin original stays thin. Originals are 1200x1200 unless a test sets a file's size; every path
asked for is recorded, so a test can tell the original was never fetched.
"""
from __future__ import annotations

import io
import re

from flask import Response, request
from PIL import Image

SPEC = re.compile(r"^(\d+)(?:-(\d+)-(\d+))?$")
ORIGINAL = (1200, 1200)


def render(width, height):
    """A JPEG of the given size."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, "JPEG", quality=70)
    return out.getvalue()


def fitted(original, box):
    """``original`` (w, h) scaled to fit ``box`` (w, h), enlarged or shrunk, aspect kept."""
    scale = min(box[0] / original[0], box[1] / original[1])
    return max(1, round(original[0] * scale)), max(1, round(original[1] * scale))


def register_images(app, state):
    """Add the image routes and their controls to the emulator ``app``; ``state()`` is the account."""

    @app.get("/arquivos/ids/<spec>")
    @app.get("/arquivos/ids/<spec>/<path:name>")
    def image(spec, name=None):
        match = SPEC.match(spec)
        if match is None:
            return Response("not found", 404)
        file_id, width, height = match.groups()
        with state().lock:
            state().image_requests.append(f"/arquivos/ids/{spec}" + (f"/{name}" if name else ""))
            original = state().image_sizes.get(int(file_id), ORIGINAL)
        size = fitted(original, (int(width), int(height))) if width else original
        return Response(render(*size), mimetype="image/jpeg")

    @app.post("/_emulator/images/<int:file_id>")
    def set_image(file_id):
        """Set one file's original size: ``{"width": w, "height": h}``."""
        body = request.get_json(silent=True) or {}
        with state().lock:
            state().image_sizes[file_id] = (int(body["width"]), int(body["height"]))
        return {"ok": True}

    @app.get("/_emulator/images")
    def image_requests():
        """The image paths asked for so far."""
        with state().lock:
            return {"requests": list(state().image_requests)}
