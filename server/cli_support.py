"""What every command group needs: errors said plainly, JSON, the --store option."""
import json

import click

from server.extensions import db

store_option = click.option("--store", "key", required=True, metavar="KEY", help="The store's key.")


def echo_json(value):
    """Print ``value`` as indented JSON (text as it is; dates and other values as their text)."""
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def fail(error):
    """Abort the command with an AppError's message and its per-field problems (nothing committed)."""
    db.session.rollback()
    lines = [error.message]
    for name, problem in error.fields.items():
        if f"{name}: {problem}" != error.message and problem != error.message:  # said once, not twice
            lines.append(f"  {name}: {problem}")
    raise click.ClickException("\n".join(lines))
