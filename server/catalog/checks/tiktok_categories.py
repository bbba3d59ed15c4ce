"""Categories as TikTok takes them: at most three levels, and Google's numeric category ids as
their path.

TikTok's ``google_product_category`` and ``product_detail.product_category`` take "only 3
levels", e.g. ``Apparel & Accessories > Clothing > Shirts`` (BUBUBA model/catalog/product/
ecom_product.go, translating TikTok's doc). Merchant feeds may send Google's category as its id
(``1604``); Google's taxonomy file (server/data/, see its README) maps the id to its path.
"""
import functools
import re
from importlib import resources

MAX_LEVELS = 3
SEPARATOR = " > "
TAXONOMY_LINE = re.compile(r"^(\d+) - (.+)$")


@functools.lru_cache(maxsize=1)
def google_taxonomy():
    """{id: "Level > Level > ..."} from Google's taxonomy file (read once)."""
    text = resources.files("server").joinpath("data/taxonomy-with-ids.en-US.txt").read_text(encoding="utf-8")
    found = {}
    for line in text.splitlines():
        match = TAXONOMY_LINE.match(line.strip())
        if match:
            found[match.group(1)] = match.group(2)
    return found


def levels(path):
    """The non-empty levels of a category path written with '>'."""
    return [part.strip() for part in str(path).split(">") if part.strip()]


def tiktok_category(value, *, google=False):
    """``(path TikTok takes, note or None)``: the note says what was changed and why."""
    text = str(value).strip()
    note = None
    if google and text.isdigit():
        path = google_taxonomy().get(text)
        if path is None:
            return text, f"Google product category {text} is not in Google's taxonomy; it is sent as it is"
        text = path
        note = f"Google product category {value} is sent as its path {SEPARATOR.join(levels(path)[:MAX_LEVELS])!r}"
    parts = levels(text)
    if len(parts) <= MAX_LEVELS:
        return SEPARATOR.join(parts), note
    trimmed = SEPARATOR.join(parts[:MAX_LEVELS])
    said = f"Google product category {value}" if note else ("google_product_category" if google else "product_type")
    return trimmed, (f"{said} {text!r} is sent as {trimmed!r}: TikTok takes at most {MAX_LEVELS} "
                     f"category levels")


def notes(data):
    """What the catalog changes in a product's categories on the way to TikTok, in words."""
    found = []
    for name, google in (("google_product_category", True), ("product_type", False)):
        if data.get(name):
            note = tiktok_category(data[name], google=google)[1]
            if note:
                found.append(note)
    return found
