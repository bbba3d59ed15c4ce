"""Feed imports started from the admin: an uploaded file or a feed URL, read by a background job.

The upload (or the URL, which may carry a token of the merchant's feed service) waits in the
instance folder under a random ticket; the job's arguments hold only the store id, the ticket and
the import options. While the job reads, it writes its progress (bytes and items) beside the
ticket, so a page can poll it without touching the import's own transaction. The job's result is
the import service's own summary, shown as it comes.
"""
import json
import os
import secrets
import time
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from server import jobs
from server.catalog import service
from server.catalog.fetch import FetchError, guarded_session, open_feed_url, private_hosts_setting
from server.catalog.intake.feed_worker import WorkerFailed
from server.catalog.intake.feeds import FeedError
from server.errors import AppError, NotFound, ValidationError
from server.models.job import Job
from server.models.store import Store

IMPORT_JOB = "catalog.import"
FOLDER = "imports"
PROGRESS_EVERY = 0.25  # seconds between progress writes; a page polls about twice a second
MAX_URL = 2000
READ_SLICE = 64 * 1024
SHOWN_LIST = 50  # item errors (or other lists) of a summary kept for the page
KEEP_DAYS = 7  # an import's page shows its progress and name this long (the summary stays in the job)
TIMEOUT = (10, 60)  # connect, then between bytes: a slow feed server may take minutes in all


def job_key(store_id):
    """One import at a time per store."""
    return f"catalog-import:{store_id}"


def import_options(*, merge=False, allow_shrink=False):
    """The import service's keywords for what the merchant chose, gathered in one place.

    ``allow_shrink`` is passed only when asked for: it lets a feed remove more than half of the
    catalog, past the import service's shrink guard.
    """
    options = {"replace": not merge}
    if allow_shrink:
        options["allow_shrink"] = True
    return options


def _folder(app=None):
    folder = Path((app or current_app).instance_path) / FOLDER
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def start_upload(session, store, upload, *, filename, options):
    """Keep an uploaded feed (a binary stream) and queue its import; returns the job (committed)."""
    ticket = secrets.token_urlsafe(18)
    path = _folder() / f"{ticket}.feed"
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        size = _copy(upload, out)
    if size == 0:
        path.unlink()
        raise ValidationError("the file is empty: choose the feed file again", fields={"feed": "empty file"})
    _write_json(_folder() / f"{ticket}.json", {"source": "upload", "name": filename[:200], "size": size})
    return _enqueue(session, store, ticket, options)


def start_url(session, store, url, *, options):
    """Queue the import of a feed URL (https or http); returns the job (committed)."""
    url = (url or "").strip()
    if not url.startswith(("https://", "http://")) or len(url) > MAX_URL:
        problem = "enter the feed's address, starting with https:// (or http://)"
        raise ValidationError(problem, fields={"url": problem})
    ticket = secrets.token_urlsafe(18)
    _write_json(_folder() / f"{ticket}.json", {"source": "url", "url": url, "name": _shown_url(url)})
    return _enqueue(session, store, ticket, options)


def _enqueue(session, store, ticket, options):
    job = jobs.enqueue(session, IMPORT_JOB, {"store_id": store.id, "ticket": ticket, "options": options},
                       key=job_key(store.id), coalesce=False, max_attempts=3)
    session.commit()
    return job


def _copy(source, target):
    size = 0
    while chunk := source.read(1 << 20):
        target.write(chunk)
        size += len(chunk)
    return size


def _shown_url(url):
    """The URL without its query (which may hold a token), for the page and the log."""
    return url.split("?", 1)[0].split("#", 1)[0][:200]


def _write_json(path, data):
    partial = path.with_suffix(".part")
    with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
        json.dump(data, out)
    os.replace(partial, path)


