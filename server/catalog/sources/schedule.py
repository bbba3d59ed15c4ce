"""When sources are pulled: at the store's daily times (twice a day by default, spread by store key),
again with backoff after a failure, and (Ecwid) a small delta pull in between."""
import hashlib
import re
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select

from server import jobs
from server.clock import as_utc, utcnow
from server.errors import ValidationError
from server.models.catalog_source import CatalogSource

DAY_MINUTES = 24 * 60
MAX_BACKOFF = 6 * 3600
TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
PULL_JOB = "catalog.source.pull"
DELTA_JOB = "catalog.source.delta"
REFRESH_JOB = "catalog.source.refresh"


def default_times(public_key, per_day=None):
    """The store's default pull times ("HH:MM" UTC): ``per_day`` evenly spaced, offset by its key."""
    per_day = max(1, int(per_day or current_app.config["TTC_CATALOG_SOURCE_PULLS_PER_DAY"]))
    period = DAY_MINUTES // per_day
    offset = int.from_bytes(hashlib.sha256(public_key.encode("utf-8")).digest()[:8], "big") % period
    return [f"{m // 60:02d}:{m % 60:02d}" for m in (offset + n * period for n in range(per_day))]


def parse_times(text):
    """``"03:00,15:30"`` as a sorted list of times; raises ValidationError naming the bad one."""
    times = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        match = TIME.match(part)
        if not match:
            raise ValidationError(f"{part!r} is not a time of day (HH:MM, UTC)", fields={"times": "HH:MM,HH:MM"})
        times.append(f"{int(match.group(1)):02d}:{match.group(2)}")
    if not times or len(times) > 24:
        raise ValidationError("give between 1 and 24 pull times a day", fields={"times": "HH:MM,HH:MM"})
    return sorted(set(times))


def next_time(times, now):
    """The first of the daily ``times`` after ``now`` (aware UTC)."""
    candidates = []
    for value in times:
        hour, minute = (int(x) for x in value.split(":"))
        at = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        candidates.append(at if at > now else at + timedelta(days=1))
    return min(candidates)


def backoff_seconds(failures):
    """Seconds before retrying a source that failed ``failures`` times in a row (doubling, capped)."""
    base = current_app.config["TTC_CATALOG_SOURCE_RETRY_SECONDS"]
    return min(MAX_BACKOFF, base * 2 ** max(0, failures - 1))


def after_pull(source, now, *, failed):
    """Set the source's next full pull (and delta) after a pull that ended at ``now``."""
    scheduled = next_time(source.schedule, now)
    if failed:
        source.next_pull_at = min(scheduled, now + timedelta(seconds=backoff_seconds(source.failures)))
    else:
        source.next_pull_at = scheduled
    if source.kind == "ecwid":
        minutes = current_app.config["TTC_CATALOG_SOURCE_DELTA_MINUTES"]
        source.next_delta_at = now + timedelta(minutes=minutes) if minutes > 0 and not failed else None


def enqueue_due_pulls(app, session, now=None):
    """Periodic task: queue a pull job for each source whose time has come (commits)."""
    now = now or utcnow()
    due = session.execute(select(CatalogSource).where(
        CatalogSource.state != "disconnected",
        or_(CatalogSource.next_pull_at <= now, CatalogSource.next_delta_at <= now))).scalars().all()
    queued = 0
    for source in due:
        full = source.next_pull_at is not None and as_utc(source.next_pull_at) <= now
        # Moved on now, so the next tick does not queue it again; the pull sets the real time.
        if full:
            source.next_pull_at = now + timedelta(hours=1)
        source.next_delta_at = None
        jobs.enqueue(session, PULL_JOB if full else DELTA_JOB, {"store_id": source.store_id},
                     key=f"catalog-source:{source.store_id}")
        queued += 1
    session.commit()
    return queued

