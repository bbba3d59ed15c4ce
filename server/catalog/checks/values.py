"""Field values that need more than reading: URLs percent-encoded where they must be, GTINs checked,
prices read as amounts.

Merchant Center takes a URL with a space in it and a GTIN with a wrong check digit is a typo a
shopper's search would trust; both are settled here, on the way in. Each check has a fast path
for the common case (nothing to escape, a right GTIN, a price seen before): intake runs them for
every product of a feed.
"""
import re
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from server.catalog.errors import CatalogError

# Characters a URL may hold as they are (RFC 3986's unreserved and reserved ones, and "%").
URL_SAFE = "-._~:/?#[]@!$&'()*+,;=%"
NEEDS_ESCAPING = re.compile(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]")


def escaped_url(url):
    """``url`` with what must be percent-encoded in its path, query and fragment encoded
    ("big_M (1).png" -> "big_M%20(1).png"); the host is left as written."""
    if not NEEDS_ESCAPING.search(url):
        return url
    scheme, separator, rest = url.partition("://")
    if not separator:
        return url  # not an address at all: the rules say so
    end = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    return f"{scheme}://{rest[:end]}{quote(rest[end:], safe=URL_SAFE)}"


GTIN_LENGTHS = (8, 12, 13, 14)


# Per GTIN length: what the digits' bytes add to the weighted total ("0" is byte 48): each digit
# counts once, and twice more in the places that weigh 3 (every second one left of the check digit).
GTIN_BYTE_OFFSETS = {length: 48 * (length + 2 * (length // 2)) for length in GTIN_LENGTHS}


def is_gtin(value):
    """Whether ``value`` is a GTIN-8/12/13/14 with its right check digit, as written (no spaces).

    GS1's check digit: from the right, the digits before it weigh 3, 1, 3, 1...; the total, check
    digit included, is a multiple of 10. Summed as bytes with two slices, for every product of a feed."""
    offset = GTIN_BYTE_OFFSETS.get(len(value))
    if offset is None or not value.isascii() or not value.isdigit():
        return False
    digits = value.encode("ascii")
    return (sum(digits) + 2 * sum(digits[-2::-2]) - offset) % 10 == 0


def gtin_problem(value):
    """Why ``value`` (digits) is not a GTIN-8/12/13/14, or None: its length, or its check digit."""
    if not value.isdigit() or not value.isascii():
        return "a GTIN has only digits"
    if len(value) not in GTIN_LENGTHS:
        return f"a GTIN has {', '.join(map(str, GTIN_LENGTHS[:-1]))} or {GTIN_LENGTHS[-1]} digits, not {len(value)}"
    if not is_gtin(value):
        return "its check digit is wrong (a typo, or not a GTIN)"
    return None


def check_gtin(data, notes):
    """Keep a valid GTIN (spaces and dashes taken out); drop a wrong one with a note: TikTok and
    shoppers' searches trust a GTIN, so a wrong one is worse than none."""
    written = data["gtin"]
    digits = written if written.isdigit() else written.replace(" ", "").replace("-", "")
    problem = gtin_problem(digits)
    if problem is None:
        data["gtin"] = digits
        return
    del data["gtin"]
    notes.append(("gtin_dropped", f"gtin {written[:40]!r} was not sent: {problem}"))


class MalformedItem(CatalogError, ValueError):
    """Raised when an item cannot be understood; the message says which field and why."""


AMOUNT = re.compile(r"^\s*(?:([A-Za-z]{3})\s+)?([0-9][0-9.,\s]*)\s*(?:([A-Za-z]{3}))?\s*$")


def remembered(reader, longest):
    """``reader(name, value)`` for a field whose short texts repeat across a feed (a price, a brand,
    a colour): each distinct text of at most ``longest`` characters is read once. What ``reader``
    makes of a text must not depend on the field's name; a value it refuses raises, and is not kept."""
    readings = {}

    def read(name, value):
        if value.__class__ is not str or len(value) > longest:
            return reader(name, value)
        reading = readings.get(value)
        if reading is None:
            reading = reader(name, value)
            if len(readings) < 4096:
                readings[value] = reading
        return reading

    return read


def _amount_of(name, value):
    return parse_amount(value, name)


# Price text as sent -> (amount, currency): a feed has a few hundred distinct prices.
amount_reading = remembered(_amount_of, longest=32)


def parse_amount(value, name="price"):
    """An amount as ``(decimal text, currency or None)`` from 19.9, "19.90", "19,90 BRL", "USD 5"."""
    if isinstance(value, (int, float)):
        return _decimal_text(Decimal(str(value)), name), None
    match = AMOUNT.match(value)
    if not match or (match.group(1) and match.group(3)):
        raise MalformedItem(f"{name}: {value!r} is not an amount such as '19.90 USD'")
    number = match.group(2).replace(" ", "")
    if "," in number and "." in number:
        decimal_mark = "," if number.rfind(",") > number.rfind(".") else "."
        number = number.replace("." if decimal_mark == "," else ",", "").replace(",", ".")
    elif "," in number:
        head, _, tail = number.rpartition(",")
        number = head.replace(",", "") + ("." + tail if len(tail) != 3 or not head else tail)
    try:
        amount = Decimal(number)
    except InvalidOperation:
        raise MalformedItem(f"{name}: {value!r} is not an amount such as '19.90 USD'") from None
    code = (match.group(1) or match.group(3) or "").upper() or None
    return _decimal_text(amount, name), code


def _decimal_text(amount, name):
    if not amount.is_finite():
        raise MalformedItem(f"{name}: not a finite amount")
    try:
        return format(amount.quantize(Decimal("0.01")), "f")
    except InvalidOperation:  # more digits than a price can have
        raise MalformedItem(f"{name}: {amount} is too large to be a price") from None
