"""Image sizes a platform told us (Ecwid's ``originalImage``), kept as image checks: the 500x500
check then needs no download for them.

Written while a pull runs, a page or so at a time in the import's own transaction (``write``), so
that a pull of 100,000 products does not end with 100,000 rows still to write after its last
request; an image whose size is unchanged only has its check time refreshed.
"""
from sqlalchemy import bindparam, insert, select, update

from server.catalog.checks.images import MIN_SIDE, url_key
from server.clock import utcnow
from server.models.catalog import ImageCheck

CHUNK = 500
FORMATS = {"jpg": "JPG", "jpeg": "JPG", "png": "PNG"}
_TABLE = ImageCheck.__table__
_FIELDS = ("url", "outcome", "width", "height", "image_format", "message", "checked_at")
_CHANGED = (_TABLE.update().where(_TABLE.c.url_hash == bindparam("new_url_hash"))
            .values({name: bindparam(f"new_{name}") for name in _FIELDS}))


def record(session, sizes):
    """Write ``sizes`` ({url: (width, height)}) and commit."""
    write(session, sizes)
    session.commit()


def write(session, sizes):
    """Write ``sizes`` ({url: (width, height)}) as image checks, without committing."""
    known = _rows(sizes, utcnow())
    keys = list(known)
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start:start + CHUNK]
        stored = {key: (outcome, width, height) for key, outcome, width, height in session.execute(
            select(ImageCheck.url_hash, ImageCheck.outcome, ImageCheck.width, ImageCheck.height)
            .where(ImageCheck.url_hash.in_(chunk)))}
        fresh = [known[k] for k in chunk if k not in stored]
        if fresh:
            session.execute(insert(ImageCheck), fresh)
        same = [k for k in chunk if stored.get(k) == tuple(known[k][f] for f in ("outcome", "width", "height"))]
        if same:
            session.execute(update(ImageCheck).where(ImageCheck.url_hash.in_(same))
                            .values(checked_at=known[same[0]]["checked_at"])
                            .execution_options(synchronize_session=False))
        changed = [k for k in chunk if k in stored and k not in same]
        if changed:
            session.execute(_CHANGED, [{f"new_{k}": v for k, v in known[key].items()} for key in changed])


def _rows(sizes, now):
    known = {}
    for url, (width, height) in sizes.items():
        image_format = FORMATS.get(url.rsplit("?", 1)[0].rsplit(".", 1)[-1].lower())
        if image_format is None:
            continue  # the format is not in the name: measured the usual way
        ok = width >= MIN_SIDE and height >= MIN_SIDE
        key = url_key(url)
        known[key] = {"url_hash": key, "url": url, "outcome": "ok" if ok else "too_small", "width": width,
                      "height": height, "image_format": image_format, "checked_at": now,
                      "message": None if ok else f"{width}x{height} px; TikTok needs at least {MIN_SIDE}x{MIN_SIDE}"}
    return known
