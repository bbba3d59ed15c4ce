"""HTML product descriptions and titles as clean plain text, within TikTok's length limits.

Descriptions are read by BeautifulSoup. Most are plain paragraphs, lists and emphasis, properly
nested; those are read by a small reader (``_from_simple_html``) that gives exactly what the
BeautifulSoup walk gives for them at a tenth of its cost, and hands back anything else
(unknown tags, comments, scripts, stray ``<`` or ``&``, mis-nested tags) to BeautifulSoup.
"""
import functools
import html
import re

from bs4 import BeautifulSoup, CData, NavigableString
from bs4.dammit import EntitySubstitution

BLOCK_TAGS = frozenset(("p", "div", "br", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
              "section", "article", "blockquote", "pre", "hr", "dd", "dt"))
DROPPED_TAGS = frozenset(("script", "style", "noscript", "template", "iframe", "svg", "head", "title"))
MARKUP = re.compile(r"[<&]")
UNUSUAL_SPACE = re.compile(r"[\r\t\f\v\u00a0\u200b]| {2}|\n\s*\n| \n|\n ")
SPACES = re.compile(r"[ \t\f\v\u00a0\u200b]+")
BLANK_LINES = re.compile(r"\n{2,}")
# A numeric reference longer than any code point: html.unescape and the HTML parser would turn
# its digits into an int, which Python refuses past 4,300 digits (a ValueError, not text).
OVERLONG_REFERENCE = re.compile(r"&#(?:[xX]0*[0-9a-fA-F]{7,}|0*[0-9]{8,});?")


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
    if "&#" in markup:
        markup = OVERLONG_REFERENCE.sub("\ufffd", markup)
    if "<" not in markup:
        return _tidy(html.unescape(markup))
    text = _from_simple_html(markup)
    if text is None:
        parts = []
        _text_of(BeautifulSoup(markup, "html.parser"), parts)
        text = "".join(parts)
    return _tidy(text)


INLINE_TAGS = frozenset(("a", "abbr", "b", "big", "cite", "code", "em", "font", "i", "mark", "q", "s", "small",
                         "span", "strike", "strong", "sub", "sup", "u", "td", "th", "tbody", "thead", "tfoot",
                         "dl", "caption", "figure", "figcaption", "header", "footer", "main", "nav", "aside"))
VOID_TAGS = frozenset(("br", "hr", "img", "wbr"))
SIMPLE_TAGS = INLINE_TAGS | VOID_TAGS | {"li"} | (BLOCK_TAGS - {"pre"})
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s\"'>/=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*)"
                 r"\s*(/?)>")
ENTITIES = EntitySubstitution.HTML_ENTITY_TO_CHARACTER  # the names BeautifulSoup reads, and what as
REFERENCE = re.compile(r"&(?:([a-zA-Z][a-zA-Z0-9]*)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")


def _from_simple_html(markup):
    """The text the BeautifulSoup walk gives, for markup made only of known tags, properly nested,
    with named or plain numeric references ended by ``;``; None for anything else."""
    parts, open_tags, position = [], [], 0
    for match in TAG.finditer(markup):
        if not _simple_text(markup[position:match.start()], parts):
            return None
        position = match.end()
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(4)
        if name not in SIMPLE_TAGS:
            return None
        if name in VOID_TAGS:
            if closing:
                return None
            parts.append("\n" if name in ("br", "hr") else "")
        elif closing:
            if self_closing or not open_tags or open_tags.pop() != name:
                return None
            if name == "li" or name in BLOCK_TAGS:
                parts.append("\n")
        elif self_closing:
            return None
        else:
            open_tags.append(name)
            parts.append("\n• " if name == "li" else "\n" if name in BLOCK_TAGS else "")
    if open_tags or not _simple_text(markup[position:], parts):
        return None
    return "".join(parts)


def _simple_text(text, parts):
    """Append ``text`` (between tags) with its references resolved; False when it is not simple."""
    if "<" in text:
        return False
    if "&" not in text:
        parts.append(text)
        return True
    pieces, position = [], 0
    for match in REFERENCE.finditer(text):
        name, decimal, hexadecimal = match.groups()
        if name is not None:
            character = ENTITIES.get(name)
            if character is None:
                return False
        else:
            code = int(decimal) if decimal is not None else int(hexadecimal, 16)
            if not (0x20 <= code < 0x7F or 0xA0 <= code < 0xD800 or 0xE000 <= code < 0xFFFE
                    or 0x10000 <= code <= 0x10FFFF):
                return False
            character = chr(code)
        pieces.append(text[position:match.start()])
        pieces.append(character)
        position = match.end()
    pieces.append(text[position:])
    if "&" in "".join(pieces[0::2]):
        return False  # an ampersand that is not one of those references
    parts.append("".join(pieces))
    return True


def _text_of(node, parts):
    """Append the readable text under ``node``: blocks on their own lines, list items bulleted.

    A walk with its own stack, not recursion: a description nested thousands of tags deep is text
    like any other, not a RecursionError that stops the import."""
    stack = [iter(node.contents)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        if child.__class__ is str:  # the closing newline of a block, queued when it opened
            parts.append(child)
            continue
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
        stack.append(iter(child.contents + ["\n"]) if opener else iter(child.contents))


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
