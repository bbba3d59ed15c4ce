"""``flask catalog ...``: everything the Catalog admin page does, from the command line."""
import os
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from server.catalog import service
from server.catalog.checks import categories as category_lists
from server.catalog.fetch import ANY_HOST, FetchError, guarded_session, open_feed_url
from server.catalog.intake import signatures
from server.catalog.intake.feed_worker import WorkerFailed
from server.catalog.intake.feeds import FeedError
from server.catalog.sync import reviews, runs, status
from server.catalog.sync.tiktok_target import guarded_target
from server.cli_support import echo_json as _echo_json
from server.cli_support import store_option
from server.errors import AppError
from server.extensions import db
from server.jobs import JobCancelled
from server.jobs.runner import run_until_finished
from server.models.catalog import PRODUCT_STATES, CatalogCategory, SyncRun
from server.models.store import Store
from server.stores.cli import operator_store as _store
from server.tiktok.errors import TikTokError


@click.group("catalog")
def catalog_group():
    """Products to TikTok: import feeds, sync, see why a product is not on TikTok."""


@catalog_group.command("import")
@click.argument("feed")
@store_option
@click.option("--merge", is_flag=True, help="Add and update only; keep products missing from the feed.")
@click.option("--allow-empty", is_flag=True, help="Accept a feed without products (removes them all).")
@click.option("--allow-shrink", is_flag=True, help="Accept a feed that removes more of the catalog than "
                                                   "TTC_CATALOG_MAX_SHRINK_PERCENT allows.")
@click.option("--recheck", is_flag=True, help="Check unchanged items again (after the store's domains or "
                                               "currency changed).")
@click.option("--strict", is_flag=True, help="Exit with status 1 if any item is invalid for TikTok or was refused.")
@with_appcontext
def import_(feed, key, merge, allow_empty, allow_shrink, recheck, strict):
    """Import a Google Merchant Center feed (RSS/Atom XML, CSV or TSV, maybe gzipped) from a FILE or a URL.

    All or nothing: the catalog changes only if the whole feed was read and stored."""
    store = _store(key)
    try:
        stream, length = _open_feed(feed)
        with stream, _Progress(length) as progress:
            result = service.import_feed(db.session, store, stream, replace=not merge, allow_empty=allow_empty,
                                         allow_shrink=allow_shrink, recheck=recheck, on_progress=progress.update)
    except (FeedError, FetchError, OSError, WorkerFailed) as error:
        raise click.ClickException(f"{feed}: {error}; nothing was changed") from None
    except service.ImportRefused as error:
        _print_refusals(error.summary)
        flag = "--allow-empty" if isinstance(error, service.EmptyFeed) else "--allow-shrink"
        raise click.ClickException(f"{error.message} ({flag})") from None
    except AppError as error:
        raise click.ClickException(error.message) from None
    summary = result["summary"]
    click.echo(f"{summary['text']}. ({result['changed']} new or changed.)")
    for note in summary["notes"]:
        click.echo(f"  note: {note}")
    _print_refusals(result)
    if summary["invalid"]:
        click.echo(f"  See why with `flask catalog products --store {store.public_key} --state invalid`.")
    _report_sync(result["sync"], store)
    if strict and (summary["invalid"] or summary["refused"]):
        sys.exit(1)


def _print_refusals(result):
    for error in result["errors"][:20]:
        click.echo(f"  refused: {error.get('position')}: {error.get('id') or '(no id)'}: {error['message']}")
    if result["error_count"] > 20:
        click.echo(f"  ... and {result['error_count'] - 20} more refused")


def _open_feed(feed):
    if feed.startswith(("http://", "https://")):
        # The operator typed this URL, so an internal host is fine.
        http = guarded_session(private_hosts={ANY_HOST})
        raw, length, _response = open_feed_url(http, feed, timeout=(10, 60), private_hosts={ANY_HOST})
        return raw, length
    return open(feed, "rb"), os.path.getsize(feed)


class _Progress:
    """A progress bar on stderr by bytes read, or a running count when the size is unknown."""

    def __init__(self, length):
        self.length = length
        self.bar = None
        self.shown = 0

    def __enter__(self):
        if self.length:
            self.bar = click.progressbar(length=self.length, label="Importing", file=sys.stderr,
                                         show_pos=False, show_percent=True)
            self.bar.__enter__()
        return self

    def update(self, items, consumed):
        """Show progress: ``items`` read so far, ``consumed`` bytes of the feed."""
        if self.bar is not None:
            self.bar.update(consumed - self.shown)
            self.shown = consumed
        else:
            click.echo(f"\rImporting: {items} items", err=True, nl=False)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        else:
            click.echo("", err=True)


def _report_sync(run, store):
    if run:
        click.echo(f"Sync #{run['id']} queued; the server runs it (or run `flask catalog sync --store "
                   f"{store.public_key}` now).")
    elif store.tiktok_state != "connected":
        click.echo("The store is not connected to TikTok: nothing is sent until it is.")
    else:
        click.echo("Nothing changed: nothing to send.")


