"""Find the real anchors and VTEX controls in a template's bytes.

"Real" means what a server-side template engine and then a browser would treat as markup: not
inside a comment, a script or style element, CDATA, template syntax (``<?php ?>``, ``<% %>``,
``{{ }}``, ``{% %}``) or an attribute value. Offsets are byte offsets into the original file, so
any ASCII-compatible encoding (UTF-8 with or without BOM, ISO-8859-1, windows-1252) scans alike.

Two tokenizers give the same answer. ``_scan_fast`` jumps between the few interesting
positions with literal-prefixed searches and checks each one locally; when a file holds anything
that local check cannot vouch for (a ``<`` inside a tag, a quoted attribute value containing
``<`` or ``>``), it hands over to ``_scan_exact``, which walks every tag. Tests hold the two equal.

Both are also compiled from C (``_fastscan.c``, built on install where a C compiler is found):
the same steps, about ten times faster; tests hold each equal to its Python function, which stays
the reference and is used where the compiled one is missing.
"""
import re
from dataclasses import dataclass

try:
    from ._fastscan import scan_exact as _compiled_scan_exact
    from ._fastscan import scan_fast as _compiled_scan_fast
except ImportError:  # installed without a C compiler
    _compiled_scan_fast = _compiled_scan_exact = None

RAWTEXT = frozenset((b"script", b"style", b"textarea", b"xmp", b"iframe", b"noembed", b"noframes"))
# The VTEX controls that tell which page a template is (and which sub-templates it includes);
# any other control is left to the regex engine to skip.
CONTROLS = (
    "buybutton skuselection skurichselection productname productimage buyinpage buytogether skujson"
    " closedorder searchresult searchnavigator singledepartmentnavigator searchtitle breadcrumb"
    " template metatags"
).split()

_RAWTEXT_NAMES = rb"script|style|textarea|xmp|iframe|noembed|noframes"
_CONTROL_NAMES = rb"vtex[\w.-]*:(?:" + "|".join(CONTROLS).encode() + rb")(?![\w:.-])"

# Both tokenizers read a lowercased copy of the bytes (offsets are the same): plain literal
# alternatives let the regex engine skip text far faster than case-folding does.
_SIGNIFICANT = re.compile(
    rb"<(?:!--|!\[cdata\[|\?|%|/head|/body|head|body|html|" + _CONTROL_NAMES + rb"|" + _RAWTEXT_NAMES + rb")"
)
_SIGNIFICANT_KIND = {b"<!--": "comment", b"<![cdata[": "cdata", b"<?": "php", b"<%": "asp"}
_NAME_CHAR = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_:.-")
_END_NAME_STOP = frozenset(b" \t\n\r\f\v/>")
_TEMPLATE_OPEN = re.compile(rb"\{[{%]")
_QUOTED_ANGLE = re.compile(rb"""=[ \t\n\f\r]*+(?:"[^"<>]*+[<>]|'[^'<>]*+[<>])""")
_COMMENT_END = re.compile(rb"--!?>")
_DECL = re.compile(rb"<![^>]*+>?")

# Attributes as the HTML tokenizer reads them (quotes only count right after "="), plus template
# tokens that may sit inside a start tag: <body<?php ... ?>>, <a href=<%= url %>>, {{ }}.
# Whatever is left open (a quote, a template token) runs to the end of the file, as a quote does
# in a browser: so bytes added later can never change how the bytes before them read.
_TAG_TEMPLATE = rb"<\?.*?(?:\?>|\Z)|<%.*?(?:%>|\Z)|\{\{.*?(?:\}\}|\Z)|\{%.*?(?:%\}|\Z)"
_ATTRS = (
    rb"""(?:[^>"'<{=]++|=[ \t\n\f\r]*+(?:"[^"]*+"?|'[^']*+'?)|""" + _TAG_TEMPLATE + rb"""|[=<{"'])*+"""
)
# The attribute loop stops only at ">" or the end of the file, so ">?" ends a tag either way.
_START_TAG = re.compile(rb"<[A-Za-z][\w:.-]*+" + _ATTRS + rb">?", re.S)


def _exact_pattern(other):
    # Tags that matter get a named group; every other tag is consumed with none (or, for the
    # fragment check, with its name as "other"), so the loop skips it without looking closer.
    plain = rb"<(?P<other>[a-z][\w:.-]*+)" if other else rb"<[a-z][\w:.-]*+"
    return re.compile(
        rb"(?P<comment><!--(?:-?>|.*?(?:--!?>|\Z)))"
        rb"|(?P<cdata><!\[cdata\[.*?(?:\]\]>|\Z))"
        rb"|(?P<php><\?.*?(?:\?>|\Z))"
        rb"|(?P<asp><%.*?(?:%>|\Z))"
        rb"|<![^>]*+>?"
        rb"|</(?![a-z])[^>]*+>?"
        rb"|</(?P<end>head|body)(?![^\s/>])[^>]*+>?"
        rb"|</[a-z][^>]*+>?"
        rb"|<(?P<start>head|body|html|" + _RAWTEXT_NAMES + rb"|" + _CONTROL_NAMES + rb")(?![\w:.-])"
        + _ATTRS + rb">?"
        rb"|" + plain + _ATTRS + rb">?",
        re.S,
    )


