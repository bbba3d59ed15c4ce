"""Schema migrations (Alembic through Flask-Migrate); a new database is brought up to date on start."""
import fcntl
import os
from pathlib import Path

import flask_migrate
from sqlalchemy import text

from server import models  # noqa: F401  (registers every table for autogenerate)
from server.extensions import db, migrate

DIRECTORY = str(Path(__file__).with_name("migrations"))
PG_LOCK_ID = 0x7474_6300  # advisory lock id: one migrating process at a time per database


def init_app(app):
    """Bind Flask-Migrate to the app with the packaged migrations folder."""
    migrate.init_app(app, db, directory=DIRECTORY, render_as_batch=True, compare_type=True)


def upgrade_on_start(app):
    """Upgrade the schema to head unless TTC_AUTO_MIGRATE is off; safe with many workers starting."""
    if not app.config["TTC_AUTO_MIGRATE"]:
        return
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": PG_LOCK_ID})
                try:
                    flask_migrate.upgrade(directory=DIRECTORY)
                finally:
                    connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": PG_LOCK_ID})
        else:
            os.makedirs(app.instance_path, exist_ok=True)
            with open(os.path.join(app.instance_path, "migrate.lock"), "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                flask_migrate.upgrade(directory=DIRECTORY)
        # Workers forked after this (gunicorn --preload) must not share the master's connections.
        db.engine.dispose()
