"""The compiled tokenizers (_fastscan.c) give exactly what the Python ones (scan._scan_fast and
scan._scan_exact) give.

The Python functions are the reference: every region, candidate and hand-over to the exact
tokenizer must be the same, on the fixtures, the real-world corpus, the benchmark's templates and
generated documents built from the bytes that change how a template reads.
"""
import random
import shutil
import sys

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from injector import scan as scan_module
from injector.scan import _scan_exact, _scan_fast

from .conftest import CORPUS, REPO, fixture_files
from .test_properties import PIECES

compiled_fast, compiled_exact = scan_module._compiled_scan_fast, scan_module._compiled_scan_exact
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

compiled = pytest.mark.skipif(compiled_fast is None, reason="installed without the compiled tokenizers")


def agree(data):
    """Assert that both compiled tokenizers answer as the Python ones on ``data``."""
    assert compiled_fast(data) == _scan_fast(data, data.lower())
    assert compiled_exact(data) == _scan_exact(data, data.lower(), False)[:2]


@pytest.mark.skipif(not (shutil.which("cc") or shutil.which("gcc")), reason="no C compiler here")
def test_an_install_with_a_c_compiler_builds_them():
    # `pip install -e .` (make, CI) builds them; without them the injector is several times slower.
    assert compiled_fast is not None and compiled_exact is not None, "rebuild: make .venv/bin/activate"
    assert scan_module.scan(b"<html><head></head><body></body></html>").head_close == 12


@compiled
@MANY
@given(st.one_of(tokens, mixed.map(b"".join)))
@example(b'<script a="x>y"></script>')
@example(b"<p {{ '>' }}<head>")
@example(b"<!--->")
@example(b"<script")
@example(b"<vtex.cmc:buybutton")
@example(b"<![CDATA[")
@example(b"<![cdata[ x ]]><head>")
@example(b"</head")
@example(b"</ head></HEAD\x0b>")
def test_compiled_equals_python_on_generated_documents(data):
    agree(data)


@compiled
@pytest.mark.parametrize("path", fixture_files() + fixture_files(CORPUS), ids=lambda p: p.name)
def test_compiled_equals_python_on_fixtures_and_the_corpus(path):
    data = path.read_bytes()
    agree(data)
    # and on every prefix and suffix a cut in the middle of a construct leaves
    rng = random.Random(path.name)
    for cut in sorted(rng.sample(range(len(data) + 1), min(40, len(data) + 1))):
        agree(data[:cut])
        agree(data[cut:])


@compiled
def test_compiled_equals_python_on_mutated_benchmark_templates():
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from injector_bench import make_template
    finally:
        sys.path.remove(str(REPO / "bench"))
    rng = random.Random(7)
    for index in range(40):
        data = make_template(index, 6_000)
        agree(data)
        for _ in range(10):  # a few bytes swapped for the ones that matter
            mutated = bytearray(data)
            for _ in range(rng.randint(1, 4)):
                at = rng.randrange(len(mutated))
                mutated[at : at + 1] = rng.choice(TOKENS)
            agree(bytes(mutated))


@compiled
def test_memoryview_and_bytearray_read_alike():
    data = b'<html><head><script>var a = "</head>";</script></head><body>{{ x }}</body>'
    assert compiled_fast(bytearray(data)) == compiled_fast(memoryview(data)) == _scan_fast(data, data.lower())
    assert compiled_exact(bytearray(data)) == compiled_exact(memoryview(data)) == compiled_exact(data)
