"""The JavaScript a store's pages run: head snippet, per-store loader and event snippets.

Values reach JavaScript only through one ``|tojson``'d object per snippet, escaped so that no
store value can end a ``<script>`` element or a JavaScript string (see ``js_value``).
"""
import functools
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

SNIPPET_VERSION = "1"
PLATFORMS = ("vtex-legacy", "vtex-io", "ecwid", "headless", "generic")
EVENTS = ("ViewContent", "AddToCart", "PlaceAnOrder", "InitiateCheckout", "AddPaymentInfo", "Search",
          "CompleteRegistration", "AddToWishlist", "ClickButton")
ORDER_EVENT_NAMES = ("PlaceAnOrder", "Purchase")
CONSENT_MODES = ("none", "hold")

HEAD_BUDGET_BYTES = 600
LOADER_BUDGET_GZIP_BYTES = 3 * 1024

STORE_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")
UNSAFE_URL_CHARS = re.compile(r"[\x00-\x20\x7f]")
_INDENT = re.compile(r"\n[ \t]+")

# Characters that could end a <script> element, open an HTML comment (which changes how the
# element ends) or, for U+2028/U+2029, end a string in engines older than ES2019.
_JS_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "'": "\\u0027",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JS_UNSAFE = re.compile("[<>&'\u2028\u2029]")

# (platform, event) -> template; "Purchase" renders the same order snippet as "PlaceAnOrder".
# ClickButton exists only where the platform reports clicks (VTEX IO's productClick). Ecwid and VTEX IO
# stores have no per-event snippets: one script (``render_ecwid``) or one app (``snippets.vtex_io``)
# fires every event their platform reports.
_EVENT_TEMPLATES = {
    **{("generic", event): "event_generic.html.j2" for event in EVENTS if event != "ClickButton"},
    **{("headless", event): "event_headless.js.j2" for event in EVENTS if event != "ClickButton"},
    ("vtex-legacy", "ViewContent"): "vtex_view_content.html.j2",
    ("vtex-legacy", "AddToCart"): "vtex_add_to_cart.html.j2",
    ("vtex-legacy", "PlaceAnOrder"): "vtex_order.html.j2",
    ("vtex-legacy", "InitiateCheckout"): "vtex_checkout.html.j2",
    ("vtex-legacy", "AddPaymentInfo"): "vtex_checkout.html.j2",
    ("vtex-legacy", "Search"): "vtex_search.html.j2",
}
# The events each platform reports on its own (ecwid.js, the VTEX IO app).
PLATFORM_EVENTS = {
    "ecwid": ("ViewContent", "AddToCart", "PlaceAnOrder", "InitiateCheckout", "AddPaymentInfo", "Search"),
    "vtex-io": EVENTS,
}


def platform_events(platform):
    """The events a store on ``platform`` can fire."""
    if platform in PLATFORM_EVENTS:
        return PLATFORM_EVENTS[platform]
    return tuple(event for event in EVENTS if (platform, event) in _EVENT_TEMPLATES)


class SnippetError(ValueError):
    """Raised for an unknown event or platform, a bad store key or server URL, or a bad config."""


def js_value(value):
    """``value`` as a JSON literal that is safe inside a <script> element and in any JS engine."""
    # ASCII only: the head snippet lands in templates whose charset may not be UTF-8.
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    return _JS_UNSAFE.sub(lambda match: _JS_ESCAPES[match.group()], text)


@functools.lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
        undefined=StrictUndefined,
        autoescape=False,  # the output is JavaScript; values go through the tojson filter below
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["tojson"] = js_value
    return env


def _render(template, **values):
    return _environment().get_template(template).render(version=SNIPPET_VERSION, **values)


def render_head(store_key: str, server_url: str) -> str:
    """The <script>...</script> block a theme developer pastes in <head> (<= 600 bytes)."""
    if not isinstance(store_key, str) or not STORE_KEY.fullmatch(store_key):
        raise SnippetError(f"store key must be 1-64 letters, digits, '-' or '_': {store_key!r}")
    base = _clean_server_url(server_url)
    return _render("head.html.j2", head={"src": f"{base}/pixel/{store_key}.js"})


