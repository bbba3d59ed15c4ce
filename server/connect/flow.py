"""Connecting a store: the consent page URL, the callback (state, code exchange, encrypted token,
setup), finishing setup later, and attaching a token an operator already holds."""
from dataclasses import dataclass

from flask import current_app

from server import audit
from server.auth.access import Caller, load_store_for
from server.clock import utcnow
from server.connect.clients import app_client, tiktok_client
from server.connect.errors import ConnectError, NotConnected, TikTokUnavailable
from server.connect.oauth_state import consume_state, issue_state
from server.connect.setup import SetupOutcome, check_store_ready, finish_setup, token_client
from server.connect.state import connection_for, find_connection, mark_connected
from server.connect.tokens import save_token
from server.errors import ValidationError
from server.stores.validation import clean_pixel_code
from server.tiktok import TikTokError
from server.tiktok.catalogs import bind_pixel, get_catalog
from server.tiktok.oauth import authorization_url, authorized_advertisers, exchange_auth_code
from server.tiktok.pixels import iter_pixels

CALLBACK_PATH = "/connect/tiktok/callback"


@dataclass
class Authorization:
    """What the callback achieved: the store, who finished it, and how far setup got."""

    store: object
    user_id: int | None  # None: the operator (a state from the command line)
    outcome: SetupOutcome | None = None  # None when setup stopped on ``problem``
    problem: ConnectError | None = None  # e.g. the store needs a phone number; the token is kept


def callback_url():
    """Where TikTok sends the merchant back: TTC_PUBLIC_URL + the callback path."""
    return current_app.config["TTC_PUBLIC_URL"] + CALLBACK_PATH


def start_connect(session, store, user=None):
    """The TikTok consent page URL for connecting ``store``, with a fresh state bound to ``user``
    (None: the operator). Refuses, before TikTok is involved, a store TikTok would not accept."""
    client = app_client()
    check_store_ready(store)
    state = issue_state(session, store, user)
    return authorization_url(current_app.config["TTC_TIKTOK_AUTH_URL"], app_id=client.app_id, state=state,
                             redirect_uri=callback_url())


def complete_authorization(session, state, auth_code, user=None):
    """The callback: spend the state, trade ``auth_code`` for a token, keep it encrypted, then set
    up what can be set up without asking; returns an Authorization."""
    store, user_id = consume_state(session, state, user)
    actor = user if user_id is not None else None
    if user_id is not None:
        load_store_for(session, Caller.for_user(user), store.public_key, "write")  # still an owner?
    if not auth_code:
        raise ConnectError("TikTok sent no authorization code, so nothing was connected (the authorization may "
                           "have been cancelled): connect again from the store's TikTok page")
    try:
        grant = exchange_auth_code(app_client(), auth_code)
    except TikTokError as error:
        raise TikTokUnavailable(f"TikTok did not accept the authorization ({error.message}): connect again") from None
    connection = connection_for(session, store)
    save_token(connection, grant.access_token)
    connection.scope = grant.scope
    connection.authorized_at = utcnow()
    audit.record(session, store, actor, "tiktok.authorized",
                 {"advertiser_ids": grant.advertiser_ids, "scope": grant.scope})
    session.commit()
    try:
        return Authorization(store, user_id, outcome=continue_setup(session, store, actor))
    except ConnectError as problem:
        return Authorization(store, user_id, problem=problem)


def continue_setup(session, store, actor, *, advertiser_id=None, bc_id=None):
    """Run (or resume) setup with the store's stored token; returns a SetupOutcome."""
    connection = find_connection(session, store)
    if connection is None or not connection.has_token:
        raise NotConnected("the store has no TikTok authorization yet: connect it first")
    client = token_client(tiktok_client(current_app._get_current_object()), connection)
    return finish_setup(session, store, client, actor, advertiser_id=advertiser_id, bc_id=bc_id)


def attach(session, store, access_token, *, advertiser_id, bc_id, catalog_id, pixel_code, check=True, actor=None):
    """Connect ``store`` with a long-term token the operator already holds and the ids it goes with.

    With ``check`` the token is tried first and the ids are confirmed (names filled in, the pixel
    bound to the catalog); without it they are stored as given. Audited, committed.
    """
    try:
        pixel_code = clean_pixel_code(pixel_code)
    except ValueError as error:
        raise ValidationError(f"pixel code: {error}", fields={"pixel_code": str(error)}) from None
    connection = connection_for(session, store)
    connection.advertiser_id, connection.bc_id = str(advertiser_id), str(bc_id)
    connection.catalog_id, connection.pixel_code = str(catalog_id), pixel_code
    if check:
        client = tiktok_client(current_app._get_current_object()).with_token(access_token, on_auth_error=None)
        try:
            _confirm_ids(client, connection)
        except ConnectError:
            session.rollback()
            raise
    save_token(connection, access_token)
    connection.authorized_at = utcnow()
    mark_connected(session, store, connection, actor, action="tiktok.attached", details={"checked": check})
    return connection


def _confirm_ids(client, connection):
    """Fill in names and the pixel id from TikTok; raise ConnectError naming what does not match."""
    try:
        advertisers = {a["advertiser_id"]: a["advertiser_name"] for a in authorized_advertisers(client)}
        if connection.advertiser_id not in advertisers:
            raise ConnectError(f"the token does not reach advertiser {connection.advertiser_id}")
        connection.advertiser_name = advertisers[connection.advertiser_id]
        catalog = get_catalog(client, connection.bc_id, connection.catalog_id)
        if catalog is None:
            raise ConnectError(f"Business Center {connection.bc_id} has no catalog {connection.catalog_id}")
        connection.catalog_name = catalog.get("name")
        pixel = next((p for p in iter_pixels(client, connection.advertiser_id, pixel_code=connection.pixel_code)
                      if p.get("pixel_code") == connection.pixel_code), None)
        if pixel is None:
            raise ConnectError(f"advertiser {connection.advertiser_id} has no pixel {connection.pixel_code}")
        connection.pixel_id = str(pixel.get("pixel_id"))
        bind_pixel(client, connection.bc_id, connection.catalog_id, connection.pixel_code,
                   advertiser_id=connection.advertiser_id)
    except TikTokError as error:
        raise TikTokUnavailable(f"TikTok refused the check ({error.message}); nothing was stored") from None
