"""Redaction of secrets and personal data before anything reaches a log line or an exception."""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable

REDACTED = "[redacted]"

# Keys whose values are secrets (compared lower-cased, with "-" read as "_").
SECRET_KEYS = frozenset({
    "access_token", "secret", "app_secret", "client_secret", "auth_code", "refresh_token",
    "password", "authorization", "api_key",
})
# Personal data the Events API carries; hashed by contract, still never logged.
PERSONAL_KEYS = frozenset({"email", "phone", "phone_number", "external_id", "ip", "user_agent"})

_KEY_ALTERNATION = "|".join(sorted(
    {k.replace("_", "[_-]") for k in SECRET_KEYS}, key=len, reverse=True))
# key=value (query strings, headers "Key: value") and "key": "value" (JSON text).
_PAIR = re.compile(
    rf"""(?ix)
    (["']?\b(?:{_KEY_ALTERNATION})\b["']?\s*[:=]\s*)   # the key and its separator
    (?:"[^"]*"|'[^']*'|[^\s&,;}}"']+)                 # the value, quoted or bare
    """)


def _normal_key(key: str) -> str:
    return key.lower().replace("-", "_")


class Redactor:
    """Masks secret values: by key in structures, by pattern and by known value in text."""

    def __init__(self, secrets: Iterable[str | None] = ()):
        self._values = tuple(sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True))

    def with_secrets(self, *secrets: str | None) -> "Redactor":
        """Return a redactor that also masks these literal values."""
        return Redactor(self._values + tuple(secrets))

    def text(self, value: str) -> str:
        """Return ``value`` with secret pairs and known secret values masked."""
        if not value:
            return value
        for secret in self._values:
            value = value.replace(secret, REDACTED)
        return _PAIR.sub(lambda m: m.group(1) + REDACTED, value)

    def data(self, value):
        """Return a copy of a JSON-like structure with secret and personal fields masked."""
        if isinstance(value, dict):
            return {k: (REDACTED if _normal_key(str(k)) in SECRET_KEYS | PERSONAL_KEYS
                        else self.data(v)) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.data(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value


def redact(value, secrets: Iterable[str | None] = ()):
    """Redact a string or JSON-like structure, masking the given literal secrets too."""
    redactor = Redactor(secrets)
    return redactor.text(value) if isinstance(value, str) else redactor.data(value)


class RedactingFilter(logging.Filter):
    """A logging filter that masks secret pairs (``secret=...``, ``access_token=...``) in records."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message with secrets masked; never drops a record."""
        message = record.getMessage()
        cleaned = _REDACTOR.text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_REDACTOR = Redactor()
# urllib3 logs every URL at DEBUG, and TikTok puts the app secret in oauth2/advertiser/get/'s
# query string.
HTTP_LOGGERS = ("urllib3.connectionpool",)


def install_log_redaction(logger_names=HTTP_LOGGERS) -> None:
    """Attach a RedactingFilter (once) to the loggers of the HTTP stack."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
