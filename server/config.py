"""Settings: defaults, then the instance file, then TTC_* environment variables, then test overrides.

This is the one module that reads the environment; everything else reads ``current_app.config``.
"""
import json
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet
from flask import Config

from server import jsontext, settings_check

DEFAULTS = {
    "TTC_DATABASE_URL": None,  # None: a SQLite file in the instance folder
    "TTC_SECRET_KEY": None,  # None: generated once into the instance folder
    "TTC_TOKEN_KEY": None,  # Fernet key(s), comma-separated, newest first; None: generated
    "TTC_PUBLIC_URL": None,  # None: TTC_LISTEN_URL, the address `make serve` listens on
    "TTC_LISTEN_URL": "http://127.0.0.1:8000",  # set by `make serve HOST=... PORT=...`
    # Reverse proxies in front of the server (1 behind deploy/nginx): the client's address is the
    # one the outermost of them saw in X-Forwarded-For (sign-in limits, audit, server events).
    # 0 reads no X-Forwarded-For: anyone could write one.
    "TTC_TRUSTED_PROXIES": 0,
    "TTC_TIKTOK_API_BASE": "https://business-api.tiktok.com",
    "TTC_TIKTOK_AUTH_URL": "https://business-api.tiktok.com/portal/auth",
    "TTC_TIKTOK_APP_ID": "",
    "TTC_TIKTOK_APP_SECRET": "",
    "TTC_ECWID_CLIENT_SECRET": "",  # the Ecwid app's client_secret: signs its webhooks (POST /hooks/<key>/ecwid)
    "TTC_ECWID_CLIENT_ID": "",  # the Ecwid app's client_id: set, the Catalog page offers "Connect with Ecwid"
    "TTC_BROKER_URL": "",
    "TTC_REDIS_URL": "",
    "TTC_REDIS_TIMEOUT": 5.0,  # seconds to wait for Redis (the pacer's, a Redis broker's) before giving up
    "TTC_AUTO_MIGRATE": True,
    # Request bodies: bytes any request may carry (413 before it is read), and the larger cap of the
    # catalog's push API and change webhook, whose bodies carry thousands of products.
    "TTC_MAX_BODY": 1_048_576,
    "TTC_CATALOG_MAX_BODY": 33_554_432,
    # Shoppers' browsers and caches keep the pixel configuration this long; a disconnect reaches
    # every page within max-age + stale-while-revalidate.
    "TTC_PIXEL_MAX_AGE": 60,
    "TTC_PIXEL_STALE_WHILE_REVALIDATE": 120,
    # How often a worker re-reads a cached store from the database even when no change was
    # signalled on this host (the safety net for several hosts sharing one database).
    "TTC_PIXEL_REVALIDATE_SECONDS": 30,
    # A folder the app writes each store's pixel scripts to, for nginx to serve as static files
    # (deploy/nginx/pixel-cache.conf); empty: not published, nginx's proxy cache serves them.
    "TTC_PIXEL_PUBLISH_DIR": "",
    "TTC_LOG_LEVEL": "INFO",
    # Background jobs. auto: Celery workers when TTC_BROKER_URL is set, else threads in the server
    # process; "embedded", "celery" or "off" (jobs wait for `flask jobs work` or a foreground command).
    "TTC_JOB_RUNNER": "auto",
    "TTC_JOB_QUEUE": "ttc",
    "TTC_JOB_THREADS": 2,
    "TTC_JOB_LEASE_SECONDS": 120,  # a runner that stops renewing its lease this long is presumed dead
    "TTC_JOB_POLL_SECONDS": 2.0,
    "TTC_JOB_TICK_SECONDS": 30,
    "TTC_JOB_REAP_DEAD_PROCESSES": True,  # resume at once a job whose process on this host is gone
    # The TikTok client the catalog sync (and later features) use.
    "TTC_TIKTOK_TIMEOUT": 30.0,
    "TTC_TIKTOK_CONNECT_TIMEOUT": 5.0,
    "TTC_TIKTOK_MAX_ATTEMPTS": 4,
    "TTC_TIKTOK_RETRY_BASE_DELAY": 0.5,
    "TTC_TIKTOK_MAX_RETRY_AFTER": 60.0,  # longest HTTP 429 Retry-After waited for in place; longer gives up
    # Catalog sync.
    "TTC_CATALOG_UPLOAD_BATCH": 5000,  # products per upload (TikTok's maximum)
    "TTC_CATALOG_LOG_POLL_SECONDS": 2.0,  # first pause before reading an upload's log; grows to 15 s
    "TTC_CATALOG_LOG_WAIT_SECONDS": 900,  # then the job lets go and resumes polling later
    "TTC_CATALOG_REVIEW_POLL_SECONDS": 300,  # first review check after an upload; backs off to hours
    "TTC_CATALOG_RECONCILES_PER_DAY": 2,
    # Feed imports: a worker process reads and prepares the items while this one stores them.
    # auto: for feeds over 4 MB on a machine with two cores or more; always; never.
    "TTC_CATALOG_IMPORT_WORKER": "auto",
    # A full feed that would remove more than this share of the store's products is refused
    # (nothing changes) unless the operator allows it: --allow-shrink, allow_shrink.
    "TTC_CATALOG_MAX_SHRINK_PERCENT": 50,
    # Caps on one item of a feed, so a hostile or broken feed cannot exhaust memory; past one,
    # the feed is refused with its line. A field, a row (CSV) or item (XML), a header's columns,
    # and what a gzip/deflate-compressed feed may decode to.
    "TTC_CATALOG_FEED_MAX_FIELD_KB": 1024,
    "TTC_CATALOG_FEED_MAX_ROW_KB": 4096,
    "TTC_CATALOG_FEED_MAX_COLUMNS": 1000,
    "TTC_CATALOG_FEED_MAX_DECODED_MB": 2048,
    # A sync TikTok throttled or failed comes back after this (doubling, at most 15 minutes);
    # throttled (40100...) waits at least twice this, as TikTok's per-minute windows need.
    "TTC_CATALOG_RETRY_SECONDS": 30.0,
    "TTC_WEBHOOK_TOLERANCE_SECONDS": 300,
    # Catalog sources (a feed URL, a VTEX account, an Ecwid store) pulled on the store's schedule.
    "TTC_CATALOG_SOURCE_PULLS_PER_DAY": 2,  # default full pulls a day (times spread by store key)
    "TTC_CATALOG_SOURCE_RETRY_SECONDS": 300.0,  # after a failed pull; doubling, at most 6 hours
    "TTC_CATALOG_SOURCE_DELTA_MINUTES": 15,  # Ecwid: changes since the last pull (catches missed webhooks)
    "TTC_CATALOG_SOURCE_NOTIFY_DELAY": 2.0,  # seconds a change notification waits, so a burst is one refetch
    "TTC_CATALOG_SOURCE_THREADS": 8,  # parallel requests of one pull (VTEX reads one SKU per request)
    "TTC_CATALOG_SOURCE_TIMEOUT": 30.0,
    "TTC_CATALOG_SOURCE_RETRY_BASE_DELAY": 0.5,  # first wait after a 5xx (doubling, 6 attempts); 429s wait Retry-After
    "TTC_CATALOG_SOURCE_ALLOW_PRIVATE_HOSTS": "",  # tests only: feed URL hosts allowed to be loopback/private
    "TTC_VTEX_API_BASE": "",  # empty: https://{account}.{environment}.com.br; else every account's API host
    "TTC_ECWID_API_BASE": "https://app.ecwid.com",
    "TTC_ECWID_OAUTH_BASE": "https://my.ecwid.com",  # where merchants authorize the app and codes are exchanged
    "TTC_VTEX_REQUESTS_PER_MINUTE": 15_000,  # VTEX's documented catalog limit per endpoint; 0: unpaced
    "TTC_ECWID_REQUESTS_PER_MINUTE": 600,  # Ecwid's documented limit per token; 0: unpaced
    "TTC_ECWID_WEBHOOK_MAX_AGE": 86_400,  # seconds; Ecwid retries for 24 h; older (and replayed) events are refused
    # Image checks before upload: header-only fetches, cached per URL.
    "TTC_IMAGE_CHECKS": True,
    "TTC_IMAGE_TIMEOUT": 10.0,
    "TTC_IMAGE_RECHECK_HOURS": 24,
    "TTC_IMAGE_THREADS": 8,
    "TTC_IMAGE_ALLOW_PRIVATE_HOSTS": "",  # tests only: host names allowed to be loopback/private
    "TTC_IMAGE_CA_BUNDLE": "",  # tests only: CA file for a local HTTPS image server
    # Server events: the collector (POST /pixel/<key>/events) and the relay to TikTok's Events API.
    "TTC_EVENTS_MAX_BODY": 8192,  # bytes a beacon may carry, checked before it is read
    "TTC_EVENTS_RATE_PER_MINUTE": 120,  # events one shopper IP may send one store (per worker without Redis)
    "TTC_EVENTS_TRUSTED_PROXIES": -1,  # the same for the events collector alone; -1: as TTC_TRUSTED_PROXIES
    "TTC_EVENTS_SPOOL_MS": 250,  # accepted events are written together this often; 0: one write per event
    "TTC_EVENTS_RELAY_DELAY": 1.0,  # seconds the relay gathers events before a request to TikTok
    "TTC_EVENTS_BATCH": 1000,  # events per TikTok request (TikTok's maximum)
    "TTC_EVENTS_LOG_DAYS": 7,  # how long the event log keeps events
    "TTC_EVENTS_ALLOW_HEADLESS": False,  # tests only: relay events from HeadlessChrome
    # Ads page. TikTok's minimum campaign daily budget is 50 times its ratio for the advertiser's
    # currency (USD 50, JPY 5,000: server/ads/tiktok_rules.py); a currency may be given its own: "BRL=250".
    "TTC_ADS_MIN_DAILY_BUDGET": 50.0,
    "TTC_ADS_MIN_DAILY_BUDGETS": "",
    "TTC_ADS_CACHE_SECONDS": 300,  # report results are reused this long per store and period
    # Email (password-reset links). No host: no email is sent, and the sign-in page offers no reset.
    "TTC_SMTP_HOST": "",
    "TTC_SMTP_PORT": 587,
    "TTC_SMTP_SECURITY": "starttls",  # starttls, ssl (implicit TLS, usually port 465) or none (a local relay)
    "TTC_SMTP_USERNAME": "",
    "TTC_SMTP_PASSWORD": "",
    "TTC_SMTP_TIMEOUT": 10.0,
    "TTC_MAIL_FROM": "",  # "": no-reply@ the public URL's host
    "TTC_PASSWORD_RESET_MINUTES": 30,  # how long a reset link works (it works once)
    # Feed imports from the admin: the largest upload, and hosts a feed URL may resolve to
    # privately (tests only; "*" for all; the command line's URLs are the operator's own and unchecked).
    "TTC_CATALOG_UPLOAD_MAX_BYTES": 512 * 1024 * 1024,
    "TTC_FEED_ALLOW_PRIVATE_HOSTS": "",
    # Merchant accounts and sign-in (server/auth).
    "TTC_SESSION_HOURS": 12,
    "TTC_ALLOW_SIGNUP": True,
    "TTC_SIGN_IN_MAX_FAILURES_PER_EMAIL": 5,
    "TTC_SIGN_IN_MAX_FAILURES_PER_IP": 50,
    "TTC_SIGN_IN_WINDOW_MINUTES": 15,
    # argon2id cost: the RFC 9106 "low memory" profile (argon2-cffi's default)
    "TTC_ARGON2_TIME_COST": 3,
    "TTC_ARGON2_MEMORY_KIB": 65536,
    "TTC_ARGON2_PARALLELISM": 4,
    # Connecting a store to TikTok (server/connect).
    "TTC_CONNECT_STATE_SECONDS": 600,  # how long the link to TikTok's consent page stays usable
}
# The type of each setting whose default does not say it (None); every other one takes its default's.
TYPES = {
    "TTC_DATABASE_URL": str,
    "TTC_SECRET_KEY": str,
    "TTC_TOKEN_KEY": str,
    "TTC_PUBLIC_URL": str,
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
    settings_check.check(app.config, DEFAULTS, TYPES)  # typed and checked: a bad value stops the start, naming it
    _fill_generated_secrets(app)
    _derive_flask_settings(app)


def _from_environment(environ):
    """TTC_* variables, typed like their defaults or as ``TYPES`` says; raises SettingError."""
    values = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name == "TTC_INSTANCE_PATH":
            continue
        if name in DEFAULTS:
            raw = settings_check.from_text(name, raw, settings_check.kind_of(name, DEFAULTS[name], TYPES))
        values[name] = raw
    return values


def check_start(environ=None):
    """Check the settings as ``create_app`` would read them, without building the app (for
    gunicorn's configuration, before it loads the app); raises SettingError."""
    settings = Config(instance_path())
    settings.from_mapping(DEFAULTS)
    settings.from_pyfile("config.py", silent=True)
    settings.update(_from_environment(os.environ if environ is None else environ))
    settings_check.check(settings, DEFAULTS, TYPES)


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
    engine_options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    engine_options.setdefault("json_serializer", jsontext.dumps)  # JSON columns: orjson, ~5x cheaper
    engine_options.setdefault("json_deserializer", jsontext.loads)
    app.config["SECRET_KEY"] = app.config["TTC_SECRET_KEY"]
    # Unless set, the public URL follows where the server listens, so snippets name the right port.
    app.config["TTC_PUBLIC_URL"] = (app.config["TTC_PUBLIC_URL"] or app.config["TTC_LISTEN_URL"]).rstrip("/")
    app.config.setdefault("JSON_SORT_KEYS", False)
