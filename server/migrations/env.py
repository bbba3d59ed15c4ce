"""Alembic environment: runs against the application's engine and metadata."""
from alembic import context
from flask import current_app

config = context.config
target_metadata = current_app.extensions["migrate"].db.metadata
migrate_options = current_app.extensions["migrate"].configure_args


def run_migrations_offline():
    """Emit SQL to stdout instead of running it."""
    context.configure(url=str(current_app.extensions["migrate"].db.engine.url).replace("%", "%%"),
                      target_metadata=target_metadata, literal_binds=True, **migrate_options)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the migrations on a live connection."""
    engine = current_app.extensions["migrate"].db.engine
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **migrate_options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
