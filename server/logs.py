"""Logging: one format, secrets scrubbed from every record before it is written."""
import logging
import re

SECRET_PATTERNS = [
    re.compile(r"(?i)(access[-_]token|secret|auth_code|api[-_]key|authorization|password)"
               r"(['\"]?\s*[:=]\s*['\"]?|\s+)(bearer\s+)?([^\s'\",&}]+)"),
]

# Secrets that are a URL's last part: VTEX's notification URL can carry no signature, only a path secret.
PATH_SECRETS = [re.compile(r"(/hooks/[^/\s]+/vtex/)[^\s/?\"']+"),
                # An OAuth callback's code (Ecwid names it plain ``code``), in access log lines.
                re.compile(r"(/connect/[a-z]+/callback\?(?:[^\s\"'#]*&)?(?:auth_)?code=)[^\s&\"'#]+")]


def redact(text):
    """Replace values that follow secret-looking names (or secret URL parts) with [redacted]."""
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3) or ''}[redacted]", text)
    for pattern in PATH_SECRETS:
        text = pattern.sub(r"\1[redacted]", text)
    return text


class RedactingFilter(logging.Filter):
    """Scrub secrets from a record's final message."""

    def filter(self, record):
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


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
