"""Measuring product images before upload: at least 500x500 px, JPG or PNG, as TikTok requires.

Only the first bytes are read (an HTTP Range request; Pillow needs just the header), each URL is
cached with its ETag/Last-Modified and re-checked conditionally, every fetch has a time limit,
and internal addresses are refused (``fetch``).
"""
import hashlib
import io
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from server.catalog.fetch import BlockedAddress, FetchError, guarded_session, open_url, private_hosts_setting
from server.clock import as_utc, utcnow
from server.models.catalog import ImageCheck

MIN_SIDE = 500
FORMATS = {"JPEG": "JPG", "PNG": "PNG"}
RANGES = (64 * 1024, 1024 * 1024)  # most headers fit the first; big EXIF blocks need the second


@dataclass
class Measurement:
    """What one check found: ``outcome`` is ok, too_small, bad_format, unreachable or blocked."""

    outcome: str
    width: int | None = None
    height: int | None = None
    image_format: str | None = None
    message: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    network_failure: bool = False


def url_key(url):
    """The cache key of an image URL."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def measure(session, url, *, timeout, private_hosts=frozenset(), etag=None, last_modified=None):
    """Fetch just enough of ``url`` to read its size and type; returns a ``Measurement``."""
    deadline = time.monotonic() + timeout
    conditional = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if v}
    buffer = b""
    for limit in RANGES:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return _unreachable(f"no answer within {timeout:g}s")
        try:
            response = open_url(session, url, timeout=(min(5.0, remaining), remaining), private_hosts=private_hosts,
                                headers={"Range": f"bytes=0-{limit - 1}", **conditional})
        except BlockedAddress as error:
            return Measurement("blocked", message=str(error))
        except FetchError as error:
            return Measurement("unreachable", message=str(error), network_failure=True)
        with response:
            if response.status_code == 304:
                return Measurement("ok", not_modified=True)
            if response.status_code not in (200, 206):
                return Measurement("unreachable", message=f"the image URL answered HTTP {response.status_code}")
            validators = {"etag": response.headers.get("ETag"), "last_modified": response.headers.get("Last-Modified")}
            buffer, timed_out = _read_up_to(response, limit, deadline)
            found = _identify(buffer)
            if found is not None:
                return _verdict(*found, **validators)
            if timed_out:
                return _unreachable(f"no complete image header within {timeout:g}s")
            if response.status_code == 200 or len(buffer) < limit:
                break  # the whole file was there: it is not a readable image
        conditional = {}
    return Measurement("bad_format", message="the file is not a readable JPG or PNG image")


def _unreachable(message):
    return Measurement("unreachable", message=message, network_failure=True)


def _read_up_to(response, limit, deadline):
    chunks, size = [], 0
    for chunk in response.iter_content(16 * 1024):
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
        if time.monotonic() > deadline:
            return b"".join(chunks), True
    return b"".join(chunks)[:limit], False


def _identify(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                return image.format, image.size
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            return None


def _verdict(image_format, size, **validators):
    width, height = size
    if image_format not in FORMATS:
        return Measurement("bad_format", width, height, image_format,
                           f"the image is {image_format}; TikTok accepts JPG or PNG", **validators)
    if width < MIN_SIDE or height < MIN_SIDE:
        return Measurement("too_small", width, height, image_format,
                           f"the image is {width}x{height} px; TikTok needs at least {MIN_SIDE}x{MIN_SIDE}",
                           **validators)
    return Measurement("ok", width, height, image_format, **validators)


def check_images(session, urls, *, config, force=False):
    """Measured results for ``urls`` ({url: ImageCheck}), from the cache when fresh (not committed)."""
    urls = sorted(set(u for u in urls if u))
    if not urls:
        return {}
    keys = {url_key(u): u for u in urls}
    rows = {}
    for start in range(0, len(urls), 500):
        chunk = list(keys)[start:start + 500]
        rows.update({r.url_hash: r for r in session.execute(
            select(ImageCheck).where(ImageCheck.url_hash.in_(chunk))).scalars()})
    fresh_after = utcnow() - timedelta(hours=config["TTC_IMAGE_RECHECK_HOURS"])
    stale = [u for k, u in keys.items() if force or k not in rows or as_utc(rows[k].checked_at) < fresh_after]
    measured = _measure_all(stale, rows, keys, config)
    for url, result in measured.items():
        _store(session, rows, url, result)
    session.flush()
    return {u: rows[url_key(u)] for u in urls}


def _measure_all(urls, rows, keys, config):
    if not urls:
        return {}
    timeout = config["TTC_IMAGE_TIMEOUT"]
    private_hosts = private_hosts_setting(config["TTC_IMAGE_ALLOW_PRIVATE_HOSTS"])
    http = guarded_session(private_hosts=private_hosts, ca_bundle=config.get("TTC_IMAGE_CA_BUNDLE") or None)

    def one(url):
        """Measure one URL (conditionally when it was fine last time)."""
        cached = rows.get(url_key(url))
        return url, measure(http, url, timeout=timeout, private_hosts=private_hosts,
                            etag=cached.etag if cached and cached.outcome == "ok" else None,
                            last_modified=cached.last_modified if cached and cached.outcome == "ok" else None)

    with http, ThreadPoolExecutor(max_workers=max(1, config["TTC_IMAGE_THREADS"])) as pool:
        return dict(pool.map(one, urls))


def _store(session, rows, url, result):
    key = url_key(url)
    row = rows.get(key)
    if row is not None and (result.not_modified or (result.network_failure and row.outcome == "ok")):
        if result.not_modified:
            row.checked_at = utcnow()
        return  # unchanged; a passing network failure keeps the last good measurement for next time
    if row is None:
        row = rows[key] = ImageCheck(url_hash=key, url=url, outcome=result.outcome)
        session.add(row)
    row.outcome = result.outcome
    row.width, row.height, row.image_format = result.width, result.height, result.image_format
    row.message = (result.message or "")[:500] or None
    row.etag, row.last_modified = result.etag, result.last_modified
    row.checked_at = utcnow()
