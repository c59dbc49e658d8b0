"""The fast parse path against feedparser on a generated corpus of real-world edge cases.

Every document of tests/feed_edge_corpus.py (RSS/Atom/RDF elements and namespaces,
encodings, entities including Windows-1252 numeric references, HTML with embed, object,
iframe...) is parsed both ways through ``parse_feed``. Both must give the same
ParsedFeed, field for field (items, identity keys, titles, summaries, links, images, dates,
feed metadata, warnings), or refuse the document alike. There is no deliberate
difference: ``DELIBERATE`` would list one, with its reason, if there were.

``NEWSDESK_PARSE_CORPUS=20000`` runs a larger corpus by hand (about 4 ms a document).
"""

from __future__ import annotations

import os

from bot.errors import NotAFeed
from bot.pipeline.parse import ParsedFeed, parse_feed
from bot.pipeline.parse.fast import parse_fast
from tests.feed_edge_corpus import documents

URL = "https://feeds.example.com/news/feed.xml"
COUNT = int(os.environ.get("NEWSDESK_PARSE_CORPUS", "2000"))
DELIBERATE: dict[str, str] = {}
"""Differences the fast path is allowed, by name: none."""


def parsed(body: bytes, content_type: str | None, *, fast: bool) -> ParsedFeed | str:
    try:
        return parse_feed(body, URL, content_type, fast=fast)
    except NotAFeed as error:
        return f"NotAFeed: {error.message}"


def test_the_fast_path_reads_every_generated_edge_case_as_feedparser_does() -> None:
    taken = 0
    differing = []
    for document in documents(COUNT):
        taken += parse_fast(document.body, document.content_type) is not None
        fast = parsed(document.body, document.content_type, fast=True)
        tolerant = parsed(document.body, document.content_type, fast=False)
        if fast != tolerant:
            differing.append(f"{document.describe()}\nfast: {fast}\nfeedparser: {tolerant}")
    assert not differing, f"{len(differing)} of {COUNT} differ; the first:\n" + differing[0]
    # The fast path must take a good share, or the equality would say little.
    assert taken >= COUNT // 4, f"the fast path took only {taken} of {COUNT}"