def _clean_server_url(server_url):
    if not isinstance(server_url, str) or UNSAFE_URL_CHARS.search(server_url):
        raise SnippetError(f"server URL must be an http(s) URL without spaces: {server_url!r}")
    parts = urlsplit(server_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise SnippetError(f"server URL must be an http(s) URL without query: {server_url!r}")
    return server_url.rstrip("/")


def render_event(event: str, platform: str, currency: str = "USD") -> str:
    """The snippet for one event on one platform (<script> block for html platforms, JS for headless);
    ``currency`` (the store's) is the example the comments give."""
    if event == "Purchase":
        event = "PlaceAnOrder"
    if event not in EVENTS:
        raise SnippetError(f"unknown event {event!r}; expected one of {', '.join(EVENTS)}")
    if platform not in PLATFORMS:
        raise SnippetError(f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")
    if platform in PLATFORM_EVENTS:
        raise SnippetError(f"{platform} stores need no event snippets: the {platform} script fires every event")
    if (platform, event) not in _EVENT_TEMPLATES:
        raise SnippetError(f"{platform} pages do not report {event}")
    return _render(_EVENT_TEMPLATES[platform, event], event=event, currency=currency)


def compact(js):
    """``js`` without the spaces beside punctuation (line breaks stay, so ASI reads it the same).

    String literals are copied as they are. Spaces are kept between words, around "/" (a regex or a
    comment could start) and between two "+" or "-" (which would become ++ or --). Meant for our own
    templates, whose regex literals hold no quotes and no spaces."""
    out, i, n = [], 0, len(js)
    while i < n:
        char = js[i]
        if char in "\"'":
            end = i + 1
            while end < n and js[end] != char:
                end += 2 if js[end] == "\\" else 1
            out.append(js[i:end + 1])
            i = end + 1
            continue
        if char == " ":
            before, after = (out[-1][-1] if out else ""), (js[i + 1] if i + 1 < n else "")
            if (before in _PUNCT or after in _PUNCT) and "/" not in (before, after) and not (
                    before in "+-" and after in "+-") and before and after not in " \n":
                i += 1
                continue
        out.append(char)
        i += 1
    return "".join(out)


_PUNCT = set("=(){}[],;:?+-*<>!&|")


def render_ecwid(store_key: str, server_url: str) -> str:
    """The body of GET /pixel/<key>/ecwid.js: the Ecwid storefront binding, which loads the loader."""
    if not isinstance(store_key, str) or not STORE_KEY.fullmatch(store_key):
        raise SnippetError(f"store key must be 1-64 letters, digits, '-' or '_': {store_key!r}")
    base = _clean_server_url(server_url)
    return _INDENT.sub("\n", _render("ecwid.js.j2", ecwid={"src": f"{base}/pixel/{store_key}.js"}))


def render_ecwid_tag(store_key: str, server_url: str) -> str:
    """The tag an Ecwid merchant pastes in the store's custom code (or the app's customJsUrl, its src)."""
    render_ecwid(store_key, server_url)  # the same checks
    src = f"{_clean_server_url(server_url)}/pixel/{store_key}/ecwid.js"
    return f'<script async src="{src}"></script>'


def render_loader(config: dict) -> str:
    """The body of GET /pixel/<key>.js for one store's public config; unknown keys are ignored."""
    # Indentation is dropped (line breaks stay, so no statement changes): bytes every shopper downloads.
    return compact(_INDENT.sub("\n", _render("loader.js.j2", config=loader_config(config))))


def loader_config(config):
    """The part of a store's public config the loader reads; unknown keys are left out."""
    if not isinstance(config, dict):
        raise SnippetError("config must be a dict")
    if not config.get("enabled"):
        return {"enabled": False}
    pixel_code = config.get("pixel_code")
    if not isinstance(pixel_code, str) or not pixel_code:
        raise SnippetError("an enabled config needs a pixel_code")
    order_event = config.get("order_event") or "PlaceAnOrder"
    if order_event not in ORDER_EVENT_NAMES:
        raise SnippetError(f"order_event must be one of {', '.join(ORDER_EVENT_NAMES)}: {order_event!r}")
    consent_mode = config.get("consent_mode") or "none"
    if consent_mode not in CONSENT_MODES:
        raise SnippetError(f"consent_mode must be one of {', '.join(CONSENT_MODES)}: {consent_mode!r}")
    currency = config.get("currency")
    if currency is not None and not isinstance(currency, str):
        raise SnippetError(f"currency must be a string: {currency!r}")
    return {
        "enabled": True,
        "pixel_code": pixel_code,
        "events": _enabled_events(config.get("events") or [], order_event),
        "order_event": order_event,
        "currency": currency or None,
        "consent_mode": consent_mode,
        "advanced_matching": bool(config.get("advanced_matching")),
        "collector": _collector_url(config.get("collector")),
        "domains": _domains(config.get("domains")),
    }


def _domains(domains):
    # The hosts the loader fires on (each with its subdomains); none listed: any host.
    if domains is None:
        return []
    if not isinstance(domains, (list, tuple)) or not all(isinstance(d, str) and d for d in domains):
        raise SnippetError(f"domains must be a list of host names: {domains!r}")
    return [domain.lower() for domain in domains]


def _collector_url(url):
    # Where the loader beacons events for server-side relay; None when server events are off.
    if url is None:
        return None
    try:
        return _clean_server_url(url)
    except SnippetError:
        raise SnippetError(f"collector must be an http(s) URL without query: {url!r}") from None


def _enabled_events(events, order_event):
    # Either order name in the list enables the order event, which fires under order_event.
    if not isinstance(events, (list, tuple)) or not all(isinstance(name, str) for name in events):
        raise SnippetError(f"events must be a list of event names: {events!r}")
    names = [order_event if name in ORDER_EVENT_NAMES else name for name in events]
    return sorted(set(names))
