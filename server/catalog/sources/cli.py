"""``flask catalog source ...``: set, show, test and pull a store's catalog source."""
import sys

import click
from flask.cli import with_appcontext

from server.catalog.intake.feed_worker import WorkerFailed
from server.catalog.intake.feeds import FeedError
from server.catalog.sources import schedule, service
from server.cli_support import echo_json, fail, store_option
from server.errors import AppError
from server.extensions import db
from server.stores.cli import operator_store


@click.group("source")
def source_group():
    """Where the catalog comes from: a feed URL, a VTEX account or an Ecwid store, pulled on a schedule."""


def _secret(value, name):
    if value is None:
        return None
    if value != "-":
        raise click.UsageError(f"{name}: pass - and give it on standard input (it must not be on the command line)")
    secret = sys.stdin.readline().strip()
    if not secret:
        raise click.UsageError(f"{name}: nothing was read from standard input")
    return secret


@source_group.command("set")
@store_option
@click.option("--feed-url", help="A Google Merchant feed at this URL, fetched with conditional GET.")
@click.option("--vtex", "vtex_account", metavar="ACCOUNT", help="A VTEX account name.")
@click.option("--app-key", help="The VTEX app key (read-only catalog permissions).")
@click.option("--app-token", metavar="-", help="The VTEX app token, read from standard input.")
@click.option("--environment", default=None, help="The VTEX environment (vtexcommercestable).")
@click.option("--sales-channel", default="1", show_default=True, help="The VTEX trade policy.")
@click.option("--ecwid", "ecwid_store", metavar="STORE_ID", help="An Ecwid store id.")
@click.option("--token", metavar="-", help="The Ecwid access token (secret_...), read from standard input.")
@click.option("--base-url", help="Another API host for the platform (an emulator, a proxy).")
@click.option("--times", help="Daily pull times, HH:MM UTC, comma-separated (default: twice a day).")
@with_appcontext
def set_(key, feed_url, vtex_account, app_key, app_token, environment, sales_channel, ecwid_store, token,
         base_url, times):
    """Set the store's catalog source (replacing the one it had)."""
    store = operator_store(key)
    chosen = [name for name, value in (("--feed-url", feed_url), ("--vtex", vtex_account),
                                       ("--ecwid", ecwid_store)) if value]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --feed-url, --vtex ACCOUNT or --ecwid STORE_ID")
    credentials = None
    if feed_url:
        kind, settings = "feed_url", {"url": feed_url, "operator": True}
    elif vtex_account:
        kind = "vtex"
        settings = {"account": vtex_account.lower(), "environment": environment, "sales_channel": sales_channel}
        credentials = {"app_key": app_key or "", "app_token": _secret(app_token, "--app-token") or ""}
    else:
        kind, settings = "ecwid", {"store_id": ecwid_store}
        credentials = {"token": _secret(token, "--token") or ""}
    if base_url:
        settings["base_url"] = base_url
    try:
        parsed = schedule.parse_times(times) if times else None
        shown = service.set_source(db.session, store, kind, settings, credentials, times=parsed)
        if kind == "vtex":
            shown["notifications"] = service.setup_notifications(db.session, store)
        echo_json(shown)
    except AppError as error:
        fail(error)


@source_group.command("show")
@store_option
@with_appcontext
def show(key):
    """The store's source (no secrets), its state, last and next pull, what the last pull did."""
    store = operator_store(key)
    described = service.describe(db.session, store)
    if described is None:
        raise click.ClickException("the store has no catalog source")
    if described["kind"] == "vtex":
        source = service.get_source(db.session, store)
        described["notification_url"] = service.notification_url(store, source)
    echo_json(described)


@source_group.command("test")
@store_option
@with_appcontext
def test(key):
    """Ask the platform about the store: name, country, currency, product count."""
    store = operator_store(key)
    try:
        echo_json(service.test_connection(db.session, store))
    except AppError as error:
        fail(error)


@source_group.command("pull")
@store_option
@click.option("--allow-shrink", is_flag=True, help="Accept a pull that removes more of the catalog than "
                                                   "TTC_CATALOG_MAX_SHRINK_PERCENT allows.")
@with_appcontext
def pull(key, allow_shrink):
    """Pull the whole catalog now, in the foreground, and print the import summary."""
    store = operator_store(key)
    try:
        result = service.pull(db.session, store, trigger="cli", allow_shrink=allow_shrink)
    except AppError as error:
        fail(error)
    except (FeedError, WorkerFailed) as error:
        raise click.ClickException(f"the pull failed, nothing was removed: {error}") from None
    if result.get("not_modified"):
        click.echo("The feed has not changed since the last pull (HTTP 304): nothing to import.")
        return
    summary = result["summary"]
    click.echo(summary["text"] + f" ({result['changed']} new or changed"
               + (f"; {result['requests']} requests to the platform)." if "requests" in result else ")."))
    for note in summary["notes"]:
        click.echo(f"  note: {note}")
    for error in result.get("errors", [])[:20]:
        click.echo(f"  {error.get('position')}: {error.get('id') or '(no id)'}: {error['message']}")
