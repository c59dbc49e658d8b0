"""The fast parse path (lxml) loses no text and no item against feedparser.

Every document of the corpus is parsed both ways through ``parse_feed``: with the fast
path allowed, and with feedparser only. The results must be equal field for field (keys,
titles, links, summaries, content, authors, images, dates, tags, feed metadata), or both
must refuse the document. The fast path must also actually take the generated feeds, so
the equality means something.
"""

from __future__ import annotations

import random

import pytest

from bot.errors import NotAFeed
from bot.pipeline.parse import ParsedFeed, parse_feed
from bot.pipeline.parse.fast import parse_fast
from tests.feed_corpus import HAND_MADE, fill, fixture_documents
from tests.feed_server import FeedServer

URL = "https://feeds.example.com/news/feed.xml"
CONTENT_TYPES = {"rss": "application/rss+xml; charset=utf-8", "atom": "application/atom+xml"}


def both(body: bytes, content_type: str | None) -> tuple[object, object]:
    results: list[ParsedFeed | str] = []
    for fast in (True, False):
        try:
            results.append(parse_feed(body, URL, content_type, fast=fast))
        except NotAFeed as error:
            results.append(f"NotAFeed: {error.message}")
    return results[0], results[1]


@pytest.mark.parametrize("name", sorted(HAND_MADE))
def test_hand_made_documents_parse_the_same_both_ways(name: str) -> None:
    fast, tolerant = both(HAND_MADE[name], None)
    assert fast == tolerant


@pytest.mark.parametrize("name", sorted(fixture_documents()))
def test_fixture_feeds_parse_the_same_both_ways(name: str) -> None:
    fast, tolerant = both(fixture_documents()[name], None)
    assert fast == tolerant


def test_edge_cases_keep_their_text_on_the_fast_path() -> None:
    parsed = parse_feed(HAND_MADE["cdata-nbsp-amp"], URL)
    assert parse_fast(HAND_MADE["cdata-nbsp-amp"], None) is not None
    (item,) = parsed.items
    assert item.title == "a b and Q&A time"  # nothing after &nbsp; or a bare & is lost
    assert item.summary == "a b\n\nQ&A time & more"
    (no_id,) = parse_feed(HAND_MADE["no-guid-no-link"], URL).items
    assert no_id.key.startswith("hash:")  # not the link, not dropped


async def test_generated_feeds_parse_the_same_both_ways_and_mostly_fast() -> None:
    rng = random.Random(8)
    taken = 0
    async with FeedServer() as srv:
        for number in range(40):
            kind = "rss" if number % 2 else "atom"
            feed = srv.add_feed(f"/f{number}.xml", title=f"Feed {number} Q&A", kind=kind)
            fill(feed, 25, rng, tricky=0.4)
            body = feed.render()
            taken += parse_fast(body, CONTENT_TYPES[kind]) is not None
            fast, tolerant = both(body, CONTENT_TYPES[kind])
            assert fast == tolerant, f"{kind} feed {number} differs"
            assert isinstance(fast, ParsedFeed) and len(fast.items) == 25
    assert taken >= 30


_RSS = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>{}</channel></rss>'
)
_ATOM = '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">{}</feed>'

# Issue #16: documents the fast path took and read differently from feedparser.
FAST_PATH_LOSSES = {
    "atom-id-as-link": _ATOM.format(
        "<title>F</title><entry><id>https://example.com/p/1</id><title>T</title></entry>"
    ),
    "atom-feed-id-as-link": _ATOM.format(
        "<title>F</title><id>https://example.com/</id>"
        "<entry><id>tag:example.com,2024:1</id><title>T</title></entry>"
    ),
    "cp1252-references": _RSS.format(
        "<title>don&#146;t</title><item><title>1990&#150;2000 &#147;quoted&#148;</title>"
        "<description>it&#146;s &amp;#150; ok</description>"
        "<guid isPermaLink='false'>g&#146;1</guid></item>"
    ),
    "raw-c1-characters": _RSS.format(
        "<title>don\u0092t</title><item><title>1990\u00962000 \u0093quoted\u0094</title>"
        "<guid isPermaLink='false'>g\u00921</guid></item>"
    ),
    "text-after-embed": _RSS.format(
        "<item><title>x</title><link>https://example.com/1</link>"
        '<description>safe&lt;embed src="m.swf"&gt; description</description></item>'
    ),
    "text-after-self-closed-object": _RSS.format(
        "<item><title>x</title><link>https://example.com/1</link>"
        '<description>safe&lt;object data="m.swf"/&gt; description</description></item>'
    ),
    "channel-dc-title-and-description": _RSS.format(
        "<dc:title>DC title</dc:title><dc:description>DC description</dc:description>"
        "<item><title>x</title><link>https://example.com/1</link></item>"
    ),
    "channel-itunes-subtitle": _RSS.format(
        "<title>T</title><itunes:subtitle>The subtitle</itunes:subtitle>"
        "<item><title>x</title><link>https://example.com/1</link></item>"
    ),
}


@pytest.mark.parametrize("name", sorted(FAST_PATH_LOSSES))
def test_fast_path_reads_what_feedparser_keeps(name: str) -> None:
    body = FAST_PATH_LOSSES[name].encode()
    fast, tolerant = both(body, "application/xml")
    assert fast == tolerant
    assert isinstance(fast, ParsedFeed) and fast.items


def test_fast_path_keeps_the_text_feedparser_keeps() -> None:
    (entry,) = parse_feed(FAST_PATH_LOSSES["atom-id-as-link"].encode(), URL).items
    assert entry.link == "https://example.com/p/1"
    assert parse_feed(FAST_PATH_LOSSES["atom-feed-id-as-link"].encode(), URL).link == (
        "https://example.com/"
    )
    for name in ("cp1252-references", "raw-c1-characters"):
        feed = parse_feed(FAST_PATH_LOSSES[name].encode(), URL)
        assert feed.title == "don\u2019t"
        (item,) = feed.items
        assert item.title == "1990\u20132000 \u201cquoted\u201d"
        assert item.key == "guid:g\u20191"
    (embed,) = parse_feed(FAST_PATH_LOSSES["text-after-embed"].encode(), URL).items
    assert embed.summary == "safe description"
    channel = parse_feed(FAST_PATH_LOSSES["channel-dc-title-and-description"].encode(), URL)
    assert (channel.title, channel.description) == ("DC title", "DC description")
    podcast = parse_feed(FAST_PATH_LOSSES["channel-itunes-subtitle"].encode(), URL)
    assert podcast.description == "The subtitle"
