"""Form input -> the plain values the store services take; and what the store forms show."""
from server.models.store import PLATFORMS
from server.stores.markets import load_markets

DETAIL_FIELDS = ("name", "domains", "platform", "country", "currency", "phone")
PLATFORM_HELP = {
    "vtex-legacy": "VTEX Legacy CMS: HTML templates edited in the CMS; the injector can place the snippets.",
    "vtex-io": "VTEX IO (Store Framework): a pixel app the connector writes for you, or one script in your theme app.",
    "ecwid": "Ecwid by Lightspeed: one script tag, in the store's custom code or as an app's storefront script.",
    "headless": "A headless or single-page front end: you call the JavaScript functions from your code.",
    "generic": "Any other site: paste the snippets into your theme's templates.",
}


def store_details(form):
    """The store detail fields present in a submitted form."""
    values = {name: form.get(name, "") for name in DETAIL_FIELDS if name in form}
    if "phone" in values and not values["phone"].strip():
        values["phone"] = ""
    return values


def markets():
    """Countries with the currencies TikTok accepts for each, sorted by country name."""
    table = load_markets()["markets"]
    return [{"code": code, "name": entry["name"], "currencies": list(entry["currencies"])}
            for code, entry in sorted(table.items(), key=lambda item: item[1]["name"])]


def choices():
    """Everything the store forms offer to choose from."""
    return {
        "platforms": [(name, PLATFORM_HELP[name]) for name in PLATFORMS],
        "markets": markets(),
    }


def store_form_values(store=None, submitted=None):
    """Values to fill a store details form with: what was submitted, else the store's, else blanks."""
    values = {"name": "", "domains": "", "platform": "generic", "country": "", "currency": "", "phone": ""}
    if store is not None:
        values.update(name=store.name, domains="\n".join(store.domains or []), platform=store.platform,
                      country=store.country, currency=store.currency, phone=store.phone or "")
    if submitted is not None:
        values.update({name: submitted[name] for name in values if name in submitted})
    return values
