"""Feed documents for the parse-path equivalence test and the poll benchmark.

:func:`fill` gives a generated feed (tests/feed_server.py) realistic items whose text holds
the cases a fast parser gets wrong: ``&nbsp;`` and other entities inside HTML, a bare ``&``
in plain text (``Q&A time``), HTML in titles, relative links and images, missing guids,
links and dates, authors, categories, non-ASCII text. :data:`HAND_MADE` are documents
written by hand: CDATA holding raw ``&nbsp;``, undeclared entities, bare ``&`` (malformed),
a permalink guid without a link, xml:base, XHTML content, enclosures, thumbnails, odd
dates and encodings.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from tests.feed_server import OMIT, Feed

FIXTURES = Path(__file__).parent / "feeds"

WORDS = [
    "market",
    "election",
    "climate",
    "vaccine",
    "rocket",
    "council",
    "budget",
    "court",
    "league",
    "striker",
    "storm",
    "harbour",
    "railway",
    "museum",
    "festival",
    "treaty",
    "senator",
    "startup",
    "chip",
    "battery",
    "drought",
    "wildfire",
    "inflation",
    "tariff",
    "summit",
    "pipeline",
    "satellite",
    "hospital",
    "school",
    "river",
    "bridge",
    "airport",
    "orchestra",
    "novel",
    "cinema",
    "bakery",
    "vineyard",
    "glacier",
    "volcano",
    "reef",
    "forest",
    "city",
    "village",
    "parliament",
]
TRICKY = [
    "a&nbsp;b",
    "Q&A time",
    "AT&T and R&D",
    "5 < 6 > 4",
    "Tom &amp; Jerry",
    "caf\u00e9 na\u00efve \u00fcber",
    "\u6771\u4eac \u0645\u0631\u062d\u0628\u0627 \U0001f680",
    "zero\u200bwidth",
    "  padded   text  ",
    "line\nbreak",
    "&lt;b&gt;escaped&lt;/b&gt;",
    "&#8220;quoted&#8221; &mdash; dash",
    "<b>bold</b> title",
    "100% & rising",
]
HTML_SNIPPETS = [
    "<p>First&nbsp;paragraph with <a href='/relative/link'>a link</a>.</p><p>Second.</p>",
    "<p>Q&amp;A time: what&#39;s next?</p>",
    "<div><img src='/images/pic.jpg' alt='x'> Caption&nbsp;here</div>",
    "<ul><li>one</li><li>two &amp; three</li></ul>",
    "Plain text with a bare & and &nbsp; entity",
    "<p>Emoji \U0001f600 and <em>emphasis</em><br>new line</p>",
    "<script>alert(1)</script><p>kept</p>",
    "<table><tr><td>a</td><td>b</td></tr></table>",
]


def words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def fill(feed: Feed, count: int, rng: random.Random, *, tricky: float = 0.3) -> None:
    """Add ``count`` items to ``feed``: mostly clean news items of a few hundred bytes to a
    few KB, a share (``tricky``) with edge cases in every field."""
    for _ in range(count):
        fields: dict[str, Any] = {
            "title": words(rng, rng.randint(5, 10)).capitalize(),
            "summary": "<p>" + words(rng, rng.randint(25, 50)) + ".</p>",
        }
        if rng.random() < 0.4:
            fields["content"] = "".join(
                f"<p>{words(rng, rng.randint(30, 60))}.</p>" for _ in range(rng.randint(2, 6))
            )
        if rng.random() < 0.3:
            fields["author"] = words(rng, 2).title()
        if rng.random() < 0.3:
            fields["categories"] = [rng.choice(WORDS) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.2:
            fields["image"] = f"https://img.example.com/{rng.randint(1, 10**6)}.jpg"
        if rng.random() < tricky:
            _tricky(fields, rng)
        feed.add_item(**fields)


def _tricky(fields: dict[str, Any], rng: random.Random) -> None:
    fields["title"] = f"{fields['title']} {rng.choice(TRICKY)}"
    fields["summary"] = rng.choice(HTML_SNIPPETS + TRICKY)
    choice = rng.randrange(8)
    if choice == 0:
        fields["guid"] = OMIT
    elif choice == 1:
        fields["guid"] = OMIT
        fields["link"] = OMIT
    elif choice == 2:
        fields["published"] = OMIT
    elif choice == 3:
        fields["link"] = "/relative/" + str(rng.randint(1, 999))
    elif choice == 4:
        fields["author"] = "Jane Doe (jane@example.com)"
    elif choice == 5:
        fields["content"] = rng.choice(HTML_SNIPPETS)
    elif choice == 6:
        fields["title"] = OMIT
    else:
        fields["summary"] = OMIT


_RSS_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:media="http://search.yahoo.com/mrss/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Hand</title>'
    "<link>https://hand.example.com/</link><description>d</description>"
)
_RSS_TAIL = "</channel></rss>"
_ATOM_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
    "<title>Hand</title><id>urn:hand</id><updated>2026-01-01T00:00:00Z</updated>"
)


def _rss(*items: str) -> bytes:
    return (_RSS_HEAD + "".join(f"<item>{item}</item>" for item in items) + _RSS_TAIL).encode()


def _atom(*entries: str) -> bytes:
    body = "".join(f"<entry>{entry}</entry>" for entry in entries)
    return (_ATOM_HEAD + body + "</feed>").encode()


HAND_MADE: dict[str, bytes] = {
    "cdata-nbsp-amp": _rss(
        "<title><![CDATA[a&nbsp;b and Q&A time]]></title><guid isPermaLink='false'>1</guid>"
        "<description><![CDATA[<p>a&nbsp;b</p> Q&A time & more]]></description>"
    ),
    "undeclared-entity": _rss("<title>a&nbsp;b</title><guid>x1</guid>"),
    "bare-ampersand": _rss("<title>Q&A time</title><link>https://e.com/1</link>"),
    "permalink-guid-no-link": _rss("<title>t</title><guid>https://e.com/p/1</guid>"),
    "non-url-guid-no-link": _rss("<title>t</title><guid>item-17</guid>"),
    "guid-before-link": _rss(
        "<guid>https://e.com/g</guid><link>https://e.com/l</link><title>t</title>"
    ),
    "no-guid-no-link": _rss(
        "<title>Only a title</title><pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate>"
        "<description>same text</description>"
    ),
    "offset-dates": _rss(
        "<title>a</title><guid isPermaLink='false'>a</guid>"
        "<pubDate>Wed, 02 Oct 2002 08:00:00 EST</pubDate>",
        "<title>b</title><guid isPermaLink='false'>b</guid>"
        "<pubDate>Wed, 02 Oct 2002 15:00:00 +0200</pubDate>",
        "<title>c</title><guid isPermaLink='false'>c</guid><pubDate>2002-10-02</pubDate>",
        "<title>d</title><guid isPermaLink='false'>d</guid><pubDate>not a date</pubDate>",
    ),
    "enclosure-thumbnail": _rss(
        "<title>e</title><guid isPermaLink='false'>e</guid>"
        "<enclosure url='https://e.com/a.png' type='image/png' length='1'/>",
        "<title>f</title><guid isPermaLink='false'>f</guid>"
        "<media:thumbnail url='https://e.com/t.jpg'/>",
        "<title>g</title><guid isPermaLink='false'>g</guid>"
        "<description>&lt;img src=&quot;/rel.png&quot;&gt; text</description>"
        "<link>https://e.com/g/</link>",
    ),
    "two-descriptions": _rss(
        "<title>t</title><guid isPermaLink='false'>t</guid>"
        "<description>one</description><description>two</description>"
    ),
    "content-before-description": _rss(
        "<title>t</title><guid isPermaLink='false'>t</guid>"
        "<content:encoded>&lt;p&gt;full&lt;/p&gt;</content:encoded>"
        "<description>short</description>"
    ),
    "content-only": _rss(
        "<title>t</title><guid isPermaLink='false'>t</guid>"
        "<content:encoded>&lt;p&gt;full &amp;amp; text&lt;/p&gt;</content:encoded>"
    ),
    "xml-base": (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" '
        b'xml:base="https://base.example.com/dir/"><title>b</title>'
        b"<entry><id>1</id><title>t</title><link href='rel/1'/></entry></feed>"
    ),
    "atom-xhtml": _atom(
        "<id>x</id><title type='xhtml'><div xmlns='http://www.w3.org/1999/xhtml'>"
        "<b>T</b></div></title><content type='xhtml'><div "
        "xmlns='http://www.w3.org/1999/xhtml'><p>a&#160;b</p></div></content>"
    ),
    "atom-html-title": _atom(
        "<id>h</id><title type='html'>&lt;b&gt;Bold&lt;/b&gt; &amp;amp; co</title>"
        "<updated>2026-01-01T10:00:00+02:00</updated>"
        "<content type='html'>&lt;p&gt;a&amp;nbsp;b&lt;/p&gt;</content>"
    ),
    "atom-text-lookalike": _atom(
        "<id>p</id><title>&lt;b&gt;not bold&lt;/b&gt; Q&amp;A</title>"
        "<summary>a &amp;amp; b</summary><published>2026-01-01T10:00:00.123Z</published>"
    ),
    "atom-no-id": _atom(
        "<title>no id</title><link href='https://e.com/noid'/>"
        "<updated>2026-01-02T00:00:00Z</updated>",
        "<title>no id no link</title><summary>s</summary>",
    ),
    "atom-author-email": _atom(
        "<id>ae</id><title>t</title><author><name>Ann</name><email>a@e.com</email></author>"
    ),
    "atom-enclosure-related": _atom(
        "<id>en</id><title>t</title><link rel='enclosure' type='image/png' href='https://e.com/i.png'/>"
        "<link rel='related' href='https://e.com/rel'/>"
    ),
    "latin1": (
        '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>L</title>'
        "<item><title>caf\xe9</title><guid>l1</guid></item></channel></rss>"
    ).encode("latin-1"),
    "doctype-entities": (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY nbsp "&#160;">]>'
        b'<rss version="2.0"><channel><title>D</title><item><title>a&nbsp;b</title>'
        b"<guid>d1</guid></item></channel></rss>"
    ),
    "mojibake": _rss(
        "<title>caf\u00c3\u00a9 cr\u00c3\u00a8me</title><guid isPermaLink='false'>m</guid>"
    ),
    "channel-ttl-image": (
        _RSS_HEAD
        + "<ttl>30</ttl><image><url>https://e.com/i.png</url><title>img</title>"
        + "<link>https://e.com/</link></image>"
        + "<item><title>t</title><guid isPermaLink='false'>c</guid></item>"
        + _RSS_TAIL
    ).encode(),
    "rss-092": (
        b'<?xml version="1.0"?><rss version="0.92"><channel><title>o</title>'
        b"<item><title>old</title><link>https://e.com/o</link></item></channel></rss>"
    ),
    "empty-rss": (_RSS_HEAD + _RSS_TAIL).encode(),
}


def fixture_documents() -> dict[str, bytes]:
    """The malformed and odd feed files the parser tests use (tests/feeds)."""
    return {
        path.name: path.read_bytes()
        for path in sorted(FIXTURES.iterdir())
        if path.suffix in {".xml", ".rdf"}
    }
