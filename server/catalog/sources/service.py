"""Catalog sources: set one, show it, test it, pull it. Plain values and a session in, plain data out.

A pull is an import like any other: the platform's products are streamed as a feed into
``catalog.service.import_feed`` (all or nothing, products missing from a complete pull removed).
A pull that fails leaves the catalog as it was, marks the source broken with the platform's
words, and is retried with backoff.
"""
import json
import logging
import secrets

from flask import current_app
from sqlalchemy import select

from server import jobs
from server.catalog import service as catalog_service
from server.catalog.fetch import ANY_HOST, private_hosts_setting
from server.catalog.intake.feed_worker import WorkerFailed
from server.catalog.intake.feeds import FeedError
from server.catalog.sources import image_sizes, schedule
from server.catalog.sources.ecwid import Ecwid
from server.catalog.sources.errors import SourceAuthError, SourceNotSet
from server.catalog.sources.feed_url import NotModified, open_feed
from server.catalog.sources.feedstream import ItemStream
from server.catalog.sources.vtex import ENVIRONMENT as VTEX_ENVIRONMENT
from server.catalog.sources.vtex import MANUAL_STEPS, Vtex
from server.clock import utcnow
from server.errors import AppError, ValidationError
from server.models.catalog_source import CatalogSource
from server.security import TokenKeyError, decrypt_secret, encrypt_secret
from server.stores.markets import currencies_for, supported_countries

log = logging.getLogger(__name__)
KIND_LABELS = {"feed_url": "Feed URL", "vtex": "VTEX account", "ecwid": "Ecwid store"}
MAX_URL = 2000


def get_source(session, store):
    """The store's catalog source, or None."""
    return session.execute(select(CatalogSource).where(CatalogSource.store_id == store.id)).scalar_one_or_none()


def require_source(session, store, kind=None):
    """The store's source; raises SourceNotSet when there is none (or it is of another kind)."""
    source = get_source(session, store)
    if source is None or (kind and source.kind != kind):
        raise SourceNotSet("the store has no " + (KIND_LABELS[kind] if kind else "catalog source") +
                           ": set one first")
    return source


def set_source(session, store, kind, settings, credentials=None, *, times=None):
    """Create or replace the store's source (credentials encrypted; commits); returns its summary."""
    _check(kind, settings, credentials)
    source = get_source(session, store)
    if source is None:
        source = CatalogSource(store_id=store.id, kind=kind)
        session.add(source)
    elif source.kind != kind or source.settings != settings:
        source.etag = source.last_modified = source.cursor = None
    source.kind, source.settings = kind, dict(settings)
    source.credentials = encrypt_secret(json.dumps(credentials)) if credentials else None
    if kind == "vtex" and not source.notify_secret:
        source.notify_secret = encrypt_secret(secrets.token_urlsafe(24))
    source.schedule = times or source.schedule or schedule.default_times(store.public_key)
    source.state, source.state_reason, source.failures = "new", None, 0
    source.next_pull_at = utcnow()  # a new source is pulled at once by the scheduler
    session.commit()
    return describe(session, store, source)


def unsaved_source(store, kind, settings, credentials=None):
    """A source as it would be saved (fields checked, credentials encrypted), not added to the
    session: what "Test connection" tries before anything is kept."""
    _check(kind, settings, credentials)
    return CatalogSource(store_id=store.id, kind=kind, settings=dict(settings), schedule=[],
                         credentials=encrypt_secret(json.dumps(credentials)) if credentials else None)


def set_times(session, store, text):
    """Change the daily pull times ("HH:MM,HH:MM", UTC; commits)."""
    source = require_source(session, store)
    source.schedule = schedule.parse_times(text)
    source.next_pull_at = schedule.next_time(source.schedule, utcnow())
    session.commit()
    return describe(session, store, source)


def _check(kind, settings, credentials):
    problems = {}
    if kind == "feed_url":
        url = settings.get("url") or ""
        if not url.startswith(("https://", "http://")) or len(url) > MAX_URL:
            problems["url"] = f"an http(s) URL of at most {MAX_URL} characters"
    elif kind == "vtex":
        if not str(settings.get("account") or "").replace("-", "").isalnum():
            problems["account"] = "the VTEX account name (letters and digits)"
        if settings.get("environment") and not VTEX_ENVIRONMENT.match(settings["environment"]):
            problems["environment"] = "a VTEX environment such as vtexcommercestable"
        if not str(settings.get("sales_channel") or "1").isdigit():
            problems["sales_channel"] = "the trade policy's number"
        for name in ("app_key", "app_token"):
            if not (credentials or {}).get(name) or len(credentials[name]) > 2000:
                problems[name] = "required (at most 2,000 characters)"
    elif kind == "ecwid":
        if not str(settings.get("store_id") or "").isdigit():
            problems["store_id"] = "the Ecwid store id (a number)"
        if not (credentials or {}).get("token") or len(credentials["token"]) > 500:
            problems["token"] = "required"
    else:
        problems["kind"] = "feed_url, vtex or ecwid"
    base = settings.get("base_url")
    if base and (not base.startswith(("https://", "http://")) or len(base) > MAX_URL):
        problems["base_url"] = "an http(s) URL"
    if problems:
        raise ValidationError("the catalog source is not complete", fields=problems)


