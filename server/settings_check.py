"""Every TTC_* setting parsed and checked when the application starts.

A setting's type is its default's (a whole number, a number, true/false, text), or the one
server/config.py declares for it in ``TYPES`` when the default (None) does not say; ``RULES`` adds the
range or the choices a setting takes. This module imports nothing of the application: server/config.py
hands it the defaults and types. A value from the environment or the instance file arrives as
text and leaves typed, so the code reads ``app.config["TTC_JOB_THREADS"]`` as an int. A bad value
raises ``SettingError`` with one line naming the setting, the value and what it takes; it is a
``click.ClickException``, so ``flask`` and ``tiktok-connector`` print that line and exit 1 (no
traceback), and ``deploy/gunicorn.conf.py`` checks the same way before gunicorn loads the app.
"""
import re
from dataclasses import dataclass

import click

TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")
HIDDEN = ("TTC_SECRET_KEY", "TTC_TOKEN_KEY", "TTC_TIKTOK_APP_SECRET", "TTC_ECWID_CLIENT_SECRET", "TTC_DATABASE_URL",
          "TTC_BROKER_URL", "TTC_REDIS_URL")  # their values never reach an error message (keys, passwords in URLs)


class SettingError(click.ClickException):
    """Raised when a TTC_* setting has a value the application cannot use; the message is one line."""

    exit_code = 2


@dataclass(frozen=True)
class Rule:
    """What one setting takes beyond its type: a range (``low``/``high``), choices or a pattern."""

    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    pattern: str | None = None
    says: str = ""  # what it takes, when the pattern alone would not tell
    fraction: bool = False  # a whole-number default, but fractions are fine (12 hours, or 0.5)


