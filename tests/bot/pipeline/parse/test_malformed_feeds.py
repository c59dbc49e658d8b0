"""The malformed-feed corpus through the parser (issue #9): no crash; items or NotAFeed."""

from __future__ import annotations

import time

import pytest

from bot.errors import NotAFeed
from bot.pipeline.parse import ParsedFeed, parse_feed
from tests.malformed_corpus import (
    CORPUS,
    Case,
    build,
    load,
    nine_megabyte_item,
    ten_thousand_items,
)

FEED_URL = "https://corpus.example/feed"
CASES = load()


def item_texts(feed: ParsedFeed) -> list[str]:
    return [
        " ".join((item.title, item.link or "", item.summary, item.content)).lower()
        for item in feed.items
    ]


def test_the_corpus_is_large_and_matches_its_generator() -> None:
    cases, blobs = build()
    assert len(cases) >= 80
    assert [c.name for c in CASES] == [c.name for c in cases]
    on_disk = {p.name for p in CORPUS.iterdir() if p.name != "manifest.json"}
    assert on_disk == set(blobs)
    for name, data in blobs.items():
        assert (CORPUS / name).read_bytes() == data, "regenerate: python -m tests.malformed_corpus"
    kinds = {c.expect for c in CASES}
    assert kinds == {"items", "not_a_feed", "either"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_file_gives_its_items_or_not_a_feed(case: Case) -> None:
    body = (CORPUS / case.name).read_bytes()
    started = time.perf_counter()
    try:
        feed = parse_feed(body, FEED_URL, case.content_type)
    except NotAFeed as error:
        assert case.expect in {"not_a_feed", "either"}, f"{case.what}: {error.user_message}"
        message = error.user_message
        assert message.endswith(".") and "\n" not in message and "Traceback" not in message
        return
    assert case.expect in {"items", "either"}, f"{case.what}: parsed as a feed"
    assert time.perf_counter() - started < 10
    texts = item_texts(feed)
    missing = [m for m in case.markers if not any(m.lower() in text for text in texts)]
    assert not missing, f"{case.what}: well-formed items lost: {missing}"
    for item in feed.items:
        assert item.key and len({i.key for i in feed.items}) == len(feed.items)
        assert item.link is None or item.link.startswith(("http://", "https://"))
        assert item.image_url is None or item.image_url.startswith(("http://", "https://"))
        assert "root:x:0" not in " ".join(texts)  # no external entity was read
    assert len(" ".join(texts)) < 10 * len(body) + 10_000  # no entity expansion bomb


def test_ten_thousand_items() -> None:
    feed = parse_feed(ten_thousand_items(), FEED_URL, "application/rss+xml")
    assert len(feed.items) == 10_000
    assert feed.items[0].title == "M900x story" and feed.items[-1].key == "guid:m900x-9999"


def test_a_nine_megabyte_item() -> None:
    body = nine_megabyte_item()
    assert 9 * 1024 * 1024 <= len(body) < 10 * 1024 * 1024  # under the fetcher's 10 MB cap
    (item,) = parse_feed(body, FEED_URL, "application/rss+xml").items
    assert item.title == "M901a story" and len(item.summary) > 9_000_000
