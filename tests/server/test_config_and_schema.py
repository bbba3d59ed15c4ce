"""Settings, generated secrets, and the schema brought up to date on start."""
import os
import stat

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from server import create_app
from server.extensions import db
from server.security import decrypt_secret, encrypt_secret


def test_first_run_generates_secrets_into_the_instance_folder(tmp_path):
    instance = tmp_path / "instance"
    app = create_app({"INSTANCE_PATH": str(instance), "TTC_AUTO_MIGRATE": False})
    secrets_file = instance / "secrets.json"
    assert stat.S_IMODE(os.stat(secrets_file).st_mode) == 0o600
    again = create_app({"INSTANCE_PATH": str(instance), "TTC_AUTO_MIGRATE": False})
    assert app.config["SECRET_KEY"] == again.config["SECRET_KEY"] and len(app.config["SECRET_KEY"]) >= 32
    assert app.config["TTC_TOKEN_KEY"] == again.config["TTC_TOKEN_KEY"]


def test_environment_overrides_instance_file_and_is_typed(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("TTC_PIXEL_MAX_AGE = 30\nTTC_PUBLIC_URL = 'https://a.example/'\n")
    monkeypatch.setenv("TTC_PUBLIC_URL", "https://connector.example.com/")
    monkeypatch.setenv("TTC_AUTO_MIGRATE", "false")
    app = create_app({"INSTANCE_PATH": str(instance)})
    assert app.config["TTC_PIXEL_MAX_AGE"] == 30
    assert app.config["TTC_PUBLIC_URL"] == "https://connector.example.com"
    assert app.config["TTC_AUTO_MIGRATE"] is False
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance}/tiktok-connector.sqlite3"


def test_a_mistyped_import_worker_setting_stops_the_start(tmp_path, monkeypatch):
    monkeypatch.setenv("TTC_CATALOG_IMPORT_WORKER", "yes")
    with pytest.raises(ValueError, match="TTC_CATALOG_IMPORT_WORKER must be auto, always or never, not 'yes'"):
        create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TTC_AUTO_MIGRATE": False})


def test_starting_on_a_new_database_creates_the_schema(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance")})
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert "stores" in tables and "alembic_version" in tables


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_tokens_are_encrypted_at_rest_and_keys_rotate(app):
    from cryptography.fernet import Fernet

    old_key = app.config["TTC_TOKEN_KEY"]
    stored = encrypt_secret("act.secret-token", old_key)
    assert "secret-token" not in stored
    new_key = Fernet.generate_key().decode()
    assert decrypt_secret(stored, f"{new_key},{old_key}") == "act.secret-token"
