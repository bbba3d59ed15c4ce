"""Field values that need more than reading: URLs percent-encoded where they must be, GTINs checked.

Merchant Center takes a URL with a space in it and a GTIN with a wrong check digit is a typo a
shopper's search would trust; both are settled here, on the way in.
"""
import re
from urllib.parse import quote

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


def gtin_problem(value):
    """Why ``value`` (digits) is not a GTIN-8/12/13/14, or None: its length, or its check digit."""
    if not value.isdigit() or not value.isascii():
        return "a GTIN has only digits"
    if len(value) not in GTIN_LENGTHS:
        return f"a GTIN has {', '.join(map(str, GTIN_LENGTHS[:-1]))} or {GTIN_LENGTHS[-1]} digits, not {len(value)}"
    # GS1's check digit: from the right, the digits before it weigh 3, 1, 3, 1...; the total,
    # check digit included, is a multiple of 10. Summed as bytes ("0" is 48): a fraction of the
    # cost of converting each digit, for every product of a feed.
    digits = value.encode("ascii")
    threes, ones = digits[-2::-2], digits[-3::-2]
    total = 3 * (sum(threes) - 48 * len(threes)) + sum(ones) - 48 * len(ones) + digits[-1] - 48
    if total % 10:
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
