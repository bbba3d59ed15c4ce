"""Pure splicing: where a block goes, and one file's new bytes. Nothing here touches the disk.

Every edit is a byte range replaced by new bytes; everything between edits is copied as is, so
the encoding, the line endings and every byte the injector did not mean to touch stay identical.
"""
import re
from dataclasses import dataclass

from .errors import InjectorError
from .markers import BLOCK_NAMES, find_blocks, framed, newline_before, render
from .scan import scan

_NEWLINE = re.compile(rb"\r\n?|\n")
_LINE_WINDOW = 4096
_INDENT_LOOKBACK_LINES = 200


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a block goes: at ``offset``, indented and broken like the text around it."""

    offset: int
    indent: bytes
    newline: bytes
    split: bool  # the offset is mid-line: the block brings its own line break before it


def anchor_before(data: bytes, at: int) -> Anchor:
    """The anchor for a block placed just before the tag starting at ``at`` (``</head>``)."""
    line_start = at
    while line_start > 0 and data[line_start - 1] in b" \t":
        line_start -= 1
    if line_start == 0 or data[line_start - 1] in b"\r\n":
        newline = newline_before(data, line_start) or _first_newline(data, at)
        return Anchor(line_start, _indent_above(data, line_start), newline, False)
    start = _line_start(data, at)
    newline = _first_newline(data, at, default=b"") or newline_before(data, start) or b"\n"
    return Anchor(at, _leading_space(data, start), newline, True)


def anchor_at_end(data: bytes) -> Anchor:
    """The anchor for a block placed at the end of the file."""
    end = len(data)
    newline = newline_before(data, end)
    if end == 0 or newline:
        return Anchor(end, _indent_above(data, end), newline or b"\n", False)
    start = _line_start(data, end)
    return Anchor(end, _leading_space(data, start), newline_before(data, start) or b"\n", True)


def end_is_open(data: bytes) -> bool:
    """True when the file ends inside a tag, comment, script or template token left open.

    A block appended there would be swallowed by it, so nothing is appended to such a file.
    """
    anchor = anchor_at_end(data)
    probe = data + (anchor.newline if anchor.split else b"") + anchor.indent
    return len(probe) not in scan(probe + b"<!-- -->").comment_starts


def is_current(data: bytes, block, snippet) -> bool:
    """True when ``block`` already holds exactly what apply would write there."""
    if snippet is None:
        return False
    return data[block.start : block.end] == render(snippet, block.indent, block.newline, block.split)


def decide(existing, wanted):
    """For blocks [(name, current)] and the wanted names: an action per block, and names to add.

    The first block of a wanted name is kept (or updated in place); any other block goes.
    """
    actions, seen = [], set()
    for name, current in existing:
        if name in wanted and name not in seen:
            seen.add(name)
            actions.append("keep" if current else "update")
        else:
            actions.append("remove")
    inserts = [name for name in BLOCK_NAMES if name in wanted and name not in seen]
    return actions, inserts


def changes(existing, actions, inserts):
    """What a user reads in the summary: "+head", "~order" (updated), "-view-content"."""
    sign = {"update": "~", "remove": "-"}
    found = [sign[action] + name for (name, _), action in zip(existing, actions, strict=True) if action != "keep"]
    return found + ["+" + name for name in inserts]


def converge(data: bytes, blocks, snippets: dict, head_at_end: bool = False, anchors=None):
    """(new bytes, changes) with exactly the blocks named in ``snippets``, each current.

    ``snippets`` maps block name to Snippet; ``anchors`` may pass in the offsets of the real
    </head> and </body> of ``data`` if they are known. Removals and in-place updates come first;
    new blocks are placed on the result, so a removed block's line breaks never shape a new one.
    """
    existing = [(block.name, is_current(data, block, snippets.get(block.name))) for block in blocks]
    actions, inserts = decide(existing, snippets)
    edits = []
    for block, action in zip(blocks, actions, strict=True):
        if action == "update":
            snippet = snippets[block.name]
            edits.append((block.start, block.end, render(snippet, block.indent, block.newline, block.split)))
        elif action == "remove":
            edits.append((*block.span, b""))
    result = splice(data, edits)
    if inserts:
        if result is not data or anchors is None:
            found = scan(result)
            anchors = (found.head_close, found.body_close)
        result = splice(result, _insertions(result, [snippets[name] for name in inserts], head_at_end, anchors))
    return result, changes(existing, actions, inserts)


def apply_blocks(data: bytes, snippets: dict, head_at_end: bool = False) -> bytes:
    """``data`` holding exactly the given blocks (name -> Snippet): the pure core of apply."""
    found = scan(data)
    blocks = find_blocks(data, found.comment_starts)
    return converge(data, blocks, snippets, head_at_end, (found.head_close, found.body_close))[0]


def strip_blocks(data: bytes) -> bytes:
    """``data`` without any marker block: the pure core of remove."""
    return remove_all(data, find_blocks(data, scan(data).comment_starts))


def remove_all(data: bytes, blocks) -> bytes:
    """``data`` without any marker block, byte for byte as it was before apply added them."""
    return splice(data, [(*block.span, b"") for block in blocks])


def splice(data: bytes, edits) -> bytes:
    """Replace each (start, end, new bytes) range; ranges must not overlap."""
    if not edits:
        return data
    parts, pos = [], 0
    for start, end, new in sorted(edits, key=lambda edit: (edit[0], edit[1])):
        if start < pos:
            raise InjectorError("overlapping edits")  # a bug, never a property of the file
        parts += (data[pos:start], new)
        pos = end
    parts.append(data[pos:])
    return b"".join(parts)


def _insertions(data, snippets, head_at_end, anchors):
    head_close, body_close = anchors
    groups = {}  # offset -> (anchor, [snippets]) in block order
    for snippet in snippets:
        if snippet.name == "head" and not head_at_end:
            if head_close is None:
                raise InjectorError("no </head> to place the head snippet before")
            anchor = anchor_before(data, head_close)
        elif snippet.name != "head" and body_close is not None:
            anchor = anchor_before(data, body_close)
        else:
            if end_is_open(data):
                raise InjectorError("the file ends inside an unclosed tag, comment or script: nothing appended")
            anchor = anchor_at_end(data)
        groups.setdefault(anchor.offset, (anchor, []))[1].append(snippet)
    edits = []
    for offset, (anchor, members) in groups.items():
        # After the first block ends with its line break, the next one starts a line.
        parts = [framed(s, anchor.indent, anchor.newline, anchor.split and i == 0) for i, s in enumerate(members)]
        edits.append((offset, offset, b"".join(parts)))
    return edits


def _first_newline(data, pos, default=b"\n"):
    found = _NEWLINE.search(data, pos)
    return found.group() if found else default


def _line_start(data, pos):
    high = pos
    while high > 0:
        low = max(0, high - _LINE_WINDOW)
        found = max(data.rfind(b"\n", low, high), data.rfind(b"\r", low, high))
        if found >= 0:
            return found + 1
        high = low
    return 0


def _leading_space(data, start):
    end = start
    while end < len(data) and data[end] in b" \t":
        end += 1
    return data[start:end]


def _indent_above(data, line_start):
    # The indentation of the nearest line above that has something on it.
    pos = line_start
    for _ in range(_INDENT_LOOKBACK_LINES):
        newline = newline_before(data, pos)
        if not newline:
            break
        end = pos - len(newline)
        start = _line_start(data, end)
        if data[start:end].strip(b" \t"):
            return _leading_space(data, start)
        pos = start
    return _leading_space(data, line_start)
