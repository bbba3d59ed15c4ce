"""The advertiser account's own details (``advertiser/info/``): the currency its figures are in."""
import logging

from server.tiktok import TikTokRequestError

log = logging.getLogger(__name__)
FIELDS = ["name", "currency", "timezone"]


def advertiser_info(client, advertiser_id):
    """``{"name", "currency", "timezone"}`` of one advertiser account, as TikTok keeps it."""
    data = client.get("advertiser/info/", {"advertiser_ids": [str(advertiser_id)], "fields": FIELDS})
    for item in data.get("list") or []:
        if str(item.get("advertiser_id", advertiser_id)) == str(advertiser_id):
            return {name: item.get(name) for name in FIELDS}
    return {}


def advertiser_currency(client, advertiser_id, *, fallback):
    """The currency TikTok reports the account's spend in; ``fallback`` (the store's currency, which
    an account created by the connector was given) when TikTok does not say."""
    try:
        currency = advertiser_info(client, advertiser_id).get("currency")
    except TikTokRequestError as error:
        # A scope or API version without advertiser/info: the figures are still worth showing.
        log.info("advertiser %s: no currency from TikTok (%s); showing %s", advertiser_id, error, fallback)
        currency = None
    return str(currency).upper() if currency else fallback