def _read_json(path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def find_import(session, store, job_id):
    """The store's import job with this id; NotFound for any other job (another store's too)."""
    job = session.execute(select(Job).where(Job.id == job_id, Job.kind == IMPORT_JOB, Job.key == job_key(store.id))
                          .execution_options(populate_existing=True)).scalar_one_or_none()
    if job is None or (job.args or {}).get("store_id") != store.id:
        raise NotFound(f"no import #{job_id} in this store")
    return job


def import_state(job):
    """What a page shows of an import: state, progress, and the summary or the error once finished."""
    ticket = (job.args or {}).get("ticket", "")
    folder = _folder()
    about = _read_json(folder / f"{ticket}.json") if ticket else {}
    progress = _read_json(folder / f"{ticket}.progress") if ticket else {}
    result = job.result if isinstance(job.result, dict) else {}
    state = {"queued": "waiting", "running": "reading", "done": "done"}.get(job.status, "failed")
    return {
        "id": job.id,
        "state": state,
        "finished": state in ("done", "failed"),
        "source": about.get("source") or result.get("source", ""),
        "name": about.get("name") or result.get("name", ""),
        "bytes": progress.get("bytes", result.get("bytes", 0)),
        "total_bytes": progress.get("total_bytes", result.get("total_bytes")),
        "items": progress.get("items", 0),
        "summary": result.get("summary"),
        "error": job.last_error if state == "failed" else None,
        "options": (job.args or {}).get("options", {}),
        "created_at": job.created_at,
    }


def latest_imports(session, store, limit=5):
    """The store's most recent imports, newest first."""
    return session.execute(select(Job).where(Job.key == job_key(store.id), Job.kind == IMPORT_JOB)
                           .order_by(Job.id.desc()).limit(limit)).scalars().all()


class _ProgressReader:
    """A binary stream that writes how much of the feed was read to a file, now and then."""

    def __init__(self, stream, path, total_bytes):
        self.stream, self.path, self.total_bytes = stream, path, total_bytes
        self.bytes = self.items = 0
        self.written = 0.0

    def read(self, size=-1):
        """Read at most a slice of the feed, counting the bytes: a big read from a slow server would
        otherwise show no progress until all of it arrived."""
        data = self.stream.read(min(size, READ_SLICE) if size and size > 0 else size)
        self.bytes += len(data)
        self.report()
        return data

    def readinto(self, buffer):
        """Read into ``buffer`` from the feed, counting the bytes."""
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def readable(self):
        """A feed is read, never written."""
        return True

    def on_items(self, items, consumed):
        """The import service's progress callback: items read so far."""
        self.items = items
        self.report()

    def report(self, *, force=False):
        """Write the progress file if some time has passed since the last write."""
        now = time.monotonic()
        if force or now - self.written >= PROGRESS_EVERY:
            self.written = now
            _write_json(self.path, {"bytes": self.bytes, "total_bytes": self.total_bytes, "items": self.items})


def run_import_job(context, store_id, ticket, options):
    """The job: open the uploaded file or fetch the URL, import it, return the summary."""
    folder = _folder(context.app)
    about = _read_json(folder / f"{ticket}.json")
    store = context.session.get(Store, store_id)
    if store is None or not about:
        _clean(folder, ticket)
        raise jobs.JobFailed("the store or the import's feed is gone")
    try:
        stream, total = _open(context.app, folder, ticket, about)
        with stream:
            reader = _ProgressReader(stream, folder / f"{ticket}.progress", total)
            reader.report(force=True)
            summary = service.import_feed(context.session, store, reader, on_progress=reader.on_items, **options)
            reader.report(force=True)
    except (FeedError, FetchError, WorkerFailed, OSError) as error:
        context.session.rollback()
        _clean(folder, ticket)
        raise jobs.JobFailed(f"{about.get('name', 'the feed')}: {error}") from None
    except AppError as error:
        context.session.rollback()
        _clean(folder, ticket)
        raise jobs.JobFailed(error.message) from None
    progress = _read_json(folder / f"{ticket}.progress")
    _clean(folder, ticket)
    return {"source": about.get("source"), "name": about.get("name"), "bytes": progress.get("bytes", 0),
            "total_bytes": total, "summary": _kept(summary)}


def _kept(summary):
    """The summary as the job keeps it: long lists (item errors) cut to what a page shows."""
    return {name: value[:SHOWN_LIST] if isinstance(value, list) else value for name, value in summary.items()}


def _open(app, folder, ticket, about):
    if about.get("source") == "upload":
        return open(folder / f"{ticket}.feed", "rb"), about.get("size")
    private = private_hosts_setting(app.config["TTC_FEED_ALLOW_PRIVATE_HOSTS"])
    http = guarded_session(private_hosts=private)
    raw, length, _response = open_feed_url(http, about["url"], timeout=TIMEOUT, private_hosts=private)
    return raw, length


def forget_old_tickets(app, session, *, days=KEEP_DAYS):
    """Periodic: remove what finished imports left in the instance folder after ``days``."""
    cutoff = time.time() - days * 86400
    for path in _folder(app).iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _clean(folder, ticket):
    """Drop the ticket's upload and request once the job is over; the progress stays for the page."""
    for suffix in (".feed",):
        (folder / f"{ticket}{suffix}").unlink(missing_ok=True)
    about = folder / f"{ticket}.json"
    data = _read_json(about)
    if data.get("url"):
        data["url"] = None  # the full URL may hold a token: keep only what the page shows
        _write_json(about, data)
