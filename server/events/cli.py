"""``flask events ...``: follow the event log, change the settings, send a test event, relay now, prune."""
import json
import time
from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from server.auth.access import Caller, load_store_for
from server.cli_support import store_option
from server.clock import utcnow
from server.errors import AppError
from server.events import account, intake, log
from server.events import settings as event_settings
from server.events.kicks import kick
from server.extensions import db
from server.jobs.runner import run_until_finished

OVERLAP = timedelta(seconds=2)  # re-read this much of the past: a change may commit a moment after its time


def _store(key, need="read"):
    try:
        return load_store_for(db.session, Caller.operator(), key, need).store
    except AppError as error:
        raise click.ClickException(error.message) from None


@click.group("events")
def events_group():
    """Server events: the event log, settings, test events, the relay."""


@events_group.command("tail")
@store_option
@click.option("--lines", default=20, show_default=True, help="How many past events to print first.")
@click.option("--follow/--no-follow", default=True, show_default=True, help="Keep printing new events.")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between looks at the log.")
@click.option("--stop-after", type=float, help="Stop following after this many seconds.")
@with_appcontext
def tail(key, lines, follow, interval, stop_after):
    """Print the store's account of beacons and its latest events, then each new event and each change
    of state as it happens (and the account again when following stops)."""
    store = _store(key)
    click.echo(account.line(account.statement(db.session, store.id)))
    rows = log.latest(db.session, store, limit=lines) if lines > 0 else []
    printed = {}
    for row in reversed(rows):
        click.echo(log.line(row))
        printed[row.id] = row.status
    db.session.commit()
    started, since = time.monotonic(), utcnow() - OVERLAP
    while follow and (stop_after is None or time.monotonic() - started < stop_after):
        time.sleep(interval)
        now = utcnow()
        for row in log.changed_since(db.session, store, since):
            if printed.get(row.id) != row.status:
                click.echo(log.line(row))
                printed[row.id] = row.status
        db.session.commit()  # end the read, so the next look sees what committed since
        since = now - OVERLAP
    if follow:
        click.echo(account.line(account.statement(db.session, store.id)))


@events_group.command("settings")
@store_option
@click.option("--on/--off", "server_events", default=None, help="Send server events, or not.")
@click.option("--test-code", "test_event_code", help="TikTok's test event code ('' to clear it).")
@click.option("--test-mode/--no-test-mode", default=None, help="Send every event with the test event code.")
@click.option("--limited/--no-limited", "limited_data_use", default=None, help="limited_data_use on every event.")
@with_appcontext
def settings(key, **values):
    """Show the store's server-events settings, changing the ones given; prints them as JSON."""
    changes = {name: value for name, value in values.items() if value is not None}
    store = _store(key, "write" if changes else "read")
    try:
        event_settings.update_settings(db.session, store, None, **changes)
    except AppError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(json.dumps({"store": store.public_key, **event_settings.as_dict(store),
                           "sending": intake.sending(store) is None}, indent=2))


@events_group.command("test")
@store_option
@with_appcontext
def test(key):
    """Send a test event through the relay (in the foreground) and print TikTok's answer."""
    store = _store(key, "write")
    try:
        row, job = intake.queue_test_event(db.session, store, None)
    except AppError as error:
        raise click.ClickException(error.message) from None
    event_id = row.event_id
    run_until_finished(current_app._get_current_object(), job.id)
    db.session.expire_all()
    row = db.session.get(type(row), row.id)
    click.echo(log.line(row))
    if row.status != "sent":
        raise click.ClickException(f"test event {event_id} was not sent")


@events_group.command("relay")
@store_option
@with_appcontext
def relay(key):
    """Send the store's pending events now, in the foreground; prints the counts."""
    store = _store(key, "write")
    job = kick(db.session, store.id)
    db.session.commit()
    finished = run_until_finished(current_app._get_current_object(), job.id)
    click.echo(json.dumps({"status": finished.status, **(finished.result or {}),
                           "error": finished.last_error if finished.status != "done" else None}, indent=2))


@events_group.command("prune")
@with_appcontext
def prune():
    """Forget events older than TTC_EVENTS_LOG_DAYS now (the periodic task does it hourly)."""
    click.echo(f"Removed {log.prune(current_app, db.session)} old events.")
