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
