"""Splicing: blocks go in on their own lines, come out byte for byte, and never touch anything else."""
import re

import pytest

from injector.edit import apply_blocks, strip_blocks
from injector.errors import InjectorError
from injector.markers import MarkerError, find_blocks, make_snippet
from injector.runner import build_snippets
from injector.scan import scan

from .conftest import CORPUS, TEMPLATES, fixture_files

PAGE_BLOCKS = ("head", "view-content", "add-to-cart")


def fixture(name):
    return (TEMPLATES / name).read_bytes()


def pick(snippets, *names):
    return {name: snippets[name] for name in names}


def blocks_of(data):
    return find_blocks(data, scan(data).comment_starts)


HTML_FILES = [
    p for p in fixture_files() + fixture_files(CORPUS)
    if scan(p.read_bytes()).head_close is not None and b"\0" not in p.read_bytes()
]


@pytest.mark.parametrize("path", HTML_FILES, ids=lambda p: p.name)
def test_remove_restores_apply_and_apply_is_idempotent(path, snippets):
    original = path.read_bytes()
    chosen = pick(snippets, *PAGE_BLOCKS)
    applied = apply_blocks(original, chosen)
    assert applied != original
    assert [b.name for b in blocks_of(applied)] == list(PAGE_BLOCKS)
    assert apply_blocks(applied, chosen) == applied
    assert strip_blocks(applied) == original


def test_the_head_block_sits_on_its_own_lines_before_head_indented_like_the_line_above(snippets):
    applied = apply_blocks(fixture("preamble-license.html"), pick(snippets, "head"))
    text = applied.decode()
    assert "    <title>Loja</title>\n    <!-- tiktok-connector:head v1 store=store_1 -->\n    <script>" in text
    assert "\n    <!-- /tiktok-connector:head -->\n  </head>\n" in text


def test_crlf_files_get_crlf_blocks_and_keep_their_bom(snippets):
    original = fixture("bom-crlf.html")
    applied = apply_blocks(original, pick(snippets, "head"))
    assert applied.startswith(b"\xef\xbb\xbf<!DOCTYPE html>\r\n")
    assert b"<!-- tiktok-connector:head v1 store=store_1 -->\r\n  <script>" in applied
    assert applied.count(b"\n") == applied.count(b"\r\n")


def test_mixed_endings_follow_the_line_the_block_follows(snippets):
    original = fixture("mixed-endings.html")
    applied = apply_blocks(original, pick(snippets, "head"))
    # </head> follows a line ended by a lone CR: the block uses CR too
    block = applied[applied.index(b"<!-- tiktok-connector:head") : applied.index(b"</head>")]
    assert re.fullmatch(rb"[^\n]*", block) and block.count(b"\r") == 3


def test_latin1_bytes_stay_latin1(snippets):
    original = fixture("latin1.html")
    applied = apply_blocks(original, pick(snippets, "head"))
    assert b"Liquida\xe7\xe3o de ver\xe3o" in applied
    assert strip_blocks(applied) == original


def test_a_mid_line_anchor_gets_a_split_block_that_remove_joins_back(snippets):
    original = fixture("one-line.html")
    applied = apply_blocks(original, pick(snippets, *PAGE_BLOCKS))
    assert b"<title>min</title>\n<!-- tiktok-connector:head v1 store=store_1 split -->\n<script>" in applied
    assert b"<!-- /tiktok-connector:head -->\n</head><body>" in applied
    assert strip_blocks(applied) == original


def test_fragments_take_blocks_at_the_end_even_without_a_final_newline(snippets):
    for original in (b"<p>x</p>", b"<p>x</p>\n", b""):
        applied = apply_blocks(original, pick(snippets, "head", "order"), head_at_end=True)
        assert applied.startswith(original)
        assert applied.endswith(b"<!-- /tiktok-connector:order -->\n")
        assert strip_blocks(applied) == original


def test_a_new_store_key_replaces_the_block_in_place(snippets):
    original = fixture("preamble-license.html")
    first = apply_blocks(original, pick(snippets, "head"))
    other = build_snippets("vtex-legacy", "store_2", "https://other.example.com")
    second = apply_blocks(first, pick(other, "head"))
    assert [(b.name, b.store) for b in blocks_of(second)] == [("head", "store_2")]
    assert blocks_of(second)[0].start == blocks_of(first)[0].start
    assert b"https://other.example.com/pixel/store_2.js" in second and b"store_1" not in second
    assert strip_blocks(second) == original


def test_an_old_version_is_upgraded_in_place_and_remove_takes_any_version(snippets):
    original = fixture("preamble-license.html")
    applied = apply_blocks(original, pick(snippets, "head"))
    old = applied.replace(b"tiktok-connector:head v1 ", b"tiktok-connector:head v0 ").replace(b"ttc.q", b"ttc.old")
    assert strip_blocks(old) == original
    assert apply_blocks(old, pick(snippets, "head")) == applied


def test_blocks_no_longer_wanted_are_removed(snippets):
    original = fixture("closed-order.html")
    everything = apply_blocks(original, pick(snippets, "head", "view-content", "add-to-cart"))
    assert apply_blocks(everything, pick(snippets, "head", "order")) == apply_blocks(
        original, pick(snippets, "head", "order")
    )


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data.replace(b"<!-- /tiktok-connector:head -->", b""),
        lambda data: data.replace(b"<!-- tiktok-connector:head v1 store=store_1 -->", b""),
        lambda data: data.replace(b"<script>", b"<!-- tiktok-connector:order v1 -->\n<script>", 1),
    ],
)
def test_damaged_markers_are_refused(damage, snippets):
    damaged = damage(apply_blocks(fixture("preamble-license.html"), pick(snippets, "head")))
    with pytest.raises(MarkerError):
        blocks_of(damaged)


def test_snippets_must_be_ascii_and_keys_comment_safe():
    with pytest.raises(InjectorError):
        make_snippet("head", "1", "<script>var s = 'ação';</script>")
    with pytest.raises(InjectorError):
        make_snippet("head", "1", "<script></script>", store="bad key -->")


def test_a_marker_inside_a_script_is_not_a_block(snippets):
    data = b"<html><head><script>var m = '<!-- tiktok-connector:head v1 -->';</script></head></html>"
    assert blocks_of(data) == []
    assert strip_blocks(data) == data
