"""The render functions: arguments, size budgets, ES5-only output (parsed by acorn) and escaping of store values."""
import gzip
import json
import re

import pytest

import snippets
from snippets import SnippetError, render_event, render_head, render_loader
from tests.snippets.jsharness import KEY, SERVER, es5_errors, store_config

HOSTILE = "</script><!--<script>'\"\\\u2028\u2029&>"
# A realistic key (secrets.token_urlsafe(16) is 22 characters; the column allows 43).
LONG_KEY = "Zm9vYmFyYmF6cXV4LXF1dXgtY29yZ2UtZ3JhdWx0LWdh"[:43]


SNIPPET_PLATFORMS = ("generic", "headless", "vtex-legacy")  # the platforms with per-event snippets


def script_bodies(markup):
    """Inline script bodies as an HTML tokenizer cuts them: each ends at the first "</script"."""
    return re.findall(r"<script\b[^>]*>([\s\S]*?)</script", markup, flags=re.I)


def all_outputs():
    yield "head", render_head(KEY, SERVER)
    yield "loader", render_loader(store_config())
    for platform in SNIPPET_PLATFORMS:
        for event in snippets.platform_events(platform):
            yield f"{platform}/{event}", render_event(event, platform)
    yield "ecwid", snippets.render_ecwid(KEY, SERVER)


def test_head_snippet_fits_its_budget_with_a_long_key_and_url():
    head = render_head(LONG_KEY, "https://pixel.connector.example-store.com.br/tiktok")

    assert len(head.encode("utf-8")) <= snippets.HEAD_BUDGET_BYTES
    assert head.startswith("<script>") and head.endswith("</script>")


def test_loader_fits_its_gzipped_budget_for_a_realistic_config():
    # A new store's events (the catalog's three and the funnel steps on by default), two domains,
    # server events on, a long key and connector address.
    config = store_config(consent_mode="hold", advanced_matching=True, order_event="Purchase",
                          events=["ViewContent", "AddToCart", "Purchase",
                                  "InitiateCheckout", "AddPaymentInfo", "Search"],
                          collector=f"https://pixel.connector.example-store.com/pixel/{LONG_KEY}/events",
                          domains=["loja.example.com.br", "www.loja.example.com.br"])

    loader = render_loader(config).encode("utf-8")

    assert len(gzip.compress(loader, 9)) <= snippets.LOADER_BUDGET_GZIP_BYTES


@pytest.mark.parametrize("key", ["", "has space", "a/b", "a.b", "</script>", "ключ", "a" * 65, None])
def test_head_rejects_a_store_key_that_is_not_url_safe(key):
    with pytest.raises(SnippetError):
        render_head(key, SERVER)


@pytest.mark.parametrize("url", ["ftp://px.example.com", "javascript:alert(1)", "//px.example.com",
                                 "px.example.com", "https://", "https://px.example.com/a b",
                                 "https://px.example.com/?q=1", "https://px.example.com/\n", None])
def test_head_rejects_a_server_url_that_is_not_plain_http(url):
    with pytest.raises(SnippetError):
        render_head(KEY, url)


def test_head_loads_the_store_loader_from_the_server_url_without_a_double_slash():
    head = render_head(KEY, SERVER + "/")

    assert f'"src":"{SERVER}/pixel/{KEY}.js"' in head


@pytest.mark.parametrize("event, platform", [("Browse", "generic"), ("ViewContent", "shopify"),
                                             ("viewcontent", "generic"), ("AddToCart", "VTEX")])
def test_render_event_rejects_unknown_events_and_platforms(event, platform):
    with pytest.raises(SnippetError):
        render_event(event, platform)


@pytest.mark.parametrize("platform", SNIPPET_PLATFORMS)
def test_purchase_renders_the_order_snippet(platform):
    assert render_event("Purchase", platform) == render_event("PlaceAnOrder", platform)


def test_html_platform_snippets_are_script_blocks_and_headless_is_plain_javascript():
    for platform in ("generic", "vtex-legacy"):
        for event in snippets.platform_events(platform):
            snippet = render_event(event, platform)
            assert snippet.startswith("<script>") and snippet.endswith("</script>")
            assert len(script_bodies(snippet)) == 1
    for event in snippets.platform_events("headless"):
        assert "<script" not in render_event(event, "headless")


