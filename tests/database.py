"""Pytest plugin: the app on real databases. Every app test runs on SQLite and again on PostgreSQL."""
import os
import uuid

import pytest

from server.app import create_app
from server.extensions import db

POSTGRES_ADMIN_URL = os.environ.get("TTC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def pytest_configure(config):
    # Settings from the developer's shell must not leak into tests.
    for name in [n for n in os.environ if n.startswith("TTC_") and not n.startswith("TTC_TEST")]:
        del os.environ[name]


def _postgres_database():
    """Create a throwaway PostgreSQL database; returns (url, drop)."""
    import psycopg

    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3, autocommit=True)
    except psycopg.OperationalError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL is not reachable ({error}); .ci/run starts it")
    name = f"ttc_test_{uuid.uuid4().hex[:12]}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
        # A throwaway database need not wait for its WAL to reach the disk at each commit: what a
        # commit makes visible to other connections is the same, only a crash of PostgreSQL itself
        # (which no test causes) could lose the last commits. The server's own settings are untouched.
        cursor.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]

    def drop():
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    return f"{base}/{name}", drop


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    """A migrated database for the session: a SQLite file, or a throwaway PostgreSQL database."""
    drop = None
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "test.sqlite3")
    else:
        url, drop = _postgres_database()
    migrated = create_app({"TTC_DATABASE_URL": url, "TTC_AUTO_MIGRATE": True,
                           "INSTANCE_PATH": str(tmp_path_factory.mktemp("migrate-instance"))})
    with migrated.app_context():
        db.engine.dispose()
    yield url
    if drop:
        drop()


def make_test_config(database_url, instance_path, **overrides):
    """Settings for an app under test."""
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(instance_path),
        "TTC_DATABASE_URL": database_url,
        "TTC_AUTO_MIGRATE": False,
        "TTC_PUBLIC_URL": "https://connector.test",
    }
    config.update(overrides)
    return config


@pytest.fixture
def app_config(database_url, tmp_path):
    """Overrides for the ``app`` fixture; a test may update it before asking for ``app``."""
    return make_test_config(database_url, tmp_path / "instance")


@pytest.fixture
def app(app_config):
    """The application on a clean database (rows removed after each test).

    Its background threads stop first: a job runner or spool left running would go on reading and
    writing the session's database while later tests use it (on SQLite, where ids start again at 1,
    it would take their jobs for its own store's)."""
    application = create_app(app_config)
    yield application
    application.extensions["ttc_jobs"].stop()
    application.extensions["ttc_events"].spool.stop()
    with application.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client for ``app``."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A command-line runner for ``app``."""
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    """The database session inside an app context."""
    with app.app_context():
        yield db.session
