"""Reading a store's TikTok campaigns and their figures through the store's own connection.

Every call goes through ``server.connect.store_client``, so a token TikTok refuses here disconnects
the store at once, exactly as it would during a catalog sync.
"""
import re

from flask import current_app

from server.ads.advertiser import advertiser_currency
from server.ads.cache import report_cache
from server.ads.errors import AdsUnavailable, CampaignNotFound
from server.ads.report import build_report, campaign_row
from server.clock import utcnow
from server.connect import store_client
from server.connect.errors import NotConnected, TikTokUnavailable
from server.connect.state import find_connection
from server.tiktok import TikTokAppAuthError, TikTokAuthError, TikTokError, TikTokRequestError
from server.tiktok.campaigns import iter_campaigns
from server.tiktok.reports import daily_campaign_stats

CAMPAIGN_ID = re.compile(r"^[0-9]{1,32}$")
NOT_CONNECTED = "the store is not connected to TikTok: connect it on the TikTok page to see and manage its ads"
SETUP_PENDING = "TikTok setup is not finished (no advertiser account is chosen yet): finish it on the TikTok page"


def today():
    """Today's date in UTC, the day a "last N days" period ends on."""
    return utcnow().date()


def advertiser_of(session, store):
    """The store's advertiser account id; AdsUnavailable when the store cannot show ads."""
    connection = find_connection(session, store)
    if store.tiktok_state == "disconnected":
        reason = f" ({store.tiktok_state_reason})" if store.tiktok_state_reason else ""
        raise AdsUnavailable(f"the store is disconnected from TikTok{reason}: connect it again on the TikTok "
                             f"page to see and manage its ads")
    if connection is None or not connection.has_token:
        raise AdsUnavailable(NOT_CONNECTED)
    if store.tiktok_state != "connected" or not connection.advertiser_id:
        raise AdsUnavailable(SETUP_PENDING)
    return connection.advertiser_id


def client_for(session, store, purpose):
    """The store's TikTok client (a refused token disconnects the store)."""
    try:
        return store_client(session, store, purpose=purpose)
    except NotConnected as error:
        raise AdsUnavailable(error.message) from None


def tiktok_failure(error, *, doing):
    """The error to raise (AdsUnavailable or TikTokUnavailable) for a TikTokError met while ``doing`` something."""
    if isinstance(error, TikTokAppAuthError):
        return TikTokUnavailable(f"TikTok rejected this connector's app settings while {doing} ({error.message}); "
                                 f"the operator must fix TTC_TIKTOK_APP_ID / TTC_TIKTOK_APP_SECRET")
    if isinstance(error, TikTokAuthError):
        return AdsUnavailable(f"TikTok refused the store's access while {doing} ({error.message}), so the store "
                              f"was disconnected: connect it again on the TikTok page")
    return TikTokUnavailable(f"TikTok could not answer while {doing}: {error.message}. Try again in a few minutes")


def load_report(session, store, period, *, purpose="a visit to the Ads page", fresh=False):
    """Campaigns and figures for ``period``, from the short-lived cache when it has them."""
    advertiser_id = advertiser_of(session, store)
    cache = report_cache(current_app)
    key = (store.id, advertiser_id, period.start, period.end)
    cached = None if fresh else cache.get(key)
    if cached is not None:
        return cached
    seen = cache.version(store.id)  # before asking TikTok: a change made meanwhile is not missed
    client = client_for(session, store, purpose)
    try:
        campaigns = list(iter_campaigns(client, advertiser_id))
        stats = _daily_stats(client, advertiser_id, period)
        currency = advertiser_currency(client, advertiser_id, fallback=store.currency)
    except TikTokError as error:
        raise tiktok_failure(error, doing="reading the campaigns") from None
    report = build_report(advertiser_id=advertiser_id, currency=currency, period=period, campaigns=campaigns,
                          stats=stats, fetched_at=utcnow())
    cache.put(key, report, seen=seen)
    return report


def _daily_stats(client, advertiser_id, period):
    try:
        return daily_campaign_stats(client, advertiser_id, period.start, period.end)
    except TikTokRequestError as error:
        if "metric" not in (error.message or "").lower():
            raise
        # Some accounts cannot report the purchase ROAS metric: show everything else without it.
        return daily_campaign_stats(client, advertiser_id, period.start, period.end, roas_metric=None)


def find_campaign(session, store, campaign_id, *, purpose):
    """``(client, advertiser_id, CampaignRow)`` for one of the advertiser's campaigns."""
    campaign_id = (campaign_id or "").strip()
    if not CAMPAIGN_ID.match(campaign_id):
        raise CampaignNotFound("choose a campaign from the list (campaign ids are numbers)",
                               fields={"campaign_id": "not a campaign id"})
    advertiser_id = advertiser_of(session, store)
    client = client_for(session, store, purpose)
    try:
        items = list(iter_campaigns(client, advertiser_id, campaign_ids=[campaign_id]))
    except TikTokError as error:
        raise tiktok_failure(error, doing="looking up the campaign") from None
    item = next((i for i in items if i["campaign_id"] == campaign_id), None)
    if item is None:
        raise CampaignNotFound(f"the advertiser account has no campaign {campaign_id}",
                               fields={"campaign_id": "not found"})
    return client, advertiser_id, campaign_row(item)


def forget_reports(store):
    """Drop the store's cached reports (after a change, so the next load asks TikTok)."""
    report_cache(current_app).forget_store(store.id)
