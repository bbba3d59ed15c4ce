"""Setup after consent: choose the advertiser account and the Business Center, find or create the
pixel and the catalog, bind them, and put the pixel live.

The store's country, currency and phone are checked before anything is created at TikTok. Ids
found once are remembered, so a reconnect finds the same pixel and catalog instead of new ones;
each id is committed as soon as TikTok hands it out, so a setup that fails half-way never
creates a second pixel or catalog when it is tried again.
"""
from dataclasses import dataclass, field

from server.connect.errors import NotConnected, SetupChoiceInvalid, StoreNotReady, TikTokUnavailable
from server.connect.state import find_connection, mark_connected, mark_disconnected
from server.connect.tokens import read_token
from server.stores.markets import currencies_for, load_markets
from server.tiktok import TikTokAuthError, TikTokError
from server.tiktok.business_centers import iter_business_centers
from server.tiktok.catalogs import bind_pixel, create_catalog, get_catalog, iter_catalogs
from server.tiktok.oauth import authorized_advertisers
from server.tiktok.pixels import create_pixel, iter_pixels

NAME_LIMIT = 128


@dataclass
class SetupOutcome:
    """How far setup got: ``done``, or the accounts the merchant must choose between."""

    done: bool
    advertisers: list = field(default_factory=list)  # [{advertiser_id, advertiser_name}]
    business_centers: list = field(default_factory=list)  # [{bc_id, name}]
    advertiser_id: str | None = None  # the choice made (or the only one), if any
    bc_id: str | None = None
    created: list = field(default_factory=list)  # what setup created at TikTok ("pixel", "catalog")


def store_problems(store):
    """What TikTok would refuse about the store's details: {field: what to fix}; empty when ready."""
    problems = {}
    allowed = currencies_for(store.country)
    if not allowed:
        problems["country"] = f"TikTok does not accept catalogs from {store.country}"
    elif store.currency not in allowed:
        market = load_markets()["markets"][store.country]["name"]
        problems["currency"] = (f"TikTok accepts {' or '.join(allowed)} for stores in {market}, "
                                f"not {store.currency}")
    if not (store.phone or "").strip():
        problems["phone"] = "TikTok needs a phone number to set up the ad account: add the store's phone number"
    return problems


def check_store_ready(store):
    """Raise StoreNotReady (saying what to fix in the store settings) unless TikTok would accept the store."""
    problems = store_problems(store)
    if problems:
        listed = "; ".join(problems.values())
        raise StoreNotReady(f"fix the store settings before connecting to TikTok: {listed}", fields=problems)


def finish_setup(session, store, client, actor, *, advertiser_id=None, bc_id=None):
    """Set up the connected accounts with ``client`` (acting with the store's new token); returns
    a SetupOutcome, ``done`` once the store is connected, else the choices to offer."""
    check_store_ready(store)
    connection = find_connection(session, store)
    if connection is None or not connection.has_token:
        raise NotConnected("the store has no TikTok authorization yet: connect it first")
    try:
        outcome = _choose(client, connection, advertiser_id, bc_id)
        if not outcome.done:
            return outcome
        _remember_accounts(session, connection, outcome)
        outcome.created += _ensure_pixel(session, client, store, connection)
        outcome.created += _ensure_catalog(session, client, store, connection)
        bind_pixel(client, connection.bc_id, connection.catalog_id, connection.pixel_code,
                   advertiser_id=connection.advertiser_id)
    except TikTokAuthError as error:
        # A token refused during its own setup is useless: forget it so nobody keeps using it.
        session.rollback()
        mark_disconnected(session, store, f"TikTok refused the new access token during setup: {error.message}")
        raise NotConnected(f"TikTok refused the new authorization ({error.message}): connect again") from None
    except TikTokError as error:
        session.rollback()
        raise TikTokUnavailable(f"TikTok did not complete the setup ({error.message}); nothing is lost: "
                                f"try again in a few minutes") from None
    mark_connected(session, store, connection, actor, details={"created": outcome.created})
    return outcome


def setup_options(client):
    """Every advertiser account and Business Center the token reaches (for the choice page)."""
    try:
        return authorized_advertisers(client), _business_centers(client)
    except TikTokError as error:
        raise TikTokUnavailable(f"TikTok did not list your accounts ({error.message}); try again") from None