def credentials_of(source):
    """The source's credentials in clear (for a connector only); SourceAuthError when unreadable."""
    if not source.credentials:
        return {}
    try:
        return json.loads(decrypt_secret(source.credentials))
    except TokenKeyError:
        raise SourceAuthError("the stored credentials cannot be read with the keys in TTC_TOKEN_KEY: "
                              "set the source again") from None


def notify_secret(source):
    """The VTEX notification URL's secret in clear."""
    return decrypt_secret(source.notify_secret) if source.notify_secret else None


def connector(source, store):
    """A platform reader for the source (VTEX or Ecwid)."""
    config = current_app.config
    threads, timeout = config["TTC_CATALOG_SOURCE_THREADS"], config["TTC_CATALOG_SOURCE_TIMEOUT"]
    retry_base = config["TTC_CATALOG_SOURCE_RETRY_BASE_DELAY"]
    settings = dict(source.settings)
    if source.kind == "vtex":
        settings.setdefault("base_url", config["TTC_VTEX_API_BASE"] or None)
        domain = (store.domains or [None])[0]
        return Vtex(settings, credentials_of(source), domain=domain, currency=store.currency,
                    threads=threads, timeout=timeout, per_minute=config["TTC_VTEX_REQUESTS_PER_MINUTE"],
                    retry_base=retry_base)
    if source.kind == "ecwid":
        settings.setdefault("base_url", config["TTC_ECWID_API_BASE"] or None)
        return Ecwid(settings, credentials_of(source), currency=store.currency, timeout=timeout,
                     per_minute=config["TTC_ECWID_REQUESTS_PER_MINUTE"], retry_base=retry_base)
    raise SourceNotSet(f"a {KIND_LABELS.get(source.kind, source.kind)} has no platform connector")


def test_connection(session, store, source=None):
    """What the platform says about the store (name, country, currency, product count), and problems."""
    source = source or require_source(session, store)
    if source.kind == "feed_url":
        return _test_feed(source)
    platform = connector(source, store)
    try:
        found = platform.probe()
    finally:
        platform.close()
    warnings = market_warnings(found.get("country"), found.get("currency"))
    if found.get("currency") and found["currency"] != store.currency:
        warnings.append(f"the platform sells in {found['currency']}, the store is set to {store.currency}")
    if found.get("country") and found["country"] != store.country:
        warnings.append(f"the platform's country is {found['country']}, the store is set to {store.country}")
    if found.get("closed"):
        warnings.append("the store is closed on the platform")
    return {**found, "warnings": warnings}


def market_warnings(country, currency):
    """Where the platform's country or currency is not one TikTok takes catalogs in (as store creation checks)."""
    if country and country not in supported_countries():
        return [f"TikTok does not take catalogs from {country}"]
    if country and currency and currency not in currencies_for(country):
        return [f"TikTok does not take {currency} prices for {country}"]
    return []


def _test_feed(source):
    try:
        stream, etag, last_modified, http = open_feed(source.settings["url"], private_hosts=_feed_hosts(source))
    except NotModified:  # not sent without validators; kept for completeness
        return {"name": source.settings["url"], "warnings": []}
    with http:
        stream.close()
    return {"name": source.settings["url"], "etag": etag, "last_modified": last_modified, "warnings": []}


def _feed_hosts(source):
    if source.settings.get("operator"):  # typed by an operator on the command line: any host
        return frozenset({ANY_HOST})
    return private_hosts_setting(current_app.config["TTC_CATALOG_SOURCE_ALLOW_PRIVATE_HOSTS"])


def pull(session, store, *, trigger="manual", allow_shrink=False):
    """Pull the whole catalog from the source and import it (commits); returns the import summary.

    Like any import, a pull that would remove more than TTC_CATALOG_MAX_SHRINK_PERCENT of the
    catalog is refused unless ``allow_shrink``. Raises the SourceError (or the feed's error, or the
    refusal) after recording it on the source as broken."""
    source = require_source(session, store)
    if source.state == "disconnected":
        raise SourceAuthError(f"the source is disconnected ({source.state_reason}); set it again")
    started = utcnow()
    try:
        summary = _pull(session, store, source, {"replace": True, "allow_shrink": allow_shrink})
    except (AppError, FeedError, WorkerFailed) as error:
        session.rollback()
        record_failure(session, store, error, at=started)
        raise
    source = require_source(session, store)
    source.state, source.state_reason, source.failures = "ok", None, 0
    source.last_pull_at = source.last_success_at = started
    source.last_summary = {**_plain(summary), "trigger": trigger, "at": started.isoformat()}
    schedule.after_pull(source, utcnow(), failed=False)
    session.commit()
    return source.last_summary