MINUTE, DAY = 60, 86_400
RULES = {
    "TTC_PUBLIC_URL": Rule(pattern=r"https?://[^\s/]+(/\S*)?", says="an http(s):// address"),
    "TTC_TIKTOK_API_BASE": Rule(pattern=r"https?://[^\s/]+(/\S*)?", says="an http(s):// address"),
    "TTC_TIKTOK_AUTH_URL": Rule(pattern=r"https?://[^\s/]+(/\S*)?", says="an http(s):// address"),
    "TTC_ECWID_API_BASE": Rule(pattern=r"https?://[^\s/]+(/\S*)?|", says="an http(s):// address"),  # empty: Ecwid's
    "TTC_ECWID_OAUTH_BASE": Rule(pattern=r"https?://[^\s/]+(/\S*)?", says="an http(s):// address"),
    "TTC_TRUSTED_PROXIES": Rule(0, 10),
    "TTC_MAX_BODY": Rule(1024, 2**31),
    "TTC_CATALOG_MAX_BODY": Rule(1024, 2**34),
    "TTC_PIXEL_MAX_AGE": Rule(0, DAY),
    "TTC_PIXEL_STALE_WHILE_REVALIDATE": Rule(0, DAY),
    "TTC_PIXEL_REVALIDATE_SECONDS": Rule(1, DAY),
    "TTC_PIXEL_PUBLISH_DIR": Rule(pattern=r"/.*|", says="an absolute folder path, or empty"),
    "TTC_LOG_LEVEL": Rule(choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    "TTC_JOB_RUNNER": Rule(choices=("auto", "embedded", "celery", "off")),
    "TTC_JOB_THREADS": Rule(1, 64),
    "TTC_JOB_LEASE_SECONDS": Rule(5, DAY),
    "TTC_JOB_POLL_SECONDS": Rule(0.01, 3600),
    "TTC_JOB_TICK_SECONDS": Rule(0.01, 3600),
    "TTC_TIKTOK_TIMEOUT": Rule(0.1, 600),
    "TTC_TIKTOK_CONNECT_TIMEOUT": Rule(0.1, 600),
    "TTC_REDIS_TIMEOUT": Rule(0.1, 600),
    "TTC_TIKTOK_MAX_ATTEMPTS": Rule(1, 20),
    "TTC_TIKTOK_RETRY_BASE_DELAY": Rule(0, 60),
    "TTC_CATALOG_UPLOAD_BATCH": Rule(1, 5000),  # TikTok's maximum per upload
    "TTC_CATALOG_LOG_POLL_SECONDS": Rule(0.01, 3600),
    "TTC_CATALOG_LOG_WAIT_SECONDS": Rule(1, DAY),
    "TTC_CATALOG_REVIEW_POLL_SECONDS": Rule(1, DAY),
    "TTC_CATALOG_RECONCILES_PER_DAY": Rule(0, 24),
    "TTC_CATALOG_IMPORT_WORKER": Rule(choices=("auto", "always", "never")),
    "TTC_SMTP_SECURITY": Rule(choices=("starttls", "ssl", "none")),
    "TTC_CATALOG_RETRY_SECONDS": Rule(0.01, 3600),
    "TTC_WEBHOOK_TOLERANCE_SECONDS": Rule(1, DAY),
    "TTC_IMAGE_TIMEOUT": Rule(0.1, 600),
    "TTC_IMAGE_RECHECK_HOURS": Rule(0, 24 * 365, fraction=True),
    "TTC_IMAGE_THREADS": Rule(1, 64),
    "TTC_EVENTS_MAX_BODY": Rule(256, 1_048_576),
    "TTC_EVENTS_RATE_PER_MINUTE": Rule(1, 1_000_000),
    "TTC_EVENTS_TRUSTED_PROXIES": Rule(-1, 10),
    "TTC_EVENTS_SPOOL_MS": Rule(0, 60_000),
    "TTC_EVENTS_RELAY_DELAY": Rule(0, 3600),
    "TTC_EVENTS_BATCH": Rule(1, 1000),  # TikTok's maximum per request
    "TTC_EVENTS_LOG_DAYS": Rule(0.01, 3650, fraction=True),
    "TTC_ADS_MIN_DAILY_BUDGET": Rule(0, 10**9),
    "TTC_ADS_MIN_DAILY_BUDGETS": Rule(pattern=r"([A-Za-z]{3}=\d+(\.\d+)?)(\s*,\s*[A-Za-z]{3}=\d+(\.\d+)?)*|",
                                      says='currency=amount pairs, as "JPY=5000,BRL=250"'),
    "TTC_ADS_CACHE_SECONDS": Rule(0, DAY),
    "TTC_SESSION_HOURS": Rule(0.01, 24 * 365, fraction=True),
    "TTC_SIGN_IN_MAX_FAILURES_PER_EMAIL": Rule(1, 10_000),
    "TTC_SIGN_IN_MAX_FAILURES_PER_IP": Rule(1, 1_000_000),
    "TTC_SIGN_IN_WINDOW_MINUTES": Rule(1, 24 * 60),
    "TTC_ARGON2_TIME_COST": Rule(1, 100),
    "TTC_ARGON2_MEMORY_KIB": Rule(8, 4 * 1024 * 1024),
    "TTC_ARGON2_PARALLELISM": Rule(1, 64),
    "TTC_CONNECT_STATE_SECONDS": Rule(10, DAY),
}


def kind_of(name, default, types):
    """The type a setting's values take: ``types[name]``, else its default's; a None default must be declared."""
    kind = types.get(name, type(default))
    if kind not in (bool, int, float, str):
        raise TypeError(f"setting {name} has no type: give it a typed default or declare it in config.TYPES")
    return kind


def from_text(name, raw, kind):
    """A setting's value from text (the environment, or text in the instance file), typed as ``kind``."""
    rule = RULES.get(name)
    if kind is bool:
        word = raw.strip().lower()
        if word not in TRUE + FALSE:
            raise SettingError(_problem(name, raw, "true or false (1/0, yes/no, on/off)"))
        return word in TRUE
    if kind in (int, float):
        whole = kind is int and not (rule is not None and rule.fraction)
        try:
            return int(raw.strip()) if whole else _number(raw.strip())
        except ValueError:
            raise SettingError(_problem(name, raw, _kind(kind, rule))) from None
    return raw


def _number(text):
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value


def check(values, defaults, types):
    """Type and check every setting of ``defaults`` found in ``values`` (a dict, changed in place);
    ``types`` declares the type of settings whose default does not say. Raises SettingError for the
    first bad one."""
    for name, default in defaults.items():
        if name in values:
            values[name] = checked(name, values[name], kind_of(name, default, types))


def checked(name, value, kind):
    """One setting's value, typed as ``kind`` (bool, int, float or str) and checked; raises SettingError."""
    rule = RULES.get(name)
    if isinstance(value, str) and kind is not str:
        value = from_text(name, value, kind)
    if kind is bool:
        if not isinstance(value, bool):
            raise SettingError(_problem(name, value, "true or false"))
    elif kind in (int, float):
        whole = kind is int and not (rule is not None and rule.fraction)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or (
                whole and isinstance(value, float) and not value.is_integer()):
            raise SettingError(_problem(name, value, _kind(kind, rule)))
        value = int(value) if whole else value if kind is int else float(value)
    elif value is not None and not isinstance(value, str):
        raise SettingError(_problem(name, value, "text"))
    if rule is not None and not _fits(value, rule):
        raise SettingError(_problem(name, value, _kind(kind, rule)))
    if rule is not None and rule.choices and isinstance(value, str):
        value = next(choice for choice in rule.choices if choice.lower() == value.strip().lower())
    return value


def _fits(value, rule):
    if rule.choices:
        return isinstance(value, str) and value.strip().lower() in [choice.lower() for choice in rule.choices]
    if rule.pattern is not None:
        return value is None or value == "" and rule.pattern.endswith("|") or bool(
            isinstance(value, str) and re.fullmatch(rule.pattern, value.strip()))
    return (rule.low is None or value >= rule.low) and (rule.high is None or value <= rule.high)


def _kind(kind, rule):
    if rule is not None and rule.says:
        return rule.says
    if rule is not None and rule.choices:
        return "one of " + ", ".join(rule.choices)
    noun = "a whole number" if kind is int and not (rule and rule.fraction) else "a number"
    if rule is None or (rule.low is None and rule.high is None):
        return noun
    return f"{noun} from {_plain(rule.low)} to {_plain(rule.high)}"


def _plain(number):
    return f"{number:g}" if isinstance(number, float) else str(number)


def _problem(name, value, takes):
    if name in HIDDEN:
        return f"setting {name} is not valid: it takes {takes}"
    shown = value if isinstance(value, str) else repr(value)
    shown = shown.replace("\n", "\\n").replace("\r", "\\r")
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return f"setting {name}={shown!r} is not valid: it takes {takes}"
