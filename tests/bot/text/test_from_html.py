"""bot.text.from_html: HTML fragments to clean plain text, first image of a fragment."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.text.from_html import (
    _lxml_html_to_text,
    _simple_html_to_text,
    first_image,
    html_to_text,
    normalize_text,
)

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("a&nbsp;b", "a b"),
        ("Q&A time", "Q&A time"),
        ("<p>Q&A time</p>", "Q&A time"),
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("Tom &amp Jerry", "Tom & Jerry"),
        ("&lt;b&gt; is bold", "<b> is bold"),
        ("&#8220;quoted&#x201D; &eacute;t&eacute;", "“quoted” été"),
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("<div><div><p>Nested</p></div></div>after", "Nested\n\nafter"),
        ("<h2>Title</h2>Body text", "Title\n\nBody text"),
        ("line one<br>line two<br/>line three", "line one\nline two\nline three"),
        ("a<br><br>b", "a\n\nb"),
        ("<ul><li>one</li><li>two</li></ul>", "• one\n• two"),
        ("<ol><li>first<li>second</ol>", "1. first\n2. second"),
        ("<p>Intro</p><ul><li>x</li></ul><p>Outro</p>", "Intro\n\n• x\n\nOutro"),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"),
        ("<script>alert(1)</script>safe", "safe"),
        ("<style>p { color: red }</style>text", "text"),
        ('<iframe src="https://ads.example"></iframe>kept', "kept"),
        ("before<!-- a comment -->after", "beforeafter"),
        ("  <p>  lots \t of   space  </p>  ", "lots of space"),
        ("<b>bold</b> and <i>italic</i> stay inline", "bold and italic stay inline"),
        ('<a href="https://x.example">link text</a> only', "link text only"),
        ("<pre>code  here\n  more</pre>", "code here\nmore"),
        (f"zero{ZERO_WIDTH}width", "zerowidth"),
        ("<p>zero&#8203;width</p>", "zerowidth"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_html_to_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


@pytest.mark.parametrize(
    "text",
    [
        "a < b and c > d",
        "Q&A time",
        "2 > 1 & 1 < 2",
        "**markdown** and @everyone",
        "<@&123456789012345678> role mention",
        "C++ & C#",
    ],
)
def test_plain_text_passes_through(text: str) -> None:
    assert html_to_text(text) == text


def test_plain_text_whitespace_is_normalised_but_paragraphs_kept() -> None:
    text = "First  line\r\nsecond\tline\n\n\n\nnew paragraph  "
    assert html_to_text(text) == "First line\nsecond line\n\nnew paragraph"
    assert normalize_text(text) == "First line\nsecond line\n\nnew paragraph"


@pytest.mark.parametrize(
    "html",
    [
        "<p>unclosed <b>bold",
        "</div></p>stray closers",
        "<<<>>>",
        "<p <p <p>",
        "<!-- never closed",
        "<![CDATA[ x ]]>",
        "<?xml version='1.0' encoding='latin-1'?><p>declared</p>",
        "\x00\x01<p>controls</p>\x7f",
        "<div>" * 5000 + "deep" + "</div>" * 5000,
        "<p>" + "x" * 1_000_000 + "</p>",
        "\ud800 lone surrogate <b>x</b>",
    ],
)
def test_broken_html_never_raises(html: str) -> None:
    result = html_to_text(html)
    assert isinstance(result, str)
    assert "\x00" not in result


def test_deeply_nested_markup_keeps_text() -> None:
    assert html_to_text("<div>" * 5000 + "deep" + "</div>" * 5000) == "deep"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_html_to_text_never_raises_on_any_text(text: str) -> None:
    result = html_to_text(text)
    assert isinstance(result, str)
    assert not any(char in result for char in ZERO_WIDTH)
    assert result == result.strip()


_TAGS = st.sampled_from(
    ["p", "div", "br", "li", "ul", "ol", "script", "style", "pre", "td", "tr", "b", "img", "a"]
)
_FRAGMENT = st.lists(
    st.one_of(
        st.text(max_size=10),
        _TAGS.map(lambda tag: f"<{tag}>"),
        _TAGS.map(lambda tag: f"</{tag}>"),
        st.sampled_from(["&nbsp;", "&amp;", "&", "&#0;", "&#x110000;", "&bogus;", "<!--", "-->"]),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_FRAGMENT)
def test_html_to_text_never_raises_on_tag_soup(html: str) -> None:
    assert isinstance(html_to_text(html), str)
    image = first_image(html, "https://example.com/")
    assert image is None or image.startswith("https://example.com/")


# Paragraphs and inline markup skip lxml (bot.text, _simple_html_to_text): these fragments
# mix what the fast reading takes with what it must hand to lxml, in every nesting.
_SIMPLE_TAGS = ["p", "div", "h2", "blockquote", "hr", "a", "b", "em", "span", "img", "br", "Q"]
_SIMPLE_PARTS = st.one_of(
    st.text(alphabet=st.sampled_from([*"ab c\n\t\xa0.>\"'=", "\u200b", "é"]), max_size=8),
    st.builds(
        lambda name, closing, attribute, slash: (
            f"</{name}>" if closing else f"<{name}{attribute}{' /' if slash else ''}>"
        ),
        st.sampled_from([*_SIMPLE_TAGS, "P", "li", "pre", "script", "td"]),
        st.booleans(),
        st.sampled_from(
            ["", ' href="http://x/?a=1&b=2"', " title='x > y'", " a\n=\n1", ' x="&amp;"', " on"]
        ),
        st.booleans(),
    ),
    st.sampled_from(
        [
            "&amp;",
            "&lt;",
            "&nbsp;",
            "&hellip;",
            "&eacute;",
            "&Eacute;",
            "&#8220;",
            "&#x201D;",
            "&#39;",
            "&apos;",
            "&#128;",
            "&#0;",
            "&bogus;",
            "&AMP;",
            "&amp",
            "&",
            "<",
            "\x01",
            "\ud800",
        ]
    ),
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(_SIMPLE_PARTS, max_size=25).map("".join))
def test_simple_markup_reads_as_lxml_reads_it(html: str) -> None:
    fast = _simple_html_to_text(html)
    assert fast is None or fast == _lxml_html_to_text(html)


@pytest.mark.parametrize(
    ("html", "simple"),
    [
        ('<p>One <a href="https://x.example/?a=1&amp;b=2">link</a>.</p><p>Two<br>lines</p>', True),
        ("<h2>Title</h2><div><em>Body</em> &mdash; &#8220;quoted&#x201D;<hr>end</div>", True),
        ("<p>a<p>b", True),  # unclosed paragraphs close at the next one, as in lxml
        ("<ul><li>one</li></ul>", False),  # list markers
        ("<p>a</div>b</p>", False),  # a stray end tag: lxml decides what it closes
        ("<p>Q&A time</p>", False),  # a bare "&"
        ("a < b <i>c</i>", False),
        ("<p>&apos;x&apos;</p>", False),  # not an HTML 4 entity: libxml2 reads it its own way
    ],
)
def test_which_markup_is_read_without_lxml(html: str, simple: bool) -> None:
    fast = _simple_html_to_text(html)
    assert (fast is not None) == simple
    assert html_to_text(html) == _lxml_html_to_text(html)


@settings(max_examples=200, deadline=None)
@given(st.text(), st.one_of(st.none(), st.text()))
def test_first_image_never_raises(html: str, base: str | None) -> None:
    result = first_image(html, base)
    assert result is None or result.startswith(("http://", "https://"))


def test_first_image_skips_pixels_and_data_uris_and_resolves() -> None:
    html = (
        '<img src="https://track.example/p.gif" width="1" height="1">'
        '<img src="https://track.example/q.gif" style="width: 1px; height: 1px">'
        '<img src="data:image/png;base64,iVBORw0KGgo=">'
        '<img src="/images/photo.jpg" alt="photo">'
        '<img src="https://example.com/second.jpg">'
    )
    assert (
        first_image(html, "https://example.com/blog/post") == "https://example.com/images/photo.jpg"
    )


def test_lone_surrogates_are_dropped_so_the_text_can_be_stored() -> None:
    # json.loads makes them from a "\ud800" escape; UTF-8 (and so SQLite) cannot hold them.
    for text in (normalize_text("a\ud800b"), html_to_text("<p>a\udfff</p>b")):
        text.encode("utf-8")


def test_first_image_finds_tags_in_any_case_and_nothing_without_one() -> None:
    assert (
        first_image('<P><IMG SRC="/a.jpg"></P>', "https://e.example/") == "https://e.example/a.jpg"
    )
    # Only a tag makes an image: escaped markup is text.
    assert first_image("<p>&lt;img src='/a.jpg'&gt;</p>", "https://e.example/") is None


def test_first_image_uses_lazy_source_behind_placeholder() -> None:
    html = '<img src="data:image/gif;base64,R0lGOD" data-src="real.png">'
    assert first_image(html, "https://example.com/a/") == "https://example.com/a/real.png"


@pytest.mark.parametrize(
    ("html", "base"),
    [
        ("<p>no image here</p>", "https://example.com/"),
        ("", "https://example.com/"),
        ('<img src="relative.jpg">', None),
        ('<img src="javascript:alert(1)">', "https://example.com/"),
        ("<img>", "https://example.com/"),
    ],
)
def test_first_image_none(html: str, base: str | None) -> None:
    assert first_image(html, base) is None
