"""Properties over generated templates: remove(apply(x)) == x, apply is idempotent, scans agree."""
from dataclasses import replace

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from injector import markers
from injector.edit import apply_blocks, end_is_open, strip_blocks
from injector.runner import build_snippets
from injector.scan import _scan_exact, scan, scan_exact

# Pieces real templates are made of, plus the traps: anchors hidden in comments, scripts,
# strings, attributes and template syntax; unclosed constructs; stray quotes and brackets.
PIECES = [
    b"<!DOCTYPE html>", b"<html>", b"<HTML lang=pt>", b"<head>", b"<HEAD>", b"</head>", b"</HEAD >",
    b"<header>", b"</header>", b"<body>", b"<body class=x>", b"</body>", b"</BODY>", b"</html>",
    b"<title>t</title>", b"<meta charset=utf-8>", b'<div title="a > b">', b"<div title='</head>'>",
    b'<a href=x"y>', b"</div>", b"<!-- </head> -->", b"<!--[if IE]><html class=ie><head></head><![endif]-->",
    b"<!--[if !IE]><!--><html><!--<![endif]-->", b"<!-->", b"<!--->", b"<!-- x --!>",
    b"<script>var s='</head>';</script>", b"<script>if(a<b){document.write('<body>')}</script>",
    b"<style>p>a{}</style>", b"<![CDATA[</head>]]>", b"<?php echo '</head>'; ?>", b"<% x %>",
    b"{{ '</head>' }}", b"{% y %}", b"{{ x", b"{{ y }}", b'title="',
    b"<vtex.cmc:BuyButton/>", b"<vtex.cmc:buybutton />",
    b"<!-- <vtex.cmc:BuyButton/> -->", b'<vtex:template id="x"/>', b"<body<?php echo 1; ?>>",
    b"text", b"a < b", b"\xe7\xe3o", b"\xef\xbb\xbf", b"  ", b"\t", b"\n", b"\r\n", b"\r", b"<", b">",
    b'"', b"'", b"=", b"<p", b"<script", b"<!--", b"</", b"<textarea>", b"ttq.load(",
]
documents = st.lists(st.sampled_from(PIECES), max_size=40).map(b"".join)
noisy = st.lists(st.one_of(st.sampled_from(PIECES), st.binary(max_size=8)), max_size=30).map(b"".join)
EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STORES = {
    key: build_snippets("vtex-legacy", key, url)
    for key, url in (("store_1", "https://px.example.com"), ("store_2", "http://127.0.0.1:8080/base"))
}


def chosen(key):
    snippets = STORES[key]
    return {name: snippets[name] for name in ("head", "view-content", "add-to-cart")}


def apply(data, key="store_1"):
    found = scan(data)
    snippets = chosen(key)
    if end_is_open(data):
        # Nothing may be appended to such a file; blocks still go before a real </head> or </body>.
        anchored = {"head": found.head_close is not None}
        snippets = {name: s for name, s in snippets.items() if anchored.get(name, found.body_close is not None)}
    return apply_blocks(data, snippets, head_at_end=found.head_close is None)


@EXAMPLES
@given(st.one_of(documents, noisy))
@example(b"<p{{ '</head>' }}<html>")  # a template token holding ">" inside a tag
@example(b'<a title="x {{ y }} ></head>">')  # a quoted value holding a template token, then ">"
def test_fast_scan_equals_exact_scan(data):
    fast, exact = scan(data), scan_exact(data)
    assert replace(fast, exact=None) == replace(exact, exact=None)


@EXAMPLES
@given(documents)
@example(b'<p="<!DOCTYPE html>')  # an unclosed quote must not be closed by the inserted block
@example(b'<p="q>\n</head>')
@example(b"<p")  # ends inside a tag: nothing may be appended
@example(b"<p>{{ x\n</head>")
def test_remove_after_apply_gives_the_original_bytes(data):
    assert strip_blocks(apply(data)) == data


@EXAMPLES
@given(documents)
def test_apply_twice_equals_apply_once(data):
    once = apply(data)
    assert apply(once) == once


@EXAMPLES
@given(documents)
def test_bytes_outside_the_blocks_are_unchanged(data):
    applied = apply(data)
    # Cut every inserted block out by its markers, independently of the injector's own logic.
    pieces, pos = [], 0
    while True:
        start = applied.find(b"<!-- tiktok-connector:", pos)
        if start < 0:
            break
        close = applied.index(b"-->", applied.index(b"<!-- /tiktok-connector:", start)) + 3
        pieces.append(applied[pos:start])
        pos = close
    pieces.append(applied[pos:])
    outside = b"".join(pieces)
    # What is left is the original plus only the line breaks and indentation framing the blocks.
    assert _without_layout(outside) == _without_layout(data)


@EXAMPLES
@given(documents)
def test_a_new_store_replaces_in_place(data):
    moved = apply(apply(data, "store_1"), "store_2")
    assert moved == apply(data, "store_2")
    assert strip_blocks(moved) == data


def _without_layout(data):
    return data.replace(b"\r", b"").replace(b"\n", b"").replace(b" ", b"").replace(b"\t", b"")


@EXAMPLES
@given(st.one_of(documents, noisy))
@example(b"<script>ttq.load(</script>")
@example(b"<script>ttq.load(")  # a script left open runs to the end of the file
def test_pixel_calls_are_every_ttq_load_that_starts_inside_a_script(data):
    regions = scan_exact_regions(data)
    starts = [at for at in range(len(data)) if data.startswith(b"ttq.load(", at)]
    expected = tuple(at for at in starts if any(s <= at < e and kind == "script" for s, e, kind in regions))
    assert scan(data).pixel_calls == expected


def scan_exact_regions(data):
    """The exact tokenizer's regions (start, end, kind): comments, scripts, styles, template tokens."""
    return _scan_exact(data, data.lower(), False)[0]


MARKER_PIECES = [
    b"<!-- tiktok-connector:head v1 -->", b"<!-- /tiktok-connector:head -->", b"<!-- tiktok-connector:",
    b"<!-- tiktok-connector:order v2 store=ab split -->", b"<!-- /tiktok-connector:order -->",
    b"<!-- /tiktok-connector:", b"<!-- tiktok-connector:Head v1 -->", b"<!-- tiktok-connector:head v1-->",
    b"x", b"\n", b"\r\n", b"  ",
]


@EXAMPLES
@given(st.lists(st.sampled_from(MARKER_PIECES), max_size=12).map(b"".join))
def test_marker_searches_find_what_the_regular_expressions_find(data):
    for pattern in (markers._OPEN, markers._ANY_CLOSE):
        for pos in range(0, len(data) + 1, 7):
            for end in (len(data), len(data) // 2):
                found, expected = markers._search(pattern, data, pos, end), pattern.search(data, pos, end)
                assert (found and found.span()) == (expected and expected.span())
