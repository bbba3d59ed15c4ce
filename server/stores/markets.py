"""Where TikTok accepts catalogs: country/currency pairs, kept as data in server/data/markets.json."""
import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def load_markets():
    """The markets table: {country: {"name": ..., "currencies": [...]}} plus the Shopping countries."""
    text = resources.files("server").joinpath("data/markets.json").read_text(encoding="utf-8")
    return json.loads(text)


def currencies_for(country):
    """The store currencies TikTok accepts for a country's catalog (empty if the country is not served)."""
    market = load_markets()["markets"].get(country)
    return list(market["currencies"]) if market else []


def supported_countries():
    """Country codes a store may connect a catalog from, in table order."""
    return list(load_markets()["markets"])


def tiktok_shopping_countries():
    """Countries where merchants can apply for TikTok Shopping."""
    return list(load_markets()["tiktok_shopping"])
