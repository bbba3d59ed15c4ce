"""Where sign-in may send a browser next: only a path on this site.

A ``next`` that is not plainly a path here (``//host``, ``/\\host``, ``https:host``, a tab or
newline a browser drops to make ``//``, ``%2F%2F`` a proxy may decode, a full-width solidus an
IDNA step may fold into ``/``) is ignored: the browser goes to the default page instead.
"""
from urllib.parse import unquote, urlsplit

MAX_LENGTH = 2000


def same_site_path(target):
    """``target`` when it is a path on this site (with its query), else None."""
    if not isinstance(target, str) or not target or len(target) > MAX_LENGTH:
        return None
    if not all("\x21" <= character <= "\x7e" for character in target):
        return None  # spaces, controls (tab, CR, LF) and anything outside ASCII
    decoded = unquote(unquote(target))
    for text in (target, decoded):
        if not text.startswith("/") or text.startswith(("//", "/\\")) or "\\" in text:
            return None
        if any(character < "\x20" or character == "\x7f" for character in text):
            return None
        parts = urlsplit(text)
        if parts.scheme or parts.netloc:
            return None
    return target