@catalog_group.command("sync")
@store_option
@click.option("--force", is_flag=True, help="Upload every product again, even unchanged ones.")
@click.option("--delta", is_flag=True, help="Only look at products that changed (faster on big catalogs).")
@click.option("--no-review", is_flag=True, help="Do not read TikTok's review afterwards.")
@with_appcontext
def sync(key, force, delta, no_review):
    """Sync a store now, in the foreground; returns once TikTok accepted every upload and delete."""
    store = _store(key)
    run = runs.request_sync(db.session, store, kind="delta" if delta and not force else "full", force=force,
                            trigger="cli")
    if run is None:
        raise click.ClickException(f"the store is {store.tiktok_state.replace('_', ' ')}, not connected to "
                                   f"TikTok: connect it first")
    db.session.commit()
    run_id, job_id = run.id, run.job_id
    click.echo(f"Sync #{run_id} ({run.kind}{', forced' if force else ''}) running...", err=True)
    run_until_finished(current_app._get_current_object(), job_id, on_wait=_waiting)
    run = db.session.get(SyncRun, run_id)
    db.session.refresh(run)
    _print_run(run)
    if run.status == "succeeded" and not no_review:
        _review_now(store)
    if run.status != "succeeded":
        sys.exit(1)


def _waiting(job):
    if job.status == "queued" and job.last_error:
        click.echo(f"  waiting to retry: {job.last_error}", err=True)


def _print_run(run):
    planned = (run.counts or {}).get("planned", {})
    done = (run.counts or {}).get("done", {})
    click.echo(f"Sync #{run.id}: {run.status}. Planned {planned.get('upload', 0)} upload(s), "
               f"{planned.get('delete', 0)} delete(s); {planned.get('unchanged', 0)} unchanged, "
               f"{planned.get('excluded', 0)} excluded, {planned.get('invalid', 0)} invalid.")
    if done:
        click.echo("TikTok: " + ", ".join(f"{key} {value}" for key, value in sorted(done.items())) + ".")
    if run.error:
        click.echo(f"Error: {run.error}")


def _review_now(store):
    try:
        store, target = guarded_target(db.session, store.id)
    except JobCancelled:
        return
    try:
        counts = reviews.check_reviews(db.session, store, target)
    except TikTokError as error:  # the sync itself is done; the review is read again later anyway
        db.session.rollback()
        click.echo(f"Review: could not be read from TikTok now ({error}); it is checked again later.")
        return
    click.echo(f"Review: {counts['listed']} listed, {counts['rejected']} rejected, "
               f"{counts['pending_review']} waiting for TikTok.")


@catalog_group.command("status")
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def status_(key, as_json):
    """Counts per state, what is on TikTok, the running sync and recent runs."""
    summary = status.catalog_status(db.session, _store(key))
    if as_json:
        return _echo_json(summary)
    click.echo(f"TikTok: {summary['tiktok']['state'].replace('_', ' ')}"
               + (f" ({summary['tiktok']['reason']})" if summary['tiktok']['reason'] else ""))
    click.echo("  ".join(f"{state.replace('_', ' ')}: {summary['counts'][state]}" for state in PRODUCT_STATES))
    click.echo(f"{summary['on_tiktok']} product(s) on TikTok; {summary['outbox']['unfinished']} batch(es) waiting, "
               f"{summary['outbox']['dead']} dead-lettered.")
    for run in summary["runs"][:5]:
        progress = run["progress"]
        click.echo(f"  #{run['id']} {run['kind']} ({run['trigger']}) {run['status']}"
                   f" {progress['done']}/{progress['total']}" + (f": {run['error']}" if run["error"] else ""))


@catalog_group.command("why")
@store_option
@click.argument("sku")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def why(key, sku, as_json):
    """Why a product is (or is not) on TikTok."""
    try:
        answer = status.explain(db.session, _store(key), sku)
    except AppError as error:
        raise click.ClickException(error.message) from None
    if as_json:
        return _echo_json(answer)
    click.echo(f"{answer['id']}: {answer['state'].replace('_', ' ')}")
    click.echo(answer["answer"])
    for item in answer["reasons"]:
        line = f"  - {item['message']}"
        if item.get("suggestion"):
            line += f"\n    TikTok suggests: {item['suggestion']}"
        click.echo(line)
    click.echo("Product sets: " + (", ".join(answer["product_sets"]) or "none"))


