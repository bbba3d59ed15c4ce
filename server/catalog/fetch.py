"""Fetching merchant-supplied URLs (images, feeds) without reaching into private networks.

The host is resolved and every address checked before connecting; the connected peer is checked
again (a DNS answer that changes between the two cannot slip through); redirects are followed by
hand, each hop checked the same way. Named hosts may be allowed to be internal (tests run their
image server on localhost), or all of them (``ANY_HOST``, for a feed URL the operator typed).
"""
import ipaddress
import socket
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from server.catalog.errors import CatalogError

MAX_REDIRECTS = 4
ANY_HOST = "*"


class FetchError(CatalogError):
    """Raised when a URL may not or could not be fetched; the message is safe to show a merchant."""


class BlockedAddress(FetchError):
    """Raised when a URL's host resolves to a private, loopback or otherwise internal address."""


def address_allowed(address):
    """Whether an IP address is on the public internet."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def host_may_be_internal(host, private_hosts):
    """Whether ``host`` was explicitly allowed to resolve to an internal address."""
    return ANY_HOST in private_hosts or (host or "").lower().strip("[]") in private_hosts


def check_host(host, port, *, private_hosts=frozenset()):
    """Resolve ``host`` and refuse it if any of its addresses is internal."""
    if host_may_be_internal(host, private_hosts):
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"{host} does not resolve ({error})") from None
    for info in infos:
        if not address_allowed(info[4][0]):
            raise BlockedAddress(f"{host} resolves to {info[4][0]}, an internal address")


def _checked(connection_class, private_hosts):
    class Checked(connection_class):
        """A connection that refuses an internal peer."""

        def connect(self):
            """Connect, then check the address actually connected to."""
            super().connect()
            peer = self.sock.getpeername()[0]
            if not host_may_be_internal(self.host, private_hosts) and not address_allowed(peer):
                self.sock.close()
                raise BlockedAddress(f"{self.host} connected to {peer}, an internal address")

    return Checked


class GuardedAdapter(HTTPAdapter):
    """An adapter whose connections refuse internal peers (except for ``private_hosts``)."""

    def __init__(self, *, private_hosts=frozenset(), **kwargs):
        self.private_hosts = frozenset(private_hosts)
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        """Use connection pools whose connections check their peer."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("GuardedHTTPPool", (HTTPConnectionPool,),
                         {"ConnectionCls": _checked(HTTPConnection, self.private_hosts)}),
            "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,),
                          {"ConnectionCls": _checked(HTTPSConnection, self.private_hosts)}),
        }


def private_hosts_setting(value):
    """The hosts a comma-separated setting allows to be internal (``*``: all)."""
    return frozenset(part.strip().lower() for part in (value or "").split(",") if part.strip())


def guarded_session(*, private_hosts=frozenset(), ca_bundle=None):
    """A requests session for merchant URLs: guarded adapters, no proxies from the environment."""
    session = requests.Session()
    session.trust_env = False
    adapter = GuardedAdapter(private_hosts=private_hosts)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    if ca_bundle:
        session.verify = ca_bundle
    session.headers["User-Agent"] = "tiktok-connector catalog check"
    return session


def open_url(session, url, *, headers=None, timeout, private_hosts=frozenset(), schemes=("https", "http")):
    """GET ``url`` as a stream, following redirects one checked hop at a time; returns the response."""
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in schemes or not parts.hostname:
            raise FetchError(f"{url[:100]!r} is not an {' or '.join(schemes)} URL")
        check_host(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                   private_hosts=private_hosts)
        try:
            response = session.get(url, headers=headers, timeout=timeout, stream=True, allow_redirects=False)
        except BlockedAddress:
            raise
        except requests.RequestException as error:
            raise FetchError(f"could not fetch {parts.hostname}: {type(error).__name__}") from None
        if response.is_redirect and response.headers.get("Location"):
            url = urljoin(url, response.headers["Location"])
            response.close()
            continue
        return response
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


FEED_ENCODINGS = ("identity", "gzip", "x-gzip", "deflate")


def open_feed_url(session, url, *, timeout, private_hosts=frozenset(), headers=None):
    """GET a feed URL for the feed reader; returns ``(raw stream, length or None, response)``.

    The body is left compressed: the feed reader decodes gzip and deflate itself, within its
    decoded-size cap (a small compressed body can expand without bound)."""
    response = open_url(session, url, headers={"Accept-Encoding": "gzip, deflate", **(headers or {})},
                        timeout=timeout, private_hosts=private_hosts)
    if response.status_code != 200:
        response.close()
        raise FetchError(f"the feed URL answered HTTP {response.status_code}")
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in FEED_ENCODINGS:
        response.close()
        raise FetchError(f"the feed URL sent a {encoding!r} encoded body; only gzip and deflate are read")
    response.raw.decode_content = False
    length = response.headers.get("Content-Length")
    return response.raw, int(length) if length and length.isdigit() else None, response
