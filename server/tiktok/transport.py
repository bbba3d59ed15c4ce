"""The one HTTP transport to TikTok's Business API: URL building, the Access-Token header,
query encoding, timeouts, pacing, retries, and the envelope check."""
from __future__ import annotations

import json
import logging
import random
import time

import requests

from server.logs import Redactor, install_log_redaction

from .errors import (
    SUCCESS_CODES,
    ErrorTable,
    TikTokAppAuthError,
    TikTokAuthError,
    TikTokError,
    TikTokNetworkError,
    TikTokTransientError,
)
from .pacing import NullPacer, Pacer
from .retry import RetryPolicy, backoff_delay, should_retry

log = logging.getLogger(__name__)

DEFAULT_HOST = "https://business-api.tiktok.com"
API_PREFIX = "/open_api/v1.3/"
_KEEP = object()  # with_token(): keep the client's on_auth_error

# urllib3 logs every URL at DEBUG, and TikTok puts the app secret in oauth2/advertiser/get/'s query string.
HTTP_LOGGERS = ("urllib3.connectionpool",)


def api_base(host: str) -> str:
    """The API root for a host root such as ``https://business-api.tiktok.com``.

    A value that already ends in ``/open_api/v1.3`` is accepted as it is, so either form of
    the setting works.
    """
    host = host.rstrip("/")
    if host.endswith(API_PREFIX.rstrip("/")):
        return host + "/"
    return host + API_PREFIX


def encode_query(params: dict | None) -> dict:
    """GET parameters as TikTok expects them: arrays, objects and booleans as JSON text."""
    encoded = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, (list, tuple, dict, bool)):
            encoded[key] = json.dumps(value, separators=(",", ":"))
        else:
            encoded[key] = str(value)
    return encoded


def parse_envelope(response: requests.Response, *, path: str, table: ErrorTable, redactor: Redactor):
    """Turn a TikTok response into its ``data``, or raise the typed error it stands for.

    This is the only place that reads ``code``: TikTok answers most errors with HTTP 200.
    """
    status = response.status_code
    try:
        payload = response.json()
    except ValueError:
        payload = None
    header_id = response.headers.get("X-TT-LOGID")
    if not isinstance(payload, dict) or "code" not in payload:
        if status >= 400:
            error = table.class_for_status(status)(f"HTTP {status} without a TikTok envelope",
                                                   http_status=status, path=path, request_id=header_id)
            error.retry_after_header = response.headers.get("Retry-After")
            raise error
        raise TikTokTransientError("response is not a TikTok envelope", http_status=status,
                                   path=path, request_id=header_id)
    request_id = payload.get("request_id") or header_id
    try:
        code = int(payload["code"])
    except (TypeError, ValueError):
        raise TikTokTransientError("envelope code is not a number", http_status=status, path=path,
                                   request_id=request_id) from None
    if code in SUCCESS_CODES and status < 400:
        data = payload.get("data")
        return data if data is not None else {}
    message = redactor.text(str(payload.get("message") or "TikTok error"))
    cls = table.class_for_code(code) if code else table.class_for_status(status)
    error = cls(message, code=code, request_id=request_id, http_status=status, path=path)
    error.retry_after_header = response.headers.get("Retry-After")
    raise error


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request cannot have reached TikTok (the connection was never made)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return type(reason).__name__ == "NewConnectionError"


