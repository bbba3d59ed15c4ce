"""Descriptions as text: the simple-markup reader agrees with the BeautifulSoup walk, always."""
from bs4 import BeautifulSoup
from hypothesis import example, given, settings
from hypothesis import strategies as st

from server.catalog.checks import text

TAG_NAMES = ["p", "div", "b", "strong", "i", "em", "span", "ul", "ol", "li", "br", "hr", "img", "h2", "a",
             "td", "table", "tr", "script", "style", "pre", "font", "sup", "BR", "P", "Li", "custom"]
ATTRIBUTES = ["", ' class="x"', " style='color:red'", ' title="a>b"', " data-x=1", ' href="/p?a=1&amp;b=2"',
              " checked", ' alt=""', " a = 'b' ", ' onclick="alert(1)"', ' title="a<b"', " data-x=1/", " /",
              ' x="1"y="2"', " class=a'b"]
WORDS = ["Camiseta", " ", "  ", "\n", "\t", "100%", "algodão", "&amp;", "&nbsp;", "&lt;", "&eacute;", "&#233;",
         "&#x2013;", "&#150;", "&#0;", "&copy", "&foo;", "&lang;", "AT&T", "a < b", ">", ";", "&", "•", "\u00a0",
         "<!-- c -->", "<![CDATA[x]]>", "</p>", "<p/>", "<br/>", "<br />", "</br>", "</p >", "<P>",
         "<3", "<!DOCTYPE html>", "<?php x ?>"]


@st.composite
def markup(draw):
    """Tag soup: mostly nested properly (the reader's case), sometimes not, with odd text between."""
    parts, stack = [], []
    for _ in range(draw(st.integers(0, 25))):
        choice = draw(st.integers(0, 9))
        if choice < 4:
            parts.append(draw(st.sampled_from(WORDS)))
        elif choice < 7:
            name = draw(st.sampled_from(TAG_NAMES))
            parts.append(f"<{name}{draw(st.sampled_from(ATTRIBUTES))}>")
            if name.lower() not in ("br", "hr", "img"):
                stack.append(name)
        elif stack and choice < 9:
            parts.append(f"</{stack.pop()}>")
        elif draw(st.booleans()):
            parts.append(f"</{draw(st.sampled_from(TAG_NAMES))}>")
    if draw(st.booleans()):
        parts.extend(f"</{name}>" for name in reversed(stack))
    return "".join(parts)


def soup_text(value):
    parts = []
    text._text_of(BeautifulSoup(value, "html.parser"), parts)
    return text._tidy("".join(parts))


@settings(max_examples=2000, deadline=None)
@given(markup())
@example("<p>Camiseta de <b>algodão</b>, corte reto.</p><ul><li>100% algodão</li><li>Lavar à mão</li></ul>")
@example('<div class="d"><h2>Título</h2><p>A&nbsp;B &amp; C<br>D&eacute;</p><hr><img src="x.jpg"></div>')
def test_the_simple_reader_gives_what_beautifulsoup_gives(value):
    fast = text._from_simple_html(value)
    if fast is not None:
        assert text._tidy(fast) == soup_text(value)


def test_common_descriptions_take_the_simple_reader_and_the_rest_beautifulsoup():
    common = ('<p>Camiseta de <b>algodão orgânico</b>, corte reto.</p><ul><li>100% algodão</li>'
              '<li class="x">Lavar à mão</li></ul><p>Cor: azul&nbsp;&amp; branco.<br/>Tamanhos P a GG</p>')
    assert text._from_simple_html(common) is not None
    assert text.plain_text(common) == ("Camiseta de algodão orgânico, corte reto.\n• 100% algodão\n• Lavar à mão\n"
                                       "Cor: azul & branco.\nTamanhos P a GG")
    for odd in ("<p>a<p>b", "<p>x<script>alert(1)</script></p>", "a < b <b>c</b>", "<b>AT&T</b>",
                "<p>x<!-- hidden --></p>", "<b><i>x</b></i>"):
        assert text._from_simple_html(odd) is None
        assert text.plain_text(odd) == soup_text(odd)
