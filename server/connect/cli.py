"""``flask tiktok ...``: everything the TikTok page does, from the command line (as the operator)."""
import json
import sys

import click
from flask.cli import with_appcontext

from server.cli_support import fail as _fail
from server.connect import disconnect as disconnecting
from server.connect import flow, status
from server.connect.errors import NotConnected
from server.connect.tokens import rotate_tokens
from server.errors import AppError
from server.extensions import db
from server.security import TokenKeyError
from server.stores.cli import operator_store as _store


@click.group("tiktok")
def tiktok_group():
    """Connect stores to TikTok, see their connection, disconnect them, rotate the token key."""


@tiktok_group.command("connect-url")
@click.argument("key")
@with_appcontext
def connect_url(key):
    """Print the TikTok consent page URL for a store (single use; expires after 10 minutes by default)."""
    try:
        click.echo(flow.start_connect(db.session, _store(key)))
    except AppError as error:
        _fail(error)


@tiktok_group.command("setup")
@click.argument("key")
@click.option("--advertiser-id", help="The advertiser account to use (see the list without options).")
@click.option("--bc-id", help="The Business Center to use.")
@with_appcontext
def setup(key, advertiser_id, bc_id):
    """Finish setup after the consent page: lists the accounts when a choice is needed."""
    store = _store(key)
    try:
        outcome = flow.continue_setup(db.session, store, None, advertiser_id=advertiser_id, bc_id=bc_id)
    except AppError as error:
        _fail(error)
    if outcome.done:
        click.echo(f"Store {key} is connected to TikTok" + (f" (created: {', '.join(outcome.created)})."
                                                              if outcome.created else "."))
        return
    click.echo("Choose the accounts with --advertiser-id and --bc-id:")
    for item in outcome.advertisers:
        click.echo(f"  advertiser {item['advertiser_id']}  {item['advertiser_name']}")
    for item in outcome.business_centers:
        click.echo(f"  bc         {item['bc_id']}  {item['name']}")
    sys.exit(2)


@tiktok_group.command("status")
@click.argument("key")
@click.option("--check", is_flag=True, help="Also ask TikTok whether the token still works "
                                            "(a refused token disconnects the store).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def status_(key, check, as_json):
    """Show a store's TikTok connection (never the token)."""
    store = _store(key)
    checked = None
    if check:
        try:
            checked = status.check_connection(db.session, store)
        except NotConnected as error:
            checked = (False, error.message)
    info = status.connection_status(db.session, store)
    if checked is not None:
        info["check"] = {"ok": checked[0], "message": checked[1]}
    if as_json:
        click.echo(json.dumps(info, indent=2, ensure_ascii=False))
    else:
        _print_status(info)
    if checked is not None and not checked[0]:
        sys.exit(1)


def _print_status(info):
    click.echo(f"TikTok: {info['state_label']}" + (" (setup not finished)" if info["setup_pending"] else ""))
    if info["reason"]:
        click.echo(f"  why: {info['reason']}" + (" [automatic]" if info["automatic"] else ""))
    if info["changed_at"]:
        click.echo(f"  since: {info['changed_at']}")
    for label, part, name in (("advertiser", "advertiser", "name"), ("business center", "business_center", "name"),
                              ("pixel", "pixel", "code"), ("catalog", "catalog", "name")):
        item = info[part]
        if item["id"] or item.get(name):
            click.echo(f"  {label}: {item.get(name) or ''} ({item['id'] or '-'})")
    click.echo(f"  token: {info['token'] or 'none'}")
    for problem in info["problems"].values():
        click.echo(f"  to fix before connecting: {problem}")
    if "check" in info:
        click.echo(f"  check: {info['check']['message']}")


@tiktok_group.command("disconnect")
@click.argument("key")
@with_appcontext
def disconnect(key):
    """Revoke the store's token at TikTok (best effort), delete it here, turn the pixel off."""
    store = _store(key)
    result = disconnecting.disconnect(db.session, store, None)
    if result.revoke_problem:
        click.echo(f"warning: TikTok did not confirm the revoke ({result.revoke_problem}); the token was deleted "
                   f"here anyway.", err=True)
    click.echo(f"Store {key} is disconnected from TikTok: the pixel is off and the catalog no longer syncs."
               if result.changed else f"Store {key} was already disconnected; no token is stored.")
    click.echo(disconnecting.CATALOG_MANAGER_HINT)


@tiktok_group.command("attach")
@click.argument("key")
@click.option("--access-token", help="The long-term advertiser token; '-' reads it from standard input; "
                                     "left out, it is asked for without echo.")
@click.option("--advertiser-id", required=True)
@click.option("--bc-id", required=True)
@click.option("--catalog-id", required=True)
@click.option("--pixel-code", required=True)
@click.option("--skip-check", is_flag=True, help="Store the ids as given, without asking TikTok.")
@with_appcontext
def attach(key, access_token, advertiser_id, bc_id, catalog_id, pixel_code, skip_check):
    """Connect a store with a token you already hold (stored encrypted, never printed)."""
    store = _store(key)
    token = _read_token(access_token)
    try:
        connection = flow.attach(db.session, store, token, advertiser_id=advertiser_id, bc_id=bc_id,
                                 catalog_id=catalog_id, pixel_code=pixel_code, check=not skip_check)
    except AppError as error:
        _fail(error)
    click.echo(f"Store {key} is connected to TikTok: pixel {connection.pixel_code} is live, catalog "
               f"{connection.catalog_id} syncs.")


def _read_token(option):
    if option == "-":
        token = sys.stdin.readline().strip()
    elif option:
        token = option.strip()
    else:
        token = click.prompt("Access token", hide_input=True).strip()
    if not token:
        raise click.ClickException("no access token given")
    return token


@tiktok_group.command("rotate-tokens")
@with_appcontext
def rotate_tokens_command():
    """Re-encrypt every stored token under the newest key in TTC_TOKEN_KEY (the first one)."""
    try:
        counts = rotate_tokens(db.session)
    except TokenKeyError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Re-encrypted {counts['tokens']} TikTok token(s), {counts['webhook_secrets']} webhook "
               f"secret(s) and {counts['source_credentials'] + counts['source_secrets']} catalog source "
               f"secret(s) under the newest key. Once every server runs with it first, older keys can go.")
