"""Settings: defaults, then the instance file, then TTC_* environment variables, then test overrides.

This is the one module that reads the environment; everything else reads ``current_app.config``.
"""
import json
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

DEFAULTS = {
    "TTC_DATABASE_URL": None,  # None: a SQLite file in the instance folder
    "TTC_SECRET_KEY": None,  # None: generated once into the instance folder
    "TTC_TOKEN_KEY": None,  # Fernet key(s), comma-separated, newest first; None: generated
    "TTC_PUBLIC_URL": "http://127.0.0.1:8000",
    "TTC_TIKTOK_API_BASE": "https://business-api.tiktok.com",
    "TTC_TIKTOK_AUTH_URL": "https://business-api.tiktok.com/portal/auth",
    "TTC_TIKTOK_APP_ID": "",
    "TTC_TIKTOK_APP_SECRET": "",
    "TTC_BROKER_URL": "",
    "TTC_REDIS_URL": "",
    "TTC_AUTO_MIGRATE": True,
    # Shoppers' browsers and caches keep the pixel configuration this long; a disconnect reaches
    # every page within max-age + stale-while-revalidate.
    "TTC_PIXEL_MAX_AGE": 60,
    "TTC_PIXEL_STALE_WHILE_REVALIDATE": 120,
    # How often a worker re-reads a cached store from the database even when no change was
    # signalled on this host (the safety net for several hosts sharing one database).
    "TTC_PIXEL_REVALIDATE_SECONDS": 30,
    "TTC_LOG_LEVEL": "INFO",
}

SECRETS_FILE = "secrets.json"
ENV_PREFIX = "TTC_"


def instance_path():
    """The instance folder: TTC_INSTANCE_PATH, or ./instance under the working directory."""
    return os.path.abspath(os.environ.get("TTC_INSTANCE_PATH") or "instance")


def load(app, test_config=None):
    """Fill app.config in order: defaults, instance file, TTC_* environment, test overrides."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(_from_environment(os.environ))
    if test_config:
        app.config.update(test_config)
    _fill_generated_secrets(app)
    _derive_flask_settings(app)


def _from_environment(environ):
    """TTC_* variables, typed like their defaults (ints stay ints, booleans accept 1/true/yes)."""
    values = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name == "TTC_INSTANCE_PATH":
            continue
        default = DEFAULTS.get(name)
        if isinstance(default, bool):
            values[name] = raw.strip().lower() in ("1", "true", "yes", "on")
        elif isinstance(default, int):
            values[name] = int(raw)
        else:
            values[name] = raw
    return values


def _fill_generated_secrets(app):
    """Generate missing secrets once into the instance folder (mode 0600), never into the repo."""
    if app.config["TTC_SECRET_KEY"] and app.config["TTC_TOKEN_KEY"]:
        return
    stored = _read_or_create_secrets(Path(app.instance_path) / SECRETS_FILE)
    for name in ("TTC_SECRET_KEY", "TTC_TOKEN_KEY"):
        if not app.config[name]:
            app.config[name] = stored[name]


def _read_or_create_secrets(path):
    """Read the generated secrets; the first process to get here writes them (O_EXCL wins races)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = {
        "TTC_SECRET_KEY": secrets.token_urlsafe(48),
        "TTC_TOKEN_KEY": Fernet.generate_key().decode("ascii"),
    }
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another process is writing it right now
            text = path.read_text()
            if text.strip():
                return json.loads(text)
        raise
    with os.fdopen(fd, "w") as handle:
        json.dump(fresh, handle)
    return fresh


def _derive_flask_settings(app):
    """Translate TTC_* settings into the names Flask and its extensions read."""
    url = app.config["TTC_DATABASE_URL"]
    if not url:
        url = "sqlite:///" + os.path.join(app.instance_path, "tiktok-connector.sqlite3")
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    app.config["TTC_DATABASE_URL"] = url
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SECRET_KEY"] = app.config["TTC_SECRET_KEY"]
    app.config["TTC_PUBLIC_URL"] = app.config["TTC_PUBLIC_URL"].rstrip("/")
    app.config.setdefault("JSON_SORT_KEYS", False)