def _pull(session, store, source, terms):
    if source.kind == "feed_url":
        try:
            stream, etag, last_modified, http = open_feed(
                source.settings["url"], etag=source.etag, last_modified=source.last_modified,
                private_hosts=_feed_hosts(source))
        except NotModified:
            return {"not_modified": True, "received": 0, "changed": 0, "removed": 0}
        with http, stream:
            result = catalog_service.import_feed(session, store, stream, **terms)
        source = require_source(session, store)
        source.etag, source.last_modified = etag, last_modified
        return result
    platform = connector(source, store)
    try:
        if source.kind == "vtex":
            return _pull_vtex(session, store, platform, terms)
        return _pull_ecwid(session, store, source, platform, terms)
    finally:
        platform.close()


def _pull_vtex(session, store, platform, terms):
    # Categories first, so a product in an inactive one is never a candidate for TikTok; one the
    # tree did not list is read as a SKU names it and stored after (restating its products).
    platform.load_categories()
    known = set(platform.categories)
    if known:
        catalog_service.put_categories(session, store, platform.category_rows())
    stream = ItemStream(platform.items())
    result = catalog_service.import_feed(session, store, stream, **terms)
    if set(platform.categories) - known:
        catalog_service.put_categories(session, store, platform.category_rows())
    return {**result, "requests": platform.counter.requests}


def _pull_ecwid(session, store, source, platform, terms):
    platform.load_categories()
    stream = ItemStream(platform.items())

    def sizes_so_far(*_):  # between the import's batches, while the next pages are being requested
        image_sizes.write(session, platform.take_image_sizes())

    result = catalog_service.import_feed(session, store, stream, on_progress=sizes_so_far, **terms)
    image_sizes.record(session, platform.take_image_sizes())
    source = require_source(session, store)
    source.cursor = str(platform.newest) if platform.newest else source.cursor
    return {**result, "requests": platform.counter.requests}


def notification_url(store, source):
    """The URL VTEX posts its affiliate notifications to (the secret is its last part)."""
    base = current_app.config["TTC_PUBLIC_URL"].rstrip("/")
    return f"{base}/hooks/{store.public_key}/vtex/{notify_secret(source)}"


def setup_notifications(session, store, *, email=None):
    """Register our notification URL as the VTEX affiliate's endpoint; the manual steps when VTEX refuses."""
    source = require_source(session, store, "vtex")
    url = notification_url(store, source)
    platform = connector(source, store)
    try:
        configured = platform.set_affiliate(url, email or f"catalog@{(store.domains or ['example.com'])[0]}")
    finally:
        platform.close()
    return {"configured": configured, "url": url, "steps": [] if configured else list(MANUAL_STEPS)}


def queue_pull(session, store, *, allow_shrink=False):
    """Queue a full pull of the store's source now (commits); returns the job. ``allow_shrink`` lets
    this one pull remove more of the catalog than TTC_CATALOG_MAX_SHRINK_PERCENT."""
    job = jobs.enqueue(session, schedule.PULL_JOB, {"store_id": store.id}, key=f"catalog-source:{store.id}")
    if allow_shrink:  # also when a scheduled pull was waiting and is run now instead
        job.args = {**job.args, "allow_shrink": True}
    session.commit()
    return job


def record_failure(session, store, error, *, at=None):
    """Mark the source broken with the platform's words and schedule a retry with backoff (commits)."""
    source = get_source(session, store)
    if source is None:
        return
    message = getattr(error, "message", None) or str(error)
    source.state, source.state_reason = "broken", message[:1000]
    source.failures += 1
    source.last_pull_at = at or utcnow()
    schedule.after_pull(source, utcnow(), failed=True)
    session.commit()
    log.warning("catalog source of store %s failed (%s in a row): %s", store.public_key, source.failures, message)


def disconnect(session, store, reason):
    """Stop pulling (the platform said the app is gone): forget the credentials (commits)."""
    source = get_source(session, store)
    if source is None:
        return
    source.state, source.state_reason = "disconnected", reason[:1000]
    source.credentials, source.next_pull_at, source.next_delta_at = None, None, None
    session.commit()


def describe(session, store, source=None):
    """The source as the merchant sees it: kind, settings (no secrets), state, last and next pull."""
    source = source or get_source(session, store)
    if source is None:
        return None
    settings = {k: v for k, v in source.settings.items() if k != "operator"}
    return {"kind": source.kind, "label": KIND_LABELS[source.kind], "settings": settings,
            "has_credentials": bool(source.credentials), "state": source.state, "reason": source.state_reason,
            "failures": source.failures, "times": source.schedule,
            "last_pull_at": _iso(source.last_pull_at), "last_success_at": _iso(source.last_success_at),
            "next_pull_at": _iso(source.next_pull_at), "last_summary": source.last_summary}


def _iso(value):
    return value.isoformat() if value else None


def _plain(summary):
    keep = ("received", "accepted", "changed", "removed", "error_count", "not_modified", "requests", "summary")
    plain = {k: summary[k] for k in keep if k in summary}
    plain["errors"] = (summary.get("errors") or [])[:20]
    return plain
