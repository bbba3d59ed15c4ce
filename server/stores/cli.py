"""``flask store ...`` and ``flask snippet``: stores and what to paste, from the command line."""
import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

import snippets
from server.auth.access import Caller
from server.cli_support import fail as _fail
from server.errors import AppError
from server.extensions import db
from server.models.store import PIXEL_EVENTS, PLATFORMS
from server.stores import service
from server.stores.deletion import delete_store
from server.stores.service import create_store_as, get_store, update_store_as
from server.stores.validation import clean_domain
from snippets.vtex_io import app_files, render_listener


def operator_store(key):
    """The store with this key (operators see every store); aborts the command if there is none."""
    try:
        return get_store(db.session, key)
    except AppError as error:
        raise click.ClickException(error.message) from None


def _store_options(function):
    options = [
        click.option("--name"),
        click.option("--domain", "domains", multiple=True, help="Shop domain; repeat for several."),
        click.option("--country", help="ISO country code, e.g. US, BR."),
        click.option("--currency", help="ISO currency code, e.g. USD, BRL."),
        click.option("--platform", type=click.Choice(PLATFORMS)),
        click.option("--phone", help="Phone with country code (needed to connect TikTok)."),
        click.option("--pixel-code", help="TikTok pixel code, for a manual pixel setup."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _given(**values):
    return {name: value for name, value in values.items() if value not in (None, ())}


def _say_what_domains_kept(domains):
    """A pasted URL is cut down to its host: say so, on stderr (stdout's last line stays the key)."""
    for raw in domains or ():
        kept = clean_domain(raw)
        if kept != raw.strip().lower():
            click.echo(f"--domain {raw}: kept {kept} (a shop domain is the host name only; the scheme, "
                       "path and query are not used)", err=True)


@click.group("store")
def store_group():
    """Create, list, show and change stores."""


@store_group.command("create")
@_store_options
@with_appcontext
def create(**values):
    """Create a store; prints its key as the last line."""
    try:
        store = create_store_as(db.session, Caller.operator(), **_given(**values))
    except AppError as error:
        _fail(error)
    _say_what_domains_kept(values.get("domains"))
    click.echo(f"Created store {store.name!r} ({store.platform}, {store.country}/{store.currency}).")
    click.echo(store.public_key)


@store_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def list_(as_json):
    """List every store."""
    stores = service.list_stores(db.session)
    if as_json:
        click.echo(json.dumps([service.store_settings(s) for s in stores], indent=2))
        return
    if not stores:
        click.echo("No stores yet: create one with `flask --app wsgi store create`.")
    for store in stores:
        pixel = "pixel on" if store.pixel_live else "pixel off"
        click.echo(f"{store.public_key}  {store.name}  [{store.platform}, {store.country}/{store.currency},"
                   f" {pixel}, TikTok {store.tiktok_state.replace('_', ' ')}]")


@store_group.command("show")
@click.argument("key")
@with_appcontext
def show(key):
    """Show one store's settings as JSON."""
    try:
        store = service.get_store(db.session, key)
    except AppError as error:
        _fail(error)
    click.echo(json.dumps(service.store_settings(store), indent=2))


@store_group.command("update")
@click.argument("key")
@_store_options
@click.option("--events", help="Events that are on, comma-separated, from: " + ",".join(PIXEL_EVENTS) + ".")
@click.option("--order-event", type=click.Choice(["PlaceAnOrder", "Purchase"]),
              help="Name of the order event. Purchase is what TikTok recommends; PlaceAnOrder is "
                   "deprecated and sunsets in 2027.")
@click.option("--consent-mode", type=click.Choice(["none", "hold"]),
              help="hold: send nothing until the page grants consent.")
@click.option("--advanced-matching/--no-advanced-matching", default=None)
@click.option("--pixel-enabled/--pixel-disabled", default=None)
@with_appcontext
def update(key, **values):
    """Change a store's settings."""
    try:
        store = service.get_store(db.session, key)
        changed = update_store_as(db.session, Caller.operator(), store, **_given(**values))
    except AppError as error:
        _fail(error)
    _say_what_domains_kept(values.get("domains"))
    click.echo(f"Changed: {', '.join(changed)}." if changed else "Nothing changed.")


@store_group.command("delete")
@click.argument("key")
@click.option("--confirm", "confirmation", required=True, metavar="NAME", help="The store's name, exactly.")
@with_appcontext
def delete(key, confirmation):
    """Delete a store for good: disconnect TikTok, stop its jobs, remove its data here (TikTok keeps
    the products already there)."""
    try:
        store = service.get_store(db.session, key)
        done = delete_store(db.session, Caller.operator(), store, confirmation)
    except AppError as error:
        _fail(error)
    click.echo(f"Deleted store {done['name']!r} ({done['key']}): {done['rows_removed']} rows removed, "
               f"{done['jobs_cancelled']} waiting jobs cancelled"
               f"{', TikTok disconnected' if done['tiktok_disconnected'] else ''}. "
               "Its products stay on TikTok until you remove them in TikTok Catalog Manager.")


@click.command("snippet")
@click.argument("key")
@click.argument("event", required=False, type=click.Choice(["head", *PIXEL_EVENTS, "Purchase"]))
@click.option("--platform", type=click.Choice(PLATFORMS), help="Defaults to the store's platform.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="vtex-io: write the store's pixel app into this folder (for vtex link / vtex publish).")
@click.option("--vendor", default="tiktokconnector", show_default=True,
              help="vtex-io: the VTEX account the app is published under.")
@with_appcontext
def snippet_command(key, event, platform, out_dir, vendor):
    """Print what to paste: the head snippet, one event snippet, the Ecwid script tag or the VTEX IO
    listener; or write the VTEX IO pixel app (--platform vtex-io --out DIR)."""
    try:
        store = service.get_store(db.session, key)
    except AppError as error:
        _fail(error)
    base, platform = current_app.config["TTC_PUBLIC_URL"], platform or store.platform
    try:
        if out_dir is not None:
            if platform != "vtex-io":
                raise snippets.SnippetError("--out writes the VTEX IO pixel app: use it with --platform vtex-io")
            _write_app(out_dir, store.public_key, base, vendor)
        elif event not in (None, "head") and platform in snippets.PLATFORM_EVENTS:
            raise snippets.SnippetError(f"{platform} stores need no event snippets: run `snippet {key} "
                                        f"--platform {platform}` for the one script that fires every event")
        elif platform == "ecwid" and event is None:
            click.echo(snippets.render_ecwid_tag(store.public_key, base))
        elif platform == "vtex-io" and event is None:
            click.echo(render_listener(store.public_key, base))
        elif event in (None, "head"):
            click.echo(snippets.render_head(store.public_key, base))
        else:
            name = "PlaceAnOrder" if event == "Purchase" else event
            click.echo(snippets.render_event(name, platform, store.currency))
    except snippets.SnippetError as error:
        raise click.UsageError(str(error)) from None


def _write_app(out_dir, store_key, base, vendor):
    """Write the VTEX IO pixel app's files; an existing file is replaced, nothing else is touched."""
    files = app_files(store_key, base, vendor=vendor)
    root = Path(out_dir)
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    click.echo(f"Wrote the VTEX IO pixel app ({len(files)} files) to {root}. Next: cd {root} && vtex link "
               f"(try it in a workspace), then vtex publish and vtex install.")
