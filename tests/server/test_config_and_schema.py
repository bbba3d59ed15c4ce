"""Settings, generated secrets, and the schema brought up to date on start."""
import os
import re
import stat
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from server import config, settings_check
from server.app import create_app
from server.extensions import db
from server.security import decrypt_secret, encrypt_secret
from server.settings_check import SettingError


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
    with pytest.raises(SettingError, match="TTC_CATALOG_IMPORT_WORKER='yes' is not valid: it takes one of auto, "
                                           "always, never"):
        create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TTC_AUTO_MIGRATE": False})


@pytest.mark.parametrize("name, value, says", [
    ("TTC_PIXEL_MAX_AGE", "abc", "a whole number from 0 to 86400"),
    ("TTC_PIXEL_MAX_AGE", "-5", "a whole number from 0 to 86400"),
    ("TTC_JOB_POLL_SECONDS", "fast", "a number from 0.01 to 3600"),
    ("TTC_JOB_POLL_SECONDS", "nan", "a number from 0.01 to 3600"),
    ("TTC_SESSION_HOURS", "0", "a number from 0.01 to 8760"),
    ("TTC_LOG_LEVEL", "LOUD", "one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ("TTC_PUBLIC_URL", "connector.example.com", "an http(s):// address"),
    ("TTC_ECWID_OAUTH_BASE", "my.ecwid.com", "an http(s):// address"),
    ("TTC_ECWID_API_BASE", "ftp://app.ecwid.com", "an http(s):// address"),
    ("TTC_ADS_MIN_DAILY_BUDGETS", "JPY:5000", 'currency=amount pairs, as "JPY=5000,BRL=250"'),
    ("TTC_IMAGE_CHECKS", "sometimes", "true or false (1/0, yes/no, on/off)"),
    ("TTC_MAX_BODY", "10", "a whole number from 1024 to 2147483648"),
    ("TTC_PIXEL_PUBLISH_DIR", "published", "an absolute folder path, or empty"),
])
def test_every_setting_is_checked_at_start_with_one_line_naming_it(tmp_path, monkeypatch, name, value, says):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingError) as raised:
        create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TTC_AUTO_MIGRATE": False})
    assert raised.value.message == f"setting {name}={value!r} is not valid: it takes {says}"


def test_settings_in_the_instance_file_are_checked_too_and_secrets_never_shown(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("TTC_JOB_THREADS = 'two'\n")
    with pytest.raises(SettingError, match="TTC_JOB_THREADS='two'"):
        create_app({"INSTANCE_PATH": str(instance), "TTC_AUTO_MIGRATE": False})
    with pytest.raises(SettingError) as raised:
        create_app({"INSTANCE_PATH": str(tmp_path / "other"), "TTC_TIKTOK_APP_SECRET": 12345})
    assert "12345" not in raised.value.message and "TTC_TIKTOK_APP_SECRET" in raised.value.message


def test_settings_are_typed_when_loaded(tmp_path, monkeypatch):
    for name, value in {"TTC_JOB_POLL_SECONDS": "0.5", "TTC_EVENTS_RELAY_DELAY": "2", "TTC_SESSION_HOURS": "1.5",
                        "TTC_JOB_RUNNER": "Embedded", "TTC_SIGN_IN_WINDOW_MINUTES": "30"}.items():
        monkeypatch.setenv(name, value)
    config = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TTC_AUTO_MIGRATE": False}).config
    assert (config["TTC_JOB_POLL_SECONDS"], config["TTC_EVENTS_RELAY_DELAY"], config["TTC_SESSION_HOURS"]) == (
        0.5, 2.0, 1.5)
    assert config["TTC_JOB_RUNNER"] == "embedded" and config["TTC_SIGN_IN_WINDOW_MINUTES"] == 30


def test_numbers_from_the_environment_arrive_as_their_defaults_type(tmp_path, monkeypatch):
    for name, value in {"TTC_JOB_THREADS": "3", "TTC_TIKTOK_TIMEOUT": "7", "TTC_JOB_REAP_DEAD_PROCESSES": "off",
                        "TTC_SESSION_HOURS": "24", "TTC_ARGON2_PARALLELISM": "2"}.items():
        monkeypatch.setenv(name, value)
    config = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TTC_AUTO_MIGRATE": False}).config
    assert type(config["TTC_JOB_THREADS"]) is int and config["TTC_JOB_THREADS"] == 3
    assert type(config["TTC_TIKTOK_TIMEOUT"]) is float and config["TTC_TIKTOK_TIMEOUT"] == 7.0
    assert config["TTC_JOB_REAP_DEAD_PROCESSES"] is False
    assert config["TTC_SESSION_HOURS"] == 24 and type(config["TTC_ARGON2_PARALLELISM"]) is int


@pytest.mark.parametrize("name, value, says", [
    ("TTC_JOB_RUNNER", "threads", "one of auto, embedded, celery, off"),
    ("TTC_SMTP_SECURITY", "tls", "one of starttls, ssl, none"),
    ("TTC_JOB_REAP_DEAD_PROCESSES", "maybe", "true or false (1/0, yes/no, on/off)"),
    ("TTC_SIGN_IN_WINDOW_MINUTES", "15m", "a whole number from 1 to 1440"),
    ("TTC_CONNECT_STATE_SECONDS", "1.5", "a whole number from 10 to 86400"),
])
def test_check_start_names_the_setting_the_value_and_what_it_takes(tmp_path, monkeypatch, name, value, says):
    """The check gunicorn runs before it loads the app says the same as create_app."""
    monkeypatch.setenv("TTC_INSTANCE_PATH", str(tmp_path / "instance"))
    with pytest.raises(SettingError) as raised:
        config.check_start({name: value})
    assert raised.value.message == f"setting {name}={value!r} is not valid: it takes {says}"


def test_every_setting_has_a_type():
    for name, default in config.DEFAULTS.items():
        assert settings_check.kind_of(name, default, config.TYPES) in (bool, int, float, str), name
    with pytest.raises(TypeError, match="TTC_NEW_URL"):
        settings_check.kind_of("TTC_NEW_URL", None, config.TYPES)


def test_the_settings_check_imports_no_part_of_the_application():
    source = Path(settings_check.__file__).read_text()
    assert not re.search(r"^\s*(from server\b|import server\b)", source, re.MULTILINE)


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
