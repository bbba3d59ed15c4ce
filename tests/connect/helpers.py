"""Helpers for the connect tests: a signed-in owner, the round trip through the emulator."""
from urllib.parse import parse_qs, urlsplit

from server.extensions import db
from server.models.tiktok import TikTokConnection
from tests.accounts import add_to_store, csrf_token, make_user, sign_in
from tests.factories import make_store

CALLBACK = "/connect/tiktok/callback"


def owner_store(client, email="ana@example.com", **store_values):
    """A store owned by a new merchant who is signed in on ``client``; the store has no pixel yet."""
    store = make_store(**{"pixel_code": "", **store_values})
    user = make_user(email)
    add_to_store(store, user, "owner")
    sign_in(client, email)
    return store


def start(client, store):
    """Click Connect: returns the consent page URL our server redirected to."""
    response = client.post(f"/stores/{store.public_key}/tiktok/connect",
                           data={"csrf_token": csrf_token(client, f"/stores/{store.public_key}/tiktok")})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response.location


def query(url):
    """A URL's query as a flat dict."""
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def state_of(url):
    """The state our server put on the consent page URL."""
    return query(url)["state"]


def come_back(client, **params):
    """TikTok sends the browser back to our callback with these query parameters."""
    return client.get(CALLBACK, query_string=params)


def connect(client, store, emulator, *, advertiser_ids=None):
    """The whole round trip for one advertiser account (no choice page); returns the callback response."""
    state = state_of(start(client, store))
    code = emulator.issue_auth_code(advertiser_ids=advertiser_ids or emulator.advertiser_ids[:1])
    return come_back(client, auth_code=code, state=state)


def connection_of(store):
    """The store's connection row as stored now."""
    db.session.expire_all()
    return db.session.execute(db.select(TikTokConnection).where(TikTokConnection.store_id == store.id)
                              ).scalar_one_or_none()


def pixel_config(client, store):
    """What shoppers' browsers read: /pixel/<key>/config.json."""
    return client.get(f"/pixel/{store.public_key}/config.json").get_json()


def creates(emulator):
    """The create calls TikTok received (pixel and catalog)."""
    return [r for r in emulator.requests() if r["path"] in ("pixel/create/", "catalog/create/")]


def token_works(emulator, connection):
    """Whether the stored (encrypted) token is one TikTok accepts."""
    import requests

    from server.security import decrypt_secret
    from server.tiktok import NullPacer, TikTokClient
    from server.tiktok.oauth import authorized_advertisers

    with requests.Session() as http:
        client = TikTokClient(http, base_url=emulator.url, access_token=decrypt_secret(connection.access_token),
                              app_id=emulator.app_id, app_secret=emulator.app_secret, pacer=NullPacer())
        return bool(authorized_advertisers(client))
