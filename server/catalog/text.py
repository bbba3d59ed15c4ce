"""HTML product descriptions and titles as clean plain text, within TikTok's length limits."""
import functools
import html
import re

from bs4 import BeautifulSoup, CData, NavigableString

BLOCK_TAGS = frozenset(("p", "div", "br", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
              "section", "article", "blockquote", "pre", "hr", "dd", "dt"))
DROPPED_TAGS = frozenset(("script", "style", "noscript", "template", "iframe", "svg", "head", "title"))
MARKUP = re.compile(r"[<&]")
UNUSUAL_SPACE = re.compile(r"[\r\t\f\v\u00a0\u200b]| {2}|\n\s*\n| \n|\n ")
SPACES = re.compile(r"[ \t\f\v\u00a0\u200b]+")
BLANK_LINES = re.compile(r"\n{2,}")


def plain_text(value, *, limit=None):
    """Readable text from HTML: tags and scripts gone, entities decoded, paragraphs kept as lines."""
    if value is None:
        return ""
    text = str(value)
    if MARKUP.search(text):
        text = _from_html(text)
    elif UNUSUAL_SPACE.search(text):
        text = _tidy(text)
    else:
        text = text.strip()  # plain text on lines already: the common case, kept cheap
    return truncate(text, limit) if limit else text


def single_line(value, *, limit=None):
    """Plain text on one line (titles, brands): markup removed, whitespace collapsed."""
    text = str(value) if value is not None else ""
    text = " ".join((plain_text(text) if MARKUP.search(text) else text).split())
    return truncate(text, limit) if limit else text


@functools.lru_cache(maxsize=4096)
def _from_html(markup):
    # Variants of one product usually share their description: the cache parses it once.
    if "<" not in markup:
        return _tidy(html.unescape(markup))
    parts = []
    _text_of(BeautifulSoup(markup, "html.parser"), parts)
    return _tidy("".join(parts))


def _text_of(node, parts):
    """Append the readable text under ``node``: blocks on their own lines, list items bulleted."""
    for child in node.children:
        if isinstance(child, NavigableString):
            if type(child) in (NavigableString, CData):
                parts.append(child)
            continue
        name = child.name
        if name in DROPPED_TAGS:
            continue
        if name == "br":
            parts.append("\n")
            continue
        opener = "\n• " if name == "li" else "\n" if name in BLOCK_TAGS else ""
        parts.append(opener)
        _text_of(child, parts)
        if opener:
            parts.append("\n")


def _tidy(text):
    lines = [SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return BLANK_LINES.sub("\n", "\n".join(lines)).strip()


def truncate(text, limit):
    """Cut ``text`` to at most ``limit`` characters, at a word boundary, ending with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-\n") + "…"
