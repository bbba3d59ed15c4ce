"""The marker blocks the injector writes: their exact bytes, and finding them again.

A block is ``<!-- tiktok-connector:NAME vVERSION [store=KEY] [split] -->``, the snippet's lines,
then ``<!-- /tiktok-connector:NAME -->``, each on its own line and indented like the line the
block follows. Apply adds the block plus the line breaks that put it on its own lines; ``span``
says exactly which bytes that was, so removing a block gives the original bytes back. ``split``
records that apply had to break a line in two (the anchor was not at the start of its line).
"""
import functools
import re
from dataclasses import dataclass

from .errors import InjectorError

BLOCK_NAMES = ("head", "view-content", "add-to-cart", "order")  # also the order blocks go in

_OPEN = re.compile(
    rb"<!-- tiktok-connector:(?P<name>[a-z][a-z-]*) v(?P<version>[^\s>]+)(?P<attrs>(?: [^\s>]+)*) -->"
)
_ANY_CLOSE = re.compile(rb"<!-- /tiktok-connector:(?P<name>[a-z][a-z-]*) -->")
_PREFIX = b"tiktok-connector:"
_LITERAL_STARTS = {_OPEN: b"<!-- tiktok-connector:", _ANY_CLOSE: b"<!-- /tiktok-connector:"}  # see _search
_STORE_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


class MarkerError(InjectorError):
    """Raised when a file's marker blocks are damaged (unclosed, nested or stray)."""


@dataclass(frozen=True, slots=True)
class Snippet:
    """One block's content: the snippet's lines (ASCII) and the attributes its marker carries."""

    name: str
    version: str
    lines: tuple  # of bytes, without line breaks
    store: str | None = None


@dataclass(frozen=True, slots=True)
class Block:
    """A marker block found in a file."""

    name: str
    version: str
    store: str | None
    split: bool
    start: int  # the "<" of the open marker
    end: int  # just past the close marker
    indent: bytes  # spaces and tabs before the open marker on its line
    newline: bytes  # the line break after the open marker
    span: tuple  # (start, end) of the bytes remove deletes


def make_snippet(name: str, version: str, text: str, store: str | None = None) -> Snippet:
    """A Snippet from rendered text; refuses text that is not ASCII or would break the markers."""
    if name not in BLOCK_NAMES:
        raise InjectorError(f"unknown block {name!r}")
    if store is not None and not _STORE_KEY.fullmatch(store):
        raise InjectorError(f"store key must be 1-64 letters, digits, '-' or '_': {store!r}")
    if not re.fullmatch(r"[A-Za-z0-9._-]+", version):
        raise InjectorError(f"snippet version {version!r} cannot go in a marker")
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError as exc:
        # Templates may be ISO-8859-1 or UTF-8: only ASCII is the same bytes in both.
        raise InjectorError(f"the {name} snippet is not ASCII; it cannot be spliced safely") from exc
    if _PREFIX in raw:
        raise InjectorError(f"the {name} snippet contains a marker")
    lines = tuple(raw.strip(b"\r\n").splitlines())
    return Snippet(name=name, version=version, lines=lines, store=store)


@functools.lru_cache(maxsize=64)  # a folder's files share a few indents and line breaks: rendered once each
def render(snippet: Snippet, indent: bytes, newline: bytes, split: bool) -> bytes:
    """The block from its open marker to its close marker (without the framing line breaks)."""
    attrs = b""
    if snippet.store:
        attrs += b" store=" + snippet.store.encode("ascii")
    if split:
        attrs += b" split"
    head = b"<!-- tiktok-connector:%s v%s%s -->" % (snippet.name.encode(), snippet.version.encode(), attrs)
    body = [indent + line if line.strip() else line for line in snippet.lines]
    close = indent + b"<!-- /tiktok-connector:%s -->" % snippet.name.encode()
    return newline.join([head, *body, close])


def framed(snippet: Snippet, indent: bytes, newline: bytes, split: bool) -> bytes:
    """What apply inserts: the block on its own lines, at a line start or splitting a line."""
    block = indent + render(snippet, indent, newline, split) + newline
    return newline + block if split else block


def find_blocks(data: bytes, comment_starts=None) -> list:
    """Every marker block in ``data``, in order; raises MarkerError if one is damaged."""
    if _PREFIX not in data:
        return []
    blocks, pos = [], 0
    while True:
        match = _search(_OPEN, data, pos, len(data))
        stray = _search(_ANY_CLOSE, data, pos, match.start() if match else len(data))
        if stray:
            raise MarkerError(f"a close marker for {stray['name'].decode()} has no open marker")
        if match is None:
            return blocks
        if comment_starts is not None and match.start() not in comment_starts:
            pos = match.end()  # the text of a marker inside a script or attribute: not ours
            continue
        blocks.append(_block(data, match))
        pos = blocks[-1].end


def _search(pattern, data, pos, end):
    """``pattern.search(data, pos, end)``, found faster: bytes.find jumps to each place the
    pattern's fixed start ("<!-- tiktok-connector:" or "<!-- /tiktok-connector:") occurs, and the
    pattern is only tried there (the regular expression engine would try every byte)."""
    literal = _LITERAL_STARTS[pattern]
    at = data.find(literal, pos, end)
    while at >= 0:
        match = pattern.match(data, at, end)
        if match:
            return match
        at = data.find(literal, at + 1, end)
    return None


def _block(data, match):
    name = match["name"].decode()
    close = b"<!-- /tiktok-connector:%s -->" % match["name"]
    end = data.find(close, match.end())
    if end < 0:
        raise MarkerError(f"the {name} block is not closed")
    inner = _search(_OPEN, data, match.end(), end)
    if inner:
        raise MarkerError(f"a {inner['name'].decode()} block starts inside the {name} block")
    end += len(close)
    attrs = match["attrs"].decode("ascii").split()
    store = next((a[6:] for a in attrs if a.startswith("store=")), None)
    split = "split" in attrs
    start = match.start()
    indent_start = start
    while indent_start > 0 and data[indent_start - 1] in b" \t":
        indent_start -= 1
    return Block(
        name=name,
        version=match["version"].decode("ascii"),
        store=store,
        split=split,
        start=start,
        end=end,
        indent=data[indent_start:start],
        newline=newline_at(data, match.end()) or b"\n",
        span=_span(data, indent_start, start, end, split),
    )


def _span(data, indent_start, start, end, split):
    after = end + len(newline_at(data, end))
    if split:
        before = newline_before(data, indent_start)
        if before:
            return (indent_start - len(before), after)
    elif indent_start == 0 or data[indent_start - 1] in b"\r\n":
        return (indent_start, after)
    return (start, end)  # reshaped by hand: take the block itself, leave the text around it


def newline_at(data: bytes, pos: int) -> bytes:
    """The line break starting at ``pos`` (CRLF, LF or CR), or b"" if there is none."""
    two = data[pos : pos + 2]
    if two == b"\r\n":
        return two
    return two[:1] if two[:1] in (b"\n", b"\r") else b""


def newline_before(data: bytes, pos: int) -> bytes:
    """The line break ending just before ``pos``, or b"" if ``pos`` does not start a line."""
    if pos >= 2 and data[pos - 2 : pos] == b"\r\n":
        return b"\r\n"
    if pos >= 1 and data[pos - 1 : pos] in (b"\n", b"\r"):
        return data[pos - 1 : pos]
    return b""
