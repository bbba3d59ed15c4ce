"""Personal data and event properties the way TikTok's Events API takes them (TIKTOK_API.md 2.1, 2.3).

Match keys are normalised and SHA-256-hashed here, as soon as they arrive, and nothing else ever
sees them in clear: email trimmed and lowercased; phone in E.164 (``+`` country code, digits, no
trunk 0); external_id as given. A value that is already a SHA-256 hex digest is kept as it is.
The shopper's name and address (``PROFILE_RULES``) are hashed the same way, one value each;
``locale`` is sent as a language tag, unhashed.
Properties keep only the fields TikTok defines, typed and bounded: anything else a page sends (it
might hold personal data) is dropped.
"""
import math
import re
import unicodedata

from server.tiktok.events import CURRENCIES, sha256_hex

SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_VALUES = 5  # per match key: a shopper has a few emails at most
MAX_TEXT = 500
MAX_CONTENTS = 100

# Country calling codes of the markets a store may be in (server/data/markets.json), with the
# trunk prefix a national number starts with ("" when there is none: Italy keeps its 0).
CALLING_CODES = {
    "AE": ("971", "0"), "AU": ("61", "0"), "BR": ("55", "0"), "CA": ("1", "1"), "DE": ("49", "0"),
    "EG": ("20", "0"), "ES": ("34", ""), "FR": ("33", "0"), "GB": ("44", "0"), "ID": ("62", "0"),
    "IL": ("972", "0"), "IT": ("39", ""), "JP": ("81", "0"), "KR": ("82", "0"), "MY": ("60", "0"),
    "RU": ("7", "8"), "SA": ("966", "0"), "SG": ("65", ""), "TH": ("66", "0"), "TR": ("90", "0"),
    "TW": ("886", "0"), "US": ("1", "1"), "VN": ("84", "0"),
}

STRING_PROPERTIES = ("content_type", "search_string", "description", "order_id", "shop_id", "customer_type")
CONTENT_TYPES = ("product", "product_group")
CUSTOMER_TYPES = ("new", "returning")


def normalise_email(value):
    """An email address trimmed and lowercased, or None when it is not one."""
    text = value.strip().lower() if isinstance(value, str) else ""
    return text if "@" in text and len(text) <= 320 else None


def normalise_phone(value, country=None):
    """A phone number in E.164 (``+5511912345678``), or None. A number without its country code
    is read as a number of ``country`` (the store's)."""
    if not isinstance(value, str):
        return None
    text = re.sub(r"[^\d+]", "", value)
    if text.startswith("+"):
        digits = text[1:].replace("+", "").lstrip("0")
    elif text.startswith("00"):
        digits = text[2:].lstrip("0")
    elif country in CALLING_CODES:
        code, trunk = CALLING_CODES[country]
        digits = text.replace("+", "")
        # Long enough to hold a national number after the code: the code is there, without its "+".
        if not (digits.startswith(code) and len(digits) >= len(code) + 10):
            if trunk and digits.startswith(trunk):
                digits = digits[len(trunk):]
            digits = code + digits
    else:
        digits = text.replace("+", "").lstrip("0")
    return "+" + digits if 8 <= len(digits) <= 15 else None


def _hashed(values, normalise):
    """SHA-256 hex of each normalisable value (pre-hashed ones kept), deduplicated, in order."""
    if isinstance(values, (str, int)) and not isinstance(values, bool):
        values = [values]
    if not isinstance(values, list):
        return []
    out = []
    for value in values[:MAX_VALUES]:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            continue
        candidate = value.strip().lower()
        if SHA256.match(candidate):
            digest = candidate
        else:
            clean = normalise(value)
            digest = sha256_hex(clean) if clean else None
        if digest and digest not in out:
            out.append(digest)
    return out


def hash_emails(values):
    """Hashed emails from a string or a list of strings."""
    return _hashed(values, normalise_email)


def hash_phones(values, country=None):
    """Hashed E.164 phone numbers from a string or a list of strings."""
    return _hashed(values, lambda value: normalise_phone(value, country))


def hash_external_ids(values):
    """Hashed external ids (the store's customer ids) from a string, a number or a list."""
    return _hashed(values, lambda value: value.strip()[:MAX_TEXT] or None)


def match_keys(email=None, phone=None, external_id=None, *, country=None):
    """The hashed match keys TikTok's ``user`` takes: {"email": [...], "phone": [...], "external_id": [...]}."""
    keys = {"email": hash_emails(email), "phone": hash_phones(phone, country),
            "external_id": hash_external_ids(external_id)}
    return {name: values for name, values in keys.items() if values}


