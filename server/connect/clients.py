"""TikTok clients for the application: one per process (shared HTTP session, pacer and settings),
and per-store clients whose refused token disconnects the store within the very call.

Every feature that talks to TikTok for a store (catalog sync, events relay, ads, admin pages) gets
its client from ``store_client``: that is how a revoked token is noticed on every call rather
than when someone happens to open the admin.
"""
import threading

import redis
import requests
from flask import current_app

from server.connect.errors import NotConfigured, NotConnected
from server.connect.state import auto_disconnect, find_connection
from server.connect.tokens import read_token
from server.tiktok import LocalPacer, RedisPacer, RetryPolicy, TikTokClient

_lock = threading.Lock()
EXTENSION = "ttc_tiktok_client"


def tiktok_client(app):
    """The process's TikTok client for ``app`` (no token): shared HTTP session, pacer and settings."""
    client = app.extensions.get(EXTENSION)
    if client is None:
        with _lock:
            client = app.extensions.get(EXTENSION)
            if client is None:
                client = app.extensions[EXTENSION] = _build_client(app.config, app.instance_path)
    return client


def app_client():
    """The current app's client for calls made with the app's credentials (token exchange, revoke)."""
    client = tiktok_client(current_app._get_current_object())
    if not (client.app_id and client.app_secret):
        raise NotConfigured("this connector has no TikTok app yet: set TTC_TIKTOK_APP_ID and "
                            "TTC_TIKTOK_APP_SECRET (from TikTok for Business Developers, My Apps)")
    return client


def store_client(session, store, *, purpose="a call to TikTok"):
    """A client acting with ``store``'s token; when TikTok refuses that token, the store is
    disconnected (token deleted, pixel off, syncs stopped, audited) before the error is raised.

    ``purpose`` names the caller in the reason the merchant reads ("during the catalog sync").
    The disconnect rolls back ``session``'s unfinished work and commits, so callers commit their
    own work before each call to TikTok (as the sync outbox does). Raises NotConnected when the
    store has no usable token.
    """
    connection = find_connection(session, store)
    if connection is None or not connection.has_token:
        raise NotConnected("the store is not connected to TikTok: connect it first")
    token = read_token(connection)
    store_id = store.id

    def on_auth_error(error):
        auto_disconnect(session, store_id, error, purpose=purpose, token=token)

    return tiktok_client(current_app._get_current_object()).with_token(token, on_auth_error=on_auth_error)


def _build_client(config, instance_path):
    session = requests.Session()
    session.mount("https://", requests.adapters.HTTPAdapter(pool_maxsize=32))
    session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=32))
    timeout = (config["TTC_TIKTOK_CONNECT_TIMEOUT"], config["TTC_TIKTOK_TIMEOUT"])
    retry = RetryPolicy(max_attempts=config["TTC_TIKTOK_MAX_ATTEMPTS"],
                        base_delay=config["TTC_TIKTOK_RETRY_BASE_DELAY"],
                        max_retry_after=config["TTC_TIKTOK_MAX_RETRY_AFTER"])
    return TikTokClient(session, base_url=config["TTC_TIKTOK_API_BASE"], app_id=config["TTC_TIKTOK_APP_ID"] or None,
                        app_secret=config["TTC_TIKTOK_APP_SECRET"] or None, timeout=timeout, retry=retry,
                        pacer=_pacer(config, instance_path))


def _pacer(config, instance_path):
    namespace = f"ttc:{config['TTC_TIKTOK_APP_ID'] or 'app'}"
    redis_url = config["TTC_REDIS_URL"] or (config["TTC_BROKER_URL"] if config["TTC_BROKER_URL"].startswith(
        ("redis://", "rediss://")) else "")
    if redis_url:
        # Timeouts: a Redis that stops answering fails the call (retried later), it never hangs a job.
        timeout = config["TTC_REDIS_TIMEOUT"]
        return RedisPacer(redis.Redis.from_url(redis_url, socket_timeout=timeout, socket_connect_timeout=timeout),
                          namespace=namespace)
    return LocalPacer(instance_path, namespace=namespace)
