"""Logging: one format, and the one redactor. Secrets (and the personal data the Events API carries)
are scrubbed from every log record before it is written, and from the TikTok client's exceptions.

A value is a secret when it follows a secret-looking name (``refresh_token=...``, ``"client_secret":
"..."``, ``Authorization: Bearer ...``), when it is a known secret value handed to ``Redactor``, or when
it is a secret part of a URL (VTEX's notification path, an OAuth callback's code).
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable

REDACTED = "[redacted]"

# A name is secret-looking when it holds one of these words (compared lower-cased, "-" read as "_"):
# access_token, refresh_token, X-Ecwid-Token, client_secret, webhook_secret, auth_code, api_key...
_SECRET_WORDS = r"token|secret|password|passwd|auth_code|api[_-]?key|authorization|signature"
_SECRET_NAME = re.compile(rf"(?i)^[\w.-]*(?:{_SECRET_WORDS})[\w.-]*$")
# Personal data the Events API carries; hashed by contract, still never logged.
PERSONAL_KEYS = frozenset({"email", "phone", "phone_number", "external_id", "ip", "user_agent"})

# name=value (query strings), "Name: value" (headers) and "name": "value" (JSON text); the value is
# quoted or bare, and a "Bearer " before it is kept while the credential after it is masked.
_PAIR = re.compile(
    rf"""(?ix)
    (["']?\b[\w-]{{0,40}}?(?:{_SECRET_WORDS})[\w-]{{0,40}}["']?\s*[:=]\s*(?:bearer\s+|basic\s+)?)  # name, sep.
    (?:"[^"]*"|'[^']*'|[^\s&,;}}"']+)                                                   # the value
    """)
# "Bearer <credential>" wherever it appears, without a name before it.
_BEARER = re.compile(r"(?i)(\bbearer\s+)(?!\[redacted\])[^\s&,;}\"']+")
# Secrets that are a URL's last part: VTEX's notification URL can carry no signature, only a path secret.
_PATH_SECRETS = (re.compile(r"(/hooks/[^/\s]+/vtex/)[^\s/?\"']+"),
                 # An OAuth callback's code (Ecwid names it plain ``code``), in access log lines.
                 re.compile(r"(/connect/[a-z]+/callback\?(?:[^\s\"'#]*&)?(?:auth_)?code=)[^\s&\"'#]+"))


def is_secret_name(name) -> bool:
    """Whether a field or parameter of this name holds a secret."""
    return bool(_SECRET_NAME.match(str(name)))


class Redactor:
    """Masks secret values: by name in structures, by pattern and by known value in text."""

    def __init__(self, secrets: Iterable[str | None] = ()):
        self._values = tuple(sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True))

    def with_secrets(self, *secrets: str | None) -> Redactor:
        """A redactor that also masks these literal values."""
        return Redactor(self._values + tuple(secrets))

    def text(self, value: str) -> str:
        """``value`` with secret pairs, bearer credentials, secret URL parts and known values masked."""
        if not value:
            return value
        for secret in self._values:
            value = value.replace(secret, REDACTED)
        value = _PAIR.sub(lambda m: m.group(1) + REDACTED, value)
        value = _BEARER.sub(lambda m: m.group(1) + REDACTED, value)
        for pattern in _PATH_SECRETS:
            value = pattern.sub(lambda m: m.group(1) + REDACTED, value)
        return value

    def data(self, value):
        """A copy of a JSON-like structure with secret and personal fields masked."""
        if isinstance(value, dict):
            return {k: (REDACTED if is_secret_name(k) or str(k).lower() in PERSONAL_KEYS else self.data(v))
                    for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.data(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value


_REDACTOR = Redactor()


def redact(value, secrets: Iterable[str | None] = ()):
    """Redact a string or a JSON-like structure, masking the given literal secrets too."""
    redactor = Redactor(secrets) if secrets else _REDACTOR
    return redactor.text(value) if isinstance(value, str) else redactor.data(value)


class RedactingFilter(logging.Filter):
    """Scrub secrets from a record's final message; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _REDACTOR.text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install_log_redaction(logger_names: Iterable[str]) -> None:
    """Attach a RedactingFilter (once) to these loggers (the HTTP stack's log every URL at DEBUG)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())


def init_app(app):
    """Log to stderr at TTC_LOG_LEVEL with every handler of the root logger scrubbing secrets."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
    logging.getLogger("server").setLevel(app.config["TTC_LOG_LEVEL"])
