"""The compiled tokenizer (_fastscan.c) gives exactly what the Python one (scan._scan_fast) gives.

The Python function is the reference: every region, candidate and hand-over to the exact
tokenizer must be the same, on the fixtures, the real-world corpus, the benchmark's templates and
generated documents built from the bytes that change how a template reads.
"""
import random
import sys

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from injector import scan as scan_module
from injector.scan import _scan_fast

from .conftest import CORPUS, REPO, fixture_files
from .test_properties import PIECES

compiled = scan_module._compiled_scan_fast
# Every byte sequence the tokenizers treat specially, in any case, and filler.
TOKENS = [
    b"<", b">", b"=", b"= ", b'"', b"'", b"{", b"{{", b"}}", b"{%", b"%}", b"}", b"%", b"<?", b"?>", b"<%", b"%>",
    b"<!", b"<!--", b"-->", b"--!>", b"--", b"-", b"!", b"<![CDATA[", b"<![cdata[", b"]]>", b"</", b"/", b" ", b"\t",
    b"\n", b"\r", b"\f", b"\v", b"<script", b"<SCRIPT", b"</script", b"</ScRiPt>", b"<style", b"</style>", b"<textarea",
    b"</textarea ", b"<xmp", b"<iframe", b"<noembed", b"<noframes", b"<head", b"<HEAD", b"</head", b"</Head>", b"<body",
    b"</body", b"<html", b"<header", b"</headers", b"<vtex", b"<VTEX", b"<vtex.cmc:", b"<vtex:", b"buybutton",
    b"BuyButton", b"template", b"metaTags", b"skuSelection", b".", b":", b"_", b"a", b"x", b"1", b"\xe7", b"\xff",
    b"id=", b"ttq.load(",
]
tokens = st.lists(st.sampled_from(TOKENS), max_size=60).map(b"".join)
mixed = st.lists(st.one_of(st.sampled_from(PIECES), st.sampled_from(TOKENS), st.binary(max_size=6)), max_size=40)
MANY = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])

pytestmark = pytest.mark.skipif(compiled is None, reason="the injector was installed without its compiled tokenizer")


def python(data):
    return _scan_fast(data, data.lower())


def test_an_install_with_a_c_compiler_builds_it():
    # `make .venv/bin/activate` (and CI) build it; without it the injector is several times slower.
    assert scan_module.scan(b"<html><head></head><body></body></html>").head_close == 12
    assert compiled is not None


@MANY
@given(st.one_of(tokens, mixed.map(b"".join)))
@example(b'<script a="x>y"></script>')
@example(b"<p {{ '>' }}<head>")
@example(b"<!--->")
@example(b"<script")
@example(b"<vtex.cmc:buybutton")
@example(b"<![CDATA[")
def test_compiled_equals_python_on_generated_documents(data):
    assert compiled(data) == python(data)


@pytest.mark.parametrize("path", fixture_files() + fixture_files(CORPUS), ids=lambda p: p.name)
def test_compiled_equals_python_on_fixtures_and_the_corpus(path):
    data = path.read_bytes()
    assert compiled(data) == python(data)
    # and on every prefix and suffix a cut in the middle of a construct leaves
    rng = random.Random(path.name)
    for cut in sorted(rng.sample(range(len(data) + 1), min(40, len(data) + 1))):
        assert compiled(data[:cut]) == python(data[:cut])
        assert compiled(data[cut:]) == python(data[cut:])


def test_compiled_equals_python_on_mutated_benchmark_templates():
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from injector_bench import make_template
    finally:
        sys.path.remove(str(REPO / "bench"))
    rng = random.Random(7)
    for index in range(40):
        data = make_template(index, 6_000)
        assert compiled(data) == python(data)
        for _ in range(10):  # a few bytes swapped for the ones that matter
            mutated = bytearray(data)
            for _ in range(rng.randint(1, 4)):
                at = rng.randrange(len(mutated))
                mutated[at : at + 1] = rng.choice(TOKENS)
            mutated = bytes(mutated)
            assert compiled(mutated) == python(mutated)


def test_memoryview_and_bytearray_read_alike():
    data = b'<html><head><script>var a = "</head>";</script></head><body>{{ x }}</body>'
    assert compiled(bytearray(data)) == compiled(memoryview(data)) == python(data)