def _folded(value, *, keep_spaces):
    """Trimmed, lowercased, NFC text; punctuation dropped, and spaces too unless ``keep_spaces``."""
    text = unicodedata.normalize("NFC", value).strip().lower()
    text = "".join(ch for ch in text if ch.isalnum() or (keep_spaces and ch.isspace()))
    return re.sub(r"\s+", " ", text).strip()[:MAX_TEXT] or None


def _country(value):
    text = value.strip().lower()
    return text if len(text) == 2 and text.isascii() and text.isalpha() else None


# The Events API 2.0 ``user`` name and address keys, each hashed with SHA-256 after normalising
# (TikTok's WooCommerce plugin, Tt4b_Pixel_Class::get_user: names and zip code lowercased then
# hashed; city lowercased without spaces, state and country lowercased, ISO 3166 alpha-2). The
# plugin sends city, state and country unhashed; the Events API reference asks for every
# personal field hashed, which is what is done here (UNCONFIRMED which TikTok prefers: one place).
PROFILE_RULES = {
    "first_name": lambda value: _folded(value, keep_spaces=True),
    "last_name": lambda value: _folded(value, keep_spaces=True),
    "zip_code": lambda value: _folded(value, keep_spaces=False),
    "city": lambda value: _folded(value, keep_spaces=False),
    "state": lambda value: _folded(value, keep_spaces=False),
    "country": _country,
}
LOCALE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}$")


def locale(value):
    """A BCP 47 language tag (``en-US``; ``pt_BR`` becomes ``pt-BR``), or None."""
    text = value.strip() if isinstance(value, str) else ""
    return text.replace("_", "-")[:35] if LOCALE.match(text) else None


def profile(raw):
    """The hashed name and address keys, and ``locale``, from a mapping of clear values.

    Only keys in ``PROFILE_RULES`` (and ``locale``) are read; each becomes one SHA-256 hex string
    (a value already hashed is kept); what cannot be normalised is left out.
    """
    if not isinstance(raw, dict):
        return {}
    out = {}
    for name, rule in PROFILE_RULES.items():
        value = raw.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)  # a zip code sent as a number
        if not isinstance(value, str) or not value.strip():
            continue
        candidate = value.strip().lower()
        if SHA256.match(candidate):
            out[name] = candidate
        else:
            clean = rule(value[:MAX_TEXT])
            if clean:
                out[name] = sha256_hex(clean)
    tag = locale(raw.get("locale"))
    if tag:
        out["locale"] = tag
    return out


PROFILE_KEYS = (*PROFILE_RULES, "locale")


def number(value):
    """A finite number (numeric strings accepted), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, (int, float)) and math.isfinite(value):
        return value
    return None


def text(value, limit=MAX_TEXT):
    """A non-empty string (numbers become strings), cut to ``limit``; else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = value.strip()[:limit]
    return value or None


def properties(raw):
    """The event properties TikTok defines, typed; everything else is dropped."""
    if not isinstance(raw, dict):
        return {}
    out = {}
    for name, value in raw.items():  # only what was sent: pages send a handful of keys
        if name in STRING_PROPERTIES:
            value = text(value)
            if value is not None and (name != "content_type" or value in CONTENT_TYPES) and (
                    name != "customer_type" or value in CUSTOMER_TYPES):
                out[name] = value
        elif name == "currency":
            value = text(value, 3)
            if value and value.upper() in CURRENCIES:  # another would fail the whole batch at TikTok
                out["currency"] = value.upper()
        elif name == "value":
            value = number(value)
            if value is not None and value >= 0:
                out["value"] = round(float(value), 2)
        elif name == "num_items":
            value = number(value)
            if value is not None and value >= 0:
                out["num_items"] = int(value)
        elif name == "contents":
            items = _contents(value)
            if items:
                out["contents"] = items
        elif name == "content_ids" and isinstance(value, list):
            ids = [text(item, 255) for item in value[:MAX_CONTENTS]]
            if any(ids):
                out["content_ids"] = [item for item in ids if item]
    if "content_ids" not in out and out.get("contents"):
        ids = [item["content_id"] for item in out["contents"] if "content_id" in item]
        if ids:
            out["content_ids"] = ids
    return out


def _contents(raw):
    if not isinstance(raw, list):
        return []
    items = []
    for entry in raw[:MAX_CONTENTS]:
        if not isinstance(entry, dict):
            continue
        item = {}
        for name, limit in (("content_id", 255), ("content_name", MAX_TEXT), ("content_category", MAX_TEXT),
                            ("brand", MAX_TEXT)):
            value = text(entry.get(name), limit)
            if value is not None:
                item[name] = value
        price = number(entry.get("price"))
        if price is not None and price >= 0:
            item["price"] = round(float(price), 2)
        quantity = number(entry.get("quantity"))
        if quantity is not None and quantity >= 1:
            item["quantity"] = int(quantity)
        if item:
            items.append(item)
    return items
