"""http:// links and images tried in their https:// form, which TikTok requires.

Many stores (and Google's own example feed) still write ``http://`` although their site answers on
https. Unless the store turned it off, each host of such a URL is tried once per import: when its
https form answers (a TLS handshake and an HTTP status below 400, redirects followed only to https),
every http URL on that host is sent as https, and the product says so in ``why``. Otherwise the
URL stays refused, and the reason says what the https form did.

The probe holds only plain settings and its answers, so it travels to a feed worker with the
store's terms; its HTTP session is made where it is used.
"""
import time
from urllib.parse import urlsplit

from flask import current_app

from server.catalog.fetch import FetchError, guarded_session, open_url, private_hosts_setting

URL_FIELDS = ("link", "image_link", "video_link", "additional_image_links")
FEED_NAMES = {"additional_image_links": "additional_image_link"}  # the name rules report it under
MAX_HOSTS = 20  # hosts tried per import: a feed naming thousands of hosts does not stall the import
MAX_SECONDS = 20.0  # time spent trying per import (or API request), however slow the hosts answer
MAX_TIMEOUT = 5.0  # per host
TURNED_OFF = "trying the https:// form is turned off for this store"


class HttpsProbe:
    """Which hosts answer on https, asked once per host."""

    def __init__(self, *, private_hosts=frozenset(), ca_bundle=None, timeout=5.0):
        self.private_hosts = frozenset(private_hosts)
        self.ca_bundle = ca_bundle or None
        self.timeout = min(float(timeout), MAX_TIMEOUT)
        self.answers = {}  # host (with any port) -> None when https answered, else why not
        self.spent = 0.0
        self._http = None

    def __getstate__(self):
        return {**self.__dict__, "_http": None}

    def why_not(self, url):
        """None when the https:// form of ``url`` (an http:// URL) answers, else why it does not."""
        secure = "https://" + url[7:]
        try:
            host = urlsplit(secure).netloc.lower()
        except ValueError:
            return "it is not a valid address"
        if host in self.answers:
            return self.answers[host]
        if len(self.answers) >= MAX_HOSTS:
            return f"the feed names more than {MAX_HOSTS} hosts; only the first {MAX_HOSTS} were tried"
        if self.spent >= MAX_SECONDS:
            return f"the hosts tried before it took the {MAX_SECONDS:g} s allowed for trying https"
        started = time.monotonic()
        self.answers[host] = answer = self._try(secure)
        self.spent += time.monotonic() - started
        return answer

    def _try(self, url):
        if self._http is None:
            self._http = guarded_session(private_hosts=self.private_hosts, ca_bundle=self.ca_bundle)
        try:
            response = open_url(self._http, url, timeout=(min(5.0, self.timeout), self.timeout),
                                private_hosts=self.private_hosts, schemes=("https",))
        except FetchError as error:
            return f"its https:// form did not answer: {error}"
        with response:
            if response.status_code >= 400:
                return f"its https:// form answered HTTP {response.status_code}"
        return None


def probe_for(store):
    """The probe for ``store``'s imports, or None when the store turned trying https off."""
    if not getattr(store, "https_upgrade", True):
        return None
    config = current_app.config
    return HttpsProbe(private_hosts=private_hosts_setting(config["TTC_IMAGE_ALLOW_PRIVATE_HOSTS"]),
                      ca_bundle=config.get("TTC_IMAGE_CA_BUNDLE") or None, timeout=config["TTC_IMAGE_TIMEOUT"])


def secure_urls(data, probe):
    """Replace http:// URLs in ``data`` whose https form answers; returns (notes, {field: why not})."""
    notes, failures = [], {}
    for name in URL_FIELDS:
        value = data.get(name)
        if not value:
            continue
        if isinstance(value, list):
            if any(url[:7].lower() == "http://" for url in value):
                data[name] = [_secured(name, url, probe, notes, failures) for url in value]
        elif value[:7].lower() == "http://":
            data[name] = _secured(name, value, probe, notes, failures)
    return notes, failures


def _secured(name, url, probe, notes, failures):
    if url[:7].lower() != "http://":
        return url
    why = probe.why_not(url) if probe is not None else TURNED_OFF
    field = FEED_NAMES.get(name, name)
    if why is None:
        if not any(text.startswith(f"{field} ") for _, text in notes):
            notes.append(("https_upgraded", f"{field} was written with http://; its https:// form answered and "
                                            f"is sent instead"))
        return "https://" + url[7:]
    failures.setdefault(field, why)
    return url
