"""Finding the real </head>, </body> and VTEX controls: never inside comments, scripts or strings."""
from dataclasses import replace

import pytest

from injector.scan import scan, scan_exact

from .conftest import CORPUS, TEMPLATES, fixture_files


def fixture(name):
    return (TEMPLATES / name).read_bytes()


@pytest.mark.parametrize("path", fixture_files() + fixture_files(CORPUS), ids=lambda p: p.name)
def test_fast_scan_agrees_with_the_exact_tokenizer(path):
    data = path.read_bytes()
    fast, exact = scan(data), scan_exact(data)
    assert replace(fast, exact=None) == replace(exact, exact=None)


@pytest.mark.parametrize(
    "name, line_after_anchor",
    [
        ("head-in-js-string.html", b"</head>\n<body>"),
        ("preamble-license.html", b"</head>\n  <body>"),
        ("preamble-php.php", b"</head>\n<body>"),
        ("ie-conditional.html", b"</head>\n<body>"),
        ("head-in-cdata-and-templates.html", b"</head>\n<body>"),
        ("quoted-angle-attr.html", b'</head>\n<body onload'),
        ("php-in-start-tag.php", b"</head>\n<body<?php"),
        ("uppercase-head.html", b"</HEAD>\n<BODY>"),
        ("bom-crlf.html", b"</head>\r\n<body>"),
        ("two-documents.html", b"</head>\n<body>\n  <vtex.cmc:productName />"),
        ("one-line.html", b"</head><body>"),
        ("smarty-start-tag.tpl", b"</head>\n<body{if"),
        ("control-between-head-and-body.html", b'</head>\n<vtex:template id="after-head" />'),
    ],
)
def test_the_anchor_is_the_real_closing_head_tag(name, line_after_anchor):
    data = fixture(name)
    found = scan(data)
    assert data[found.head_close :].startswith(line_after_anchor)


def test_closing_header_is_not_closing_head():
    found = scan(fixture("header-fragment.html"))
    assert found.head_close is None
    assert not found.page


def test_a_head_without_its_closing_tag_is_noticed():
    found = scan(fixture("head-without-close.html"))
    assert found.head_open and found.head_close is None


def test_the_last_real_closing_body_is_found_not_one_in_an_attribute():
    data = fixture("quoted-angle-attr.html")
    found = scan(data)
    assert data[found.body_close :] == b"</body>\n</html>\n"


@pytest.mark.parametrize(
    "name, control, present",
    [
        ("uppercase-head.html", "buybutton", True),
        ("product page #2 @home ação.html", "buybutton", True),
        ("commented-buybutton.html", "buybutton", False),
        ("head-in-js-string.html", "buybutton", False),
        ("quoted-angle-attr.html", "buybutton", False),
        ("unquoted-attrs.html", "skuselection", True),
        ("category.html", "searchtitle", True),
    ],
)
def test_controls_count_only_when_live(name, control, present):
    assert (control in scan(fixture(name)).controls) is present


def test_included_sub_templates_are_listed():
    assert scan(fixture("product-page.html")).includes == ("head-common", "product-main")


def test_a_pixel_in_a_script_counts_but_a_commented_out_one_does_not():
    assert scan(fixture("hand-pasted-pixel.html")).pixel_calls
    assert not scan(fixture("commented-pixel.html")).pixel_calls


def test_unclosed_constructs_do_not_hang_or_guess():
    for data in (b"<!-- open", b"<script>x", b"<div title='x", b"{{ x", b"<?php echo 1", b"<", b"</"):
        assert scan(data).head_close is None
