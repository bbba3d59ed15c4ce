"""Rules for store fields. Each check returns the clean value or raises ValueError with a message."""
import re

import pycountry

from server.models.store import CONSENT_MODES, ORDER_EVENT_NAMES, PIXEL_EVENTS, PLATFORMS
from server.stores.markets import currencies_for, load_markets

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$")
PORT_RE = re.compile(r":\d{1,5}$")
PIXEL_CODE_RE = re.compile(r"^[A-Z0-9]{10,40}$")
PHONE_STRIP_RE = re.compile(r"[\s().\-/]")


def clean_name(value):
    """A store name: 1 to 200 characters after trimming."""
    name = (value or "").strip()
    if not name:
        raise ValueError("a store needs a name")
    if len(name) > 200:
        raise ValueError("the name is longer than 200 characters")
    return name


def clean_domain(value):
    """A shop host name (a pasted URL is reduced to its host); IDN names become punycode."""
    text = (value or "").strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text).split("/", 1)[0].split("?", 1)[0]
    port = PORT_RE.search(text)
    host = text[: port.start()] if port else text
    try:
        host = host.encode("idna").decode("ascii") if host else host
    except UnicodeError:
        raise ValueError(f"{value!r} is not a valid domain name") from None
    if not DOMAIN_RE.match(host) or "." not in host and host != "localhost":
        raise ValueError(f"{value!r} is not a valid domain name (example: shop.example.com)")
    return host + (port.group(0) if port else "")


def clean_domains(values):
    """One or more shop domains, deduplicated in the order given."""
    if isinstance(values, str):
        values = [part for part in re.split(r"[\s,]+", values) if part]
    cleaned = []
    for value in values or []:
        domain = clean_domain(value)
        if domain not in cleaned:
            cleaned.append(domain)
    if not cleaned:
        raise ValueError("a store needs at least one shop domain")
    return cleaned


def clean_platform(value):
    """One of the storefront platforms."""
    if value not in PLATFORMS:
        raise ValueError(f"unknown platform {value!r}; choose one of {', '.join(PLATFORMS)}")
    return value


def clean_country(value):
    """An ISO 3166-1 alpha-2 code TikTok accepts catalogs from."""
    code = (value or "").strip().upper()
    if pycountry.countries.get(alpha_2=code) is None or len(code) != 2:
        raise ValueError(f"{value!r} is not an ISO 3166 country code (example: US, BR)")
    if code not in load_markets()["markets"]:
        raise ValueError(f"TikTok does not accept catalogs from {code} yet")
    return code


def clean_currency(value, country):
    """An ISO 4217 code that TikTok accepts for the store's country."""
    code = (value or "").strip().upper()
    if pycountry.currencies.get(alpha_3=code) is None or len(code) != 3:
        raise ValueError(f"{value!r} is not an ISO 4217 currency code (example: USD, BRL)")
    allowed = currencies_for(country)
    if allowed and code not in allowed:
        raise ValueError(f"TikTok accepts {', '.join(allowed)} for stores in {country}, not {code}")
    return code


def clean_phone(value):
    """A phone number in E.164 (+ and 8 to 15 digits), or None when left empty."""
    text = PHONE_STRIP_RE.sub("", (value or "").strip())
    if not text:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    if not re.fullmatch(r"\+[1-9]\d{7,14}", text):
        raise ValueError("give the phone number with its country code, e.g. +55 11 91234 5678")
    return text


def clean_pixel_code(value):
    """A TikTok pixel code (upper-case letters and digits), or None when left empty."""
    code = (value or "").strip().upper()
    if not code:
        return None
    if not PIXEL_CODE_RE.match(code):
        raise ValueError("a pixel code is 10-40 letters and digits, like C9Q2MJ3C77U4P674RPG0")
    return code


def clean_events(values):
    """The pixel events that are on, in canonical order."""
    if isinstance(values, str):
        values = [part for part in re.split(r"[\s,]+", values) if part]
    names = set()
    for value in values or []:
        name = "PlaceAnOrder" if value in ORDER_EVENT_NAMES else value
        if name not in PIXEL_EVENTS:
            raise ValueError(f"unknown event {value!r}; choose from {', '.join(PIXEL_EVENTS)}")
        names.add(name)
    return [name for name in PIXEL_EVENTS if name in names]


def clean_order_event(value):
    """The name the order event fires under: Purchase (the default, recommended) or PlaceAnOrder."""
    if value not in ORDER_EVENT_NAMES:
        raise ValueError("the order event is PlaceAnOrder or Purchase")
    return value


def clean_consent_mode(value):
    """'none' (fire at once) or 'hold' (hold until the page grants consent)."""
    aliases = {"hold until granted": "hold", "hold-until-granted": "hold"}
    mode = aliases.get(value, value)
    if mode not in CONSENT_MODES:
        raise ValueError("consent mode is 'none' or 'hold' (hold until granted)")
    return mode


def clean_bool(value):
    """A boolean from a form, JSON or the command line."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{value!r} is not yes or no")