def test_each_platform_offers_the_funnel_it_can_report():
    funnel = {"InitiateCheckout", "AddPaymentInfo", "Search"}
    for platform in snippets.PLATFORMS:
        assert funnel <= set(snippets.platform_events(platform)), platform
    assert "ClickButton" in snippets.platform_events("vtex-io")
    assert "ClickButton" not in snippets.platform_events("generic")
    with pytest.raises(SnippetError):
        render_event("ClickButton", "generic")
    with pytest.raises(SnippetError):
        render_event("ViewContent", "ecwid")


def test_the_example_currency_is_the_stores_own():
    snippet = render_event("ViewContent", "generic", "EUR")

    assert 'e.g. "EUR"' in snippet and '"BRL"' not in snippet


def test_generic_snippets_document_their_placeholders():
    view = render_event("ViewContent", "generic")
    order = render_event("PlaceAnOrder", "generic")

    for placeholder in ("PRODUCT_SKU", "PRODUCT_NAME", "PRODUCT_PRICE", "CURRENCY_CODE", "VALUE"):
        assert re.search(rf'"{placeholder}",?\s+// {placeholder}: ', view), placeholder
    assert 'content_id: "PRODUCT_SKU"' in view
    assert '"ORDER_ID"' in order and '"ORDER_TOTAL"' in order


@pytest.mark.parametrize("config", [
    "not a dict",
    {"enabled": True},
    {"enabled": True, "pixel_code": ""},
    store_config(order_event="CompletePayment"),
    store_config(consent_mode="maybe"),
    store_config(events="ViewContent"),
    store_config(currency=986),
])
def test_render_loader_rejects_a_config_it_cannot_honour(config):
    with pytest.raises(SnippetError):
        render_loader(config)


def test_a_disabled_store_needs_nothing_but_enabled_false():
    disabled = {"enabled": False, "pixel_code": None, "events": [], "order_event": "Purchase",
                "currency": "BRL", "consent_mode": "hold", "advanced_matching": False}

    assert render_loader(disabled) == render_loader({"enabled": False})
    assert "C9Q2" not in render_loader({**store_config(), "enabled": False})


def test_unknown_config_keys_are_ignored():
    later = store_config(collector_url="https://collector.example", server_events=True)

    assert render_loader(later) == render_loader(store_config())


def test_generated_javascript_is_es5():
    sources = [(name, "\n".join(script_bodies(output)) if output.startswith("<script") else output)
               for name, output in all_outputs()]

    errors = es5_errors(sources)

    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("source", [
    "function f(a, b) {\n  return a + b;\n}",
    "var o = {a: 1, 'b': [2, 3]}; for (var k in o) { o[k] = void 0; }",
])
def test_the_es5_check_accepts_es5(source):
    assert es5_errors([("ok.js", source)]) == []


@pytest.mark.parametrize("construct, source, line, column", [
    ("default parameter", "var x = 1;\nfunction f(a, b = 1) { return a + b; }", 2, 17),
    ("spread", "f.apply(null, [1]);\nf(...args);", 2, 3),
    ("for...of", "for (var item of items) { use(item); }", 1, 15),
    ("arrow", "var f = function () {};\nvar g = (a) => a;", 2, 14),
    ("let", "let n = 1;", 1, 5),
    ("const", "const n = 1;", 1, 1),
    ("template literal", "var s = `total ${n}`;", 1, 9),
])
def test_the_es5_check_reports_es2015_with_its_place(construct, source, line, column):
    errors = es5_errors([("first.js", "var ok = 1;"), (f"{construct}.js", source)])

    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{construct}.js:{line}:{column}: "), errors


def test_hostile_values_are_escaped_where_they_reach_javascript():
    url = SERVER + "/" + HOSTILE.replace("\\", "") + "x"
    head = render_head(KEY, url)
    loader = render_loader(store_config(pixel_code=HOSTILE, currency=HOSTILE))

    for output in (head, loader):
        body = script_bodies(output)[0] if output.startswith("<script>") else output
        for bad in ("</script", "<!--", "<script", "\u2028", "\u2029"):
            assert bad not in body
    assert len(script_bodies(head)) == 1 and head.count("</script>") == 1


def test_js_value_survives_a_round_trip_through_json():
    value = {"s": HOSTILE, "n": 1.5, "list": ["ç", None, True]}

    assert json.loads(snippets.js_value(value)) == value


def test_compact_drops_spaces_beside_punctuation_only_outside_strings():
    source = 'var a = "x = y; z" + b, c = d - -e;\nif (f) return g ? h : \'i ( j\';\nk = l / m;'

    assert snippets.compact(source) == 'var a="x = y; z"+b,c=d- -e;\nif(f)return g?h:\'i ( j\';\nk=l / m;'