class TikTokClient:
    """A configured connection to the Business API, shared by the per-family functions.

    Plain values only: ``session`` (a ``requests.Session``), ``base_url`` (the host root, the
    ``TTC_TIKTOK_API_BASE`` setting), ``access_token``, ``app_id``/``app_secret`` (for OAuth),
    ``timeout`` ((connect, read) seconds), ``pacer``, ``retry`` (a ``RetryPolicy``), ``errors``
    (an ``ErrorTable``), ``on_auth_error`` (called with the TikTokAuthError when TikTok refuses
    this client's access token, before it is raised; never for TikTokAppAuthError, which is about
    the app's own credentials).
    """

    def __init__(self, session: requests.Session, *, base_url: str = DEFAULT_HOST,
                 access_token: str | None = None, app_id: str | None = None,
                 app_secret: str | None = None, timeout: float | tuple[float, float] = (5.0, 30.0),
                 pacer: Pacer | None = None, retry: RetryPolicy | None = None,
                 errors: ErrorTable | None = None, sleep=time.sleep, rand=random.random,
                 on_auth_error=None):
        self.session = session
        self.base_url = base_url
        self.api_base = api_base(base_url)
        self.access_token = access_token
        self.app_id = app_id
        self.app_secret = app_secret
        self.timeout = timeout
        self.pacer = pacer or NullPacer()
        self.retry = retry or RetryPolicy()
        self.errors = errors or ErrorTable()
        self._sleep = sleep
        self._rand = rand
        self.on_auth_error = on_auth_error
        self.redactor = Redactor([access_token, app_secret])
        install_log_redaction(HTTP_LOGGERS)

    def with_token(self, access_token: str | None, *, on_auth_error=_KEEP) -> TikTokClient:
        """The same client (session, pacer, settings) acting with another access token; the
        ``on_auth_error`` callback is carried over unless another (or None) is given."""
        callback = self.on_auth_error if on_auth_error is _KEEP else on_auth_error
        return TikTokClient(self.session, base_url=self.base_url, access_token=access_token,
                            app_id=self.app_id, app_secret=self.app_secret, timeout=self.timeout,
                            pacer=self.pacer, retry=self.retry, errors=self.errors,
                            sleep=self._sleep, rand=self._rand, on_auth_error=callback)

    def get(self, path: str, params: dict | None = None, **options):
        """GET ``path`` (relative, with its trailing slash) and return the envelope's data."""
        return self.request("GET", path, params=params, **options)

    def post(self, path: str, body: dict | None = None, **options):
        """POST a JSON body to ``path`` and return the envelope's data."""
        return self.request("POST", path, body=body, **options)

    def request(self, method: str, path: str, *, params: dict | None = None, body: dict | None = None,
                authenticated: bool = True, idempotent: bool = True, catalog_id: str | None = None,
                secrets: tuple = ()):
        """Send one API call with pacing and retries; return data or raise a ``TikTokError``.

        ``idempotent=False`` marks calls that create objects: they are not re-sent after a
        failure that TikTok may already have applied. ``secrets`` are extra literal values
        (e.g. an auth code) to mask in errors.
        """
        redactor = self.redactor.with_secrets(*secrets)
        attempt = 1
        while True:
            try:
                return self._send(method, path, params, body, authenticated, catalog_id, redactor)
            except TikTokError as error:
                if not should_retry(error, attempt, self.retry, idempotent=idempotent):
                    log.info("tiktok %s %s failed: %s", method, path, error,
                             extra={"tiktok_path": path, "tiktok_code": error.code,
                                    "tiktok_request_id": error.request_id, "attempt": attempt})
                    if authenticated and self._refuses_token(error):
                        self.on_auth_error(error)
                    raise
                delay = backoff_delay(attempt, self.retry, error=error, rand=self._rand)
                log.warning("tiktok %s %s attempt %d failed (%s); retrying in %.2fs",
                            method, path, attempt, error, delay,
                            extra={"tiktok_path": path, "tiktok_code": error.code,
                                   "tiktok_request_id": error.request_id, "attempt": attempt})
                self._sleep(delay)
                attempt += 1

    def _refuses_token(self, error: TikTokError) -> bool:
        """Whether ``error`` says this client's token is dead and someone wants to know."""
        return (self.on_auth_error is not None and isinstance(error, TikTokAuthError)
                and not isinstance(error, TikTokAppAuthError))

    def _send(self, method, path, params, body, authenticated, catalog_id, redactor):
        headers = {"Accept": "application/json"}
        if authenticated:
            if not self.access_token:
                raise TikTokAuthError("no access token for this call", code=40104, path=path)
            headers["Access-Token"] = self.access_token
        url = self.api_base + path.lstrip("/")
        with self.pacer.slot(path, catalog_id, hold_seconds=self._total_timeout() + 5.0):
            started = time.monotonic()
            try:
                response = self.session.request(
                    method, url, params=encode_query(params),
                    json=body if method != "GET" else None, headers=headers, timeout=self.timeout)
            except requests.RequestException as exc:
                # The exception text may hold the URL (and a secret in its query): redact it and
                # drop the chain so tracebacks cannot show it either.
                raise TikTokNetworkError(f"{type(exc).__name__}: {redactor.text(str(exc))}",
                                         maybe_processed=not _never_sent(exc), path=path) from None
        data = parse_envelope(response, path=path, table=self.errors, redactor=redactor)
        log.debug("tiktok %s %s ok in %.0f ms", method, path, (time.monotonic() - started) * 1000,
                  extra={"tiktok_path": path, "tiktok_code": 0})
        return data

    def _total_timeout(self) -> float:
        if isinstance(self.timeout, tuple):
            return float(sum(self.timeout))
        return float(self.timeout or 0)
