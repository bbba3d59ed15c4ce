"""``flask user ...``, ``flask apikey ...`` and ``flask store add-member`` / ``remove-member``: accounts from the
command line.

Everything here runs as the operator: it sees every store, and the audit log says "operator (CLI)".
"""
import secrets
import sys

import click
from flask.cli import with_appcontext

from server import audit
from server.auth import accounts, api_keys
from server.auth.access import Caller, add_member, load_store_for, remove_member
from server.cli_support import fail as _fail
from server.errors import AppError
from server.extensions import db
from server.models.user import ROLES

# Store keys are random URL-safe text and may start with "-": take such a word as the KEY argument,
# not as an unknown option.
KEY_FIRST = {"ignore_unknown_options": True}


def _password(from_stdin):
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    return secrets.token_urlsafe(18), True


@click.group("user")
def user_group():
    """Create merchant accounts and reset their passwords."""


@user_group.command("create")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@with_appcontext
def create_user(email, password_stdin):
    """Create an account; without --password-stdin a strong password is made and printed once."""
    password, generated = _password(password_stdin)
    try:
        user = accounts.create_user(db.session, email, password)
    except AppError as error:
        _fail(error)
    audit.record(db.session, None, None, "user.created", {"email": user.email})
    db.session.commit()
    click.echo(f"Created account {user.email}.")
    if generated:
        click.echo("Password (shown only now; store it safely):")
        click.echo(password)


@user_group.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@with_appcontext
def set_password(email, password_stdin):
    """Give an account a new password; without --password-stdin one is made and printed once."""
    user = accounts.find_user(db.session, email)
    if user is None:
        raise click.ClickException(f"no account with email {email!r}")
    password, generated = _password(password_stdin)
    try:
        accounts.set_password(db.session, user, password)
    except AppError as error:
        _fail(error)
    audit.record(db.session, None, None, "user.password_changed", {"email": user.email})
    db.session.commit()
    click.echo(f"Changed the password of {user.email}.")
    if generated:
        click.echo("Password (shown only now; store it safely):")
        click.echo(password)


@click.command("add-member", context_settings=KEY_FIRST)
@click.argument("key")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="member", show_default=True,
              help="owner: may change the store; member: may only look at it.")
@with_appcontext
def add_member_command(key, email, role):
    """Give an existing account a role in a store."""
    try:
        store = load_store_for(db.session, Caller.operator(), key, "write").store
        user = add_member(db.session, Caller.operator(), store, email, role)
    except AppError as error:
        _fail(error)
    click.echo(f"{user.email} is now {role} of {store.name!r}.")


@click.command("remove-member", context_settings=KEY_FIRST)
@click.argument("key")
@click.argument("email")
@with_appcontext
def remove_member_command(key, email):
    """Take a person's role in a store away (their account stays)."""
    try:
        store = load_store_for(db.session, Caller.operator(), key, "write").store
        user = remove_member(db.session, Caller.operator(), store, email)
    except AppError as error:
        _fail(error)
    click.echo(f"{user.email} no longer has access to {store.name!r}.")


@click.group("apikey")
def apikey_group():
    """Create, list and revoke a store's API keys."""


@apikey_group.command("create", context_settings=KEY_FIRST)
@click.argument("key")
@click.option("--name", default="", help="What the key is for, e.g. 'deploy script'.")
@with_appcontext
def create_api_key(key, name):
    """Make an API key for a store; prints the key itself (shown only now) as the last line."""
    try:
        store = load_store_for(db.session, Caller.operator(), key, "write").store
        row, secret = api_keys.create_api_key(db.session, Caller.operator(), store, name)
    except AppError as error:
        _fail(error)
    click.echo(f"Created API key {row.prefix}… ({row.name}) for {store.name!r}. It is shown only now:")
    click.echo(secret)


@apikey_group.command("list", context_settings=KEY_FIRST)
@click.argument("key")
@with_appcontext
def list_api_keys(key):
    """List a store's API keys (never the keys themselves)."""
    try:
        store = load_store_for(db.session, Caller.operator(), key, "read").store
    except AppError as error:
        _fail(error)
    rows = api_keys.api_keys_of(db.session, store)
    if not rows:
        click.echo("No API keys.")
    for row in rows:
        state = "active" if row.active else f"revoked {row.revoked_at:%Y-%m-%d}"
        used = f"last used {row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never used"
        click.echo(f"{row.id}  {row.prefix}…  {row.name}  [{state}, {used}]")


@apikey_group.command("revoke", context_settings=KEY_FIRST)
@click.argument("key")
@click.argument("key_id", type=int)
@with_appcontext
def revoke_api_key(key, key_id):
    """Revoke one of a store's API keys (the number shown by ``apikey list``)."""
    try:
        store = load_store_for(db.session, Caller.operator(), key, "write").store
        row = api_keys.revoke_api_key(db.session, Caller.operator(), store, key_id)
    except AppError as error:
        _fail(error)
    click.echo(f"Revoked API key {row.prefix}… ({row.name}).")