@catalog_group.command("products")
@store_option
@click.option("--state", type=click.Choice(PRODUCT_STATES))
@click.option("--search", help="Text in the product id or group id.")
@click.option("--limit", default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def products(key, state, search, limit, as_json):
    """List products with their state and the reason."""
    page = status.list_products(db.session, _store(key), state=state, search=search, limit=limit)
    if as_json:
        return _echo_json(page)
    for product in page["products"]:
        click.echo(f"{product['id']}  [{product['state']}]  {product['summary']}")
    click.echo(f"({len(page['products'])} of {page['total']})")


@catalog_group.command("resync")
@store_option
@click.argument("sku", required=False)
@with_appcontext
def resync(key, sku):
    """Queue a forced upload of one product (or of the whole store), even if unchanged."""
    store = _store(key)
    try:
        run = service.resync(db.session, store, sku, trigger="cli")
    except AppError as error:
        raise click.ClickException(error.message) from None
    _report_sync(runs.run_summary(run) if run else None, store)


@catalog_group.command("reconcile")
@click.option("--store", "key", metavar="KEY", help="Only this store (default: every connected store).")
@click.option("--queue", "only_queue", is_flag=True, help="Queue the reconciles instead of running them here.")
@with_appcontext
def reconcile(key, only_queue):
    """Compare TikTok's catalog with the store's: re-upload what is missing, delete orphans."""
    stores = [_store(key)] if key else db.session.execute(
        select(Store).where(Store.tiktok_state == "connected").order_by(Store.id)).scalars().all()
    failed = 0
    for store in stores:
        run = runs.request_sync(db.session, store, kind="reconcile", trigger="cli")
        db.session.commit()
        if run is None:
            click.echo(f"{store.public_key}: not connected to TikTok; skipped.")
            continue
        if only_queue:
            click.echo(f"{store.public_key}: reconcile #{run.id} queued.")
            continue
        run_id = run.id
        run_until_finished(current_app._get_current_object(), run.job_id, on_wait=_waiting)
        run = db.session.get(SyncRun, run_id)
        db.session.refresh(run)
        found = (run.counts or {}).get("reconcile", {})
        click.echo(f"{store.public_key}: reconcile #{run.id} {run.status}; {found.get('on_tiktok', 0)} on TikTok, "
                   f"{found.get('orphans', 0)} orphan(s), {found.get('lost', 0)} lost."
                   + (f" {found['unreachable']} product(s) on TikTok could not be listed under its "
                      f"100,000-product listing cap." if found.get("unreachable") else "")
                   + (f" Error: {run.error}" if run.error else ""))
        failed += run.status != "succeeded"
    if failed:
        sys.exit(1)


@catalog_group.command("categories")
@store_option
@click.option("--hide", multiple=True, help="Hide this category id (its products leave TikTok).")
@click.option("--show", multiple=True, help="Show this category id again.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def categories(key, hide, show, as_json):
    """List the categories the store's products use (with counts), or hide/show some by id."""
    store = _store(key)
    if hide or show:
        items = [{"id": c.category_id, "name": c.name, "parent_id": c.parent_id, "hidden": c.category_id in hide}
                 for c in db.session.execute(select(CatalogCategory).where(
                     CatalogCategory.store_id == store.id,
                     CatalogCategory.category_id.in_(list(hide) + list(show)))).scalars()]
        known = {item["id"] for item in items}
        items += [{"id": c, "hidden": True} for c in hide if c not in known]
        sync = service.put_categories(db.session, store, items)["sync"]
        if not as_json:
            _report_sync(sync, store)
    usage = category_lists.category_usage(db.session, store)
    if as_json:
        return _echo_json({"categories": usage, **({"sync": sync} if hide or show else {})})
    for category in usage:
        hidden = ""
        if category["hidden"]:
            hidden = "  [hidden]" if category["hidden_by"] in (category["id"], category["name"]) else \
                f"  [hidden by {category['hidden_by']!r}]"
        click.echo(f"{category['id']}  ({category['products']} product{'s' if category['products'] != 1 else ''})"
                   + hidden)
    if not usage:
        click.echo("No categories: products get them from the feed's product_type or the API's categories.")
    else:
        click.echo(f"Hide one with `flask catalog categories --store {store.public_key} --hide 'ID'`.")


@catalog_group.command("https-upgrade")
@store_option
@click.argument("setting", type=click.Choice(["on", "off"]))
@with_appcontext
def https_upgrade(key, setting):
    """Whether imports try the https:// form of http:// links and images (on by default)."""
    store = service.set_https_upgrade(db.session, _store(key), setting == "on")
    click.echo(f"{store.public_key}: http:// links and images are "
               + ("tried as https:// and sent so when that answers." if store.https_upgrade else
                  "left as they are (and refused: TikTok needs https://).")
               + " Import again with --recheck to apply it to unchanged products.")


@catalog_group.command("webhook-secret")
@store_option
@with_appcontext
def webhook_secret(key):
    """Create (or replace) the store's change-webhook secret and print it once."""
    secret = signatures.rotate_secret(db.session, _store(key))
    click.echo("Sign each webhook with this secret (HMAC-SHA256 over '<timestamp>.<body>'); it is shown once:",
               err=True)
    click.echo(secret)