def _choose(client, connection, advertiser_id, bc_id):
    advertisers = authorized_advertisers(client)
    centers = _business_centers(client)
    if not advertisers:
        raise SetupChoiceInvalid("you granted access to no advertiser account: connect again and select one")
    if not centers:
        raise SetupChoiceInvalid("your TikTok account has no Business Center: create one in TikTok Business "
                                 "Center, then connect again")
    outcome = SetupOutcome(done=False, advertisers=advertisers, business_centers=centers)
    outcome.advertiser_id = _pick(advertiser_id, connection.advertiser_id,
                                  [a["advertiser_id"] for a in advertisers], "advertiser account")
    outcome.bc_id = _pick(bc_id, connection.bc_id, [c["bc_id"] for c in centers], "Business Center")
    outcome.done = outcome.advertiser_id is not None and outcome.bc_id is not None
    return outcome


def _pick(chosen, remembered, available, what):
    """The explicit choice (which must be available), else the remembered one, else the only one."""
    if chosen:
        if str(chosen) not in available:
            raise SetupChoiceInvalid(f"that {what} is not one your TikTok authorization reaches")
        return str(chosen)
    if remembered and remembered in available:
        return remembered
    return available[0] if len(available) == 1 else None


def _business_centers(client):
    return [{"bc_id": c["bc_id"], "name": c.get("name") or c["bc_id"]} for c in iter_business_centers(client)]


def _remember_accounts(session, connection, outcome):
    if connection.advertiser_id != outcome.advertiser_id:
        connection.pixel_id = connection.pixel_code = None  # pixels belong to one advertiser
    if connection.bc_id != outcome.bc_id:
        connection.catalog_id = connection.catalog_name = None  # catalogs belong to one Business Center
    connection.advertiser_id = outcome.advertiser_id
    connection.advertiser_name = next(a["advertiser_name"] for a in outcome.advertisers
                                      if a["advertiser_id"] == outcome.advertiser_id)
    connection.bc_id = outcome.bc_id
    connection.bc_name = next(c["name"] for c in outcome.business_centers if c["bc_id"] == outcome.bc_id)
    session.commit()


def _ensure_pixel(session, client, store, connection):
    """Use the remembered pixel, the code typed in the store's settings, or one named after the
    store; create one only when the advertiser has none of them. Returns what it created."""
    name = _pixel_name(store)
    pixels = list(iter_pixels(client, connection.advertiser_id))
    for wanted in (lambda p: p.get("pixel_code") == connection.pixel_code,
                   lambda p: p.get("pixel_code") == store.pixel_code,
                   lambda p: p.get("pixel_name") == name):
        found = next((p for p in pixels if p.get("pixel_code") and wanted(p)), None)
        if found is not None:
            connection.pixel_id, connection.pixel_code = str(found.get("pixel_id")), found["pixel_code"]
            session.commit()
            return []
    created = create_pixel(client, connection.advertiser_id, name)
    connection.pixel_id, connection.pixel_code = created["pixel_id"], created["pixel_code"]
    session.commit()
    return ["pixel"]


def _ensure_catalog(session, client, store, connection):
    """Use the remembered catalog, or one of the store's name in its country and currency; else
    create one (country and currency are final at TikTok). Returns what it created."""
    if connection.catalog_id:
        found = get_catalog(client, connection.bc_id, connection.catalog_id)
        if found is not None and _fits(found, store):
            connection.catalog_name = found.get("name") or connection.catalog_name
            session.commit()
            return []
    name = store.name[:NAME_LIMIT]
    found = next((c for c in iter_catalogs(client, connection.bc_id) if c.get("name") == name and _fits(c, store)),
                 None)
    if found is not None:
        connection.catalog_id, connection.catalog_name = found["catalog_id"], name
        session.commit()
        return []
    connection.catalog_id = create_catalog(client, connection.bc_id, name, region_code=store.country,
                                           currency=store.currency)
    connection.catalog_name = name
    session.commit()
    return ["catalog"]


def _fits(catalog, store):
    conf = catalog.get("catalog_conf") or {}
    return (conf.get("region_code", store.country), conf.get("currency", store.currency)) == (store.country,
                                                                                            store.currency)


def _pixel_name(store):
    return f"{store.name} (TikTok connector)"[:NAME_LIMIT]


def token_client(base_client, connection):
    """A client acting with the connection's token, without the auto-disconnect (setup uses it)."""
    return base_client.with_token(read_token(connection), on_auth_error=None)
