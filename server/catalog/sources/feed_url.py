"""A feed at a URL, read with a conditional GET: an unchanged feed costs one 304 and no import."""
from server.catalog.fetch import FetchError, guarded_session, open_url
from server.catalog.sources.errors import SourceAuthError, SourceError, SourceUnavailable

MAX_VALIDATOR = 500


class NotModified(Exception):
    """Raised when the feed has not changed since the last pull (HTTP 304)."""


def open_feed(url, *, etag=None, last_modified=None, private_hosts=frozenset(), timeout=60.0):
    """``(stream, etag, last_modified, http session)`` for the feed; raises NotModified or a SourceError."""
    http = guarded_session(private_hosts=private_hosts)
    http.headers["User-Agent"] = "tiktok-connector catalog source"
    headers = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if v}
    try:
        response = open_url(http, url, headers=headers, timeout=(10, timeout), private_hosts=private_hosts)
    except FetchError as error:
        http.close()
        raise SourceUnavailable(f"the feed URL could not be read: {error}") from None
    status = response.status_code
    if status == 304:
        response.close()
        http.close()
        raise NotModified()
    if status != 200:
        response.close()
        http.close()
        text = f"the feed URL answered HTTP {status}"
        if status in (401, 403):
            raise SourceAuthError(text)
        raise (SourceUnavailable if status >= 500 or status == 429 else SourceError)(text)
    response.raw.decode_content = True
    return (response.raw, (response.headers.get("ETag") or "")[:MAX_VALIDATOR] or None,
            (response.headers.get("Last-Modified") or "")[:100] or None, http)