_EXACT = _exact_pattern(other=False)
_EXACT_NAMES = _exact_pattern(other=True)
_ID_ATTR = re.compile(rb"""[\s"'/]id[ \t\n\f\r]*=[ \t\n\f\r]*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
_RAW_END = {}  # name -> compiled "</name" end-tag search, filled on first use


@dataclass(frozen=True, slots=True)
class Scan:
    """What a template holds, as far as choosing where the snippets go is concerned."""

    head_close: int | None  # offset of the first real "</head"
    body_close: int | None  # offset of the last real "</body"
    head_open: bool  # a real <head> start tag
    page: bool  # a real <html>, <head>, <body>, </head> or </body>
    controls: frozenset  # lowercased local names of live VTEX controls ("buybutton")
    includes: tuple  # ids of live <vtex:template id="..."/>, in order
    pixel_calls: tuple  # offsets of "ttq.load(" inside live script elements
    comment_starts: frozenset  # offsets where real comments start (marker blocks are comments)
    tag_names: frozenset | None  # lowercased names of every real start tag (fragments only)
    exact: bool  # True when the exact tokenizer was needed


def scan(data: bytes, tag_names: bool = False) -> Scan:
    """Scan a template's bytes; ``tag_names`` also lists every real start tag (slower)."""
    if not tag_names:
        found = _compiled_scan_fast(data) if _compiled_scan_fast else _scan_fast(data, data.lower())
        if found is not None:
            return _summarise(data, *found, exact=False, names=None)
        if _compiled_scan_exact:
            return _summarise(data, *_compiled_scan_exact(data), exact=True, names=None)
    regions, candidates, names = _scan_exact(data, data.lower(), tag_names)
    return _summarise(data, regions, candidates, exact=True, names=names)


def scan_exact(data: bytes) -> Scan:
    """The exact tokenizer's answer (the reference the fast path is tested against)."""
    regions, candidates, _ = _scan_exact(data, data.lower(), False)
    return _summarise(data, regions, candidates, exact=True, names=None)


def _scan_fast(data, low):
    """Regions and real candidates, or None when the file needs the exact tokenizer."""
    n = len(data)
    regions = []  # (start, end, kind) in order, disjoint
    candidates = []  # (kind, offset, name)
    pos = 0
    tpl = _next_template(data, 0)
    search = _SIGNIFICANT.search
    while True:
        match = search(low, pos)
        at = match.start() if match else n
        if tpl is not None and tpl < at:
            end = _template_end(data, tpl)
            in_tag = data.find(b"<", data.rfind(b">", 0, tpl) + 1, tpl) >= 0
            if in_tag and (data.find(b"<", tpl, end) >= 0 or data.find(b">", tpl, end) >= 0):
                return None  # <a href={{ '>' }}>: only the exact path knows where that tag ends
            regions.append((tpl, end, "tpl"))
            pos = end
            tpl = _next_template(data, pos)
            continue
        if match is None:
            break
        token = match.group()
        kind = _SIGNIFICANT_KIND.get(token)
        after = match.end()
        if kind == "cdata" and data[at:after] != b"<![CDATA[":  # case matters here
            pos = after
            continue
        if kind is None:
            kind = _classify_name(low, token, after)
            if kind is None:  # <header>, <scripts>: an ordinary tag
                pos = after
                continue
        # Data state before `at` ends with ">" (a tag, comment or element end) or holds no "<" at
        # all; a "<" since the last ">" may open a tag that `at` sits in: let the exact path say.
        if data.find(b"<", data.rfind(b">", 0, at) + 1, at) >= 0:
            return None
        if kind in ("start", "end", "control"):
            candidates.append((kind, at, data[at + (2 if kind == "end" else 1) : after]))
            pos = after
        else:
            end = _region_end(data, at, kind, token)
            regions.append((at, end, kind))
            pos = end
        if tpl is not None and tpl < pos:
            tpl = _next_template(data, pos)
    if not _quoted_angles_in_regions(data, regions):
        return None
    return regions, candidates


def _classify_name(low, token, after):
    """The kind of a "<name" or "</name" hit, or None if the name runs on (<header>)."""
    if token.startswith(b"<vtex"):
        return "control"  # the pattern already checked where its name ends
    nxt = low[after] if after < len(low) else None
    if token[1] == 0x2F:  # "</head", "</body"
        return "end" if nxt is None or nxt in _END_NAME_STOP else None
    if nxt is not None and nxt in _NAME_CHAR:
        return None
    if token in (b"<head", b"<body", b"<html"):
        return "start"
    return "script" if token == b"<script" else "raw"


def _next_template(data, pos):
    match = _TEMPLATE_OPEN.search(data, pos)
    return match.start() if match else None


def _template_end(data, at):
    close = b"}}" if data[at + 1 : at + 2] == b"{" else b"%}"
    end = data.find(close, at + 2)
    return len(data) if end < 0 else end + 2  # left open: it runs to the end


def _region_end(data, at, kind, token):
    n = len(data)
    if kind == "comment":
        rest = data[at + 4 : at + 6]
        if rest.startswith(b">"):
            return at + 5
        if rest == b"->":
            return at + 6
        close = _COMMENT_END.search(data, at + 4)
        return close.end() if close else n
    if kind in ("raw", "script"):
        tag = _START_TAG.match(data, at)
        return _rawtext_end(data, tag.end(), token[1:])
    close = {"cdata": b"]]>", "php": b"?>", "asp": b"%>"}[kind]
    end = data.find(close, at + len(token))
    return n if end < 0 else end + len(close)


def _rawtext_end(data, content_start, name):
    name = name.lower()
    pattern = _RAW_END.get(name)
    if pattern is None:
        pattern = _RAW_END[name] = re.compile(rb"</" + name + rb"[\s/>]", re.I)
    close = pattern.search(data, content_start)
    if close is None:
        return len(data)
    gt = data.find(b">", close.start())
    return len(data) if gt < 0 else gt + 1


def _quoted_angles_in_regions(data, regions):
    # A quoted attribute value holding "<" or ">" is fine inside a script or comment; anywhere else
    # it may hide or fake a tag boundary, and only the exact tokenizer can tell. Only the text
    # between those regions is searched (a value running into one reaches at least its "<");
    # template tokens may sit inside a quoted value, so the search runs through them.
    search, pos = _QUOTED_ANGLE.search, 0
    for start, end, kind in regions:
        if kind == "tpl":
            continue
        if start > pos and search(data, pos, start + 1):
            return False
        pos = end
    return not search(data, pos)


def _scan_exact(data, low, want_names):
    """Walk every token: regions, real candidates and (optionally) every real start tag name."""
    regions, candidates, names = [], [], set()
    pattern = _EXACT_NAMES if want_names else _EXACT
    pos, n = 0, len(data)
    tpl = _next_template(data, 0)
    while pos < n:
        resume = None
        for match in pattern.finditer(low, pos):
            kind = match.lastgroup
            if kind is None and tpl is None:  # an ordinary tag: most tokens
                continue
            at = match.start()
            if tpl is not None and tpl < at:  # a template token in text comes first
                resume = _template_end(data, tpl)
                regions.append((tpl, resume, "tpl"))
                tpl = _next_template(data, resume)
                break
            end = match.end()
            if kind == "start":
                name = match.group("start")
                if want_names:
                    names.add(name)
                if name in RAWTEXT:
                    resume = _rawtext_end(data, end, name)
                    regions.append((at, resume, "script" if name == b"script" else "raw"))
                else:
                    tag_kind = "start" if b":" not in name else "control"
                    candidates.append((tag_kind, at, data[at + 1 : at + 1 + len(name)]))
            elif kind == "end":
                candidates.append(("end", at, data[at + 2 : at + 6]))
            elif kind == "other":
                names.add(match.group("other"))
            elif kind == "cdata" and data[at : at + 9] != b"<![CDATA[":
                resume = _DECL.match(low, at).end()  # lowercase "cdata" is just a declaration
            elif kind is not None:
                regions.append((at, end, kind))
            if tpl is not None and tpl < (resume or end):
                tpl = _next_template(data, resume or end)
            if resume is not None:
                break
        else:
            break  # no token left
        pos = resume
    return regions, candidates, (frozenset(names) if want_names else None)


def _summarise(data, regions, candidates, exact, names):
    head_close = body_close = None
    head_open = page = False
    controls, includes = set(), []
    for kind, at, name in candidates:
        lower = name.lower()
        page = page or kind in ("start", "end")
        if kind == "end" and lower == b"head" and head_close is None:
            head_close = at
        elif kind == "end" and lower == b"body":
            body_close = at
        elif kind == "start" and lower == b"head":
            head_open = True
        elif kind == "control":
            local = lower.rpartition(b":")[2].decode("latin-1")
            if not local:
                continue
            controls.add(local)
            if local == "template":
                ident = _template_id(data, at)
                if ident:
                    includes.append(ident)
    return Scan(
        head_close=head_close,
        body_close=body_close,
        head_open=head_open,
        page=page,
        controls=frozenset(controls),
        includes=tuple(includes),
        pixel_calls=_pixel_calls(data, regions),
        comment_starts=frozenset(start for start, _, kind in regions if kind == "comment"),
        tag_names=names,
        exact=exact,
    )


def _template_id(data, at):
    tag = _START_TAG.match(data, at)
    found = _ID_ATTR.search(data, at, tag.end())
    if not found:
        return None
    value = next(group for group in found.groups() if group is not None)
    return value.decode("latin-1").strip() or None


_PIXEL_CALL = b"ttq.load("


def _pixel_calls(data, regions):
    """Offsets of "ttq.load(" starting inside a script element (only scripts are searched)."""
    found = []
    for start, end, kind in regions:
        if kind != "script":
            continue
        at = data.find(_PIXEL_CALL, start, end + len(_PIXEL_CALL) - 1)  # a call may run past the region
        while 0 <= at < end:
            found.append(at)
            at = data.find(_PIXEL_CALL, at + 1, end + len(_PIXEL_CALL) - 1)
    return tuple(found)
