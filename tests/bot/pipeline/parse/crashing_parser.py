"""A parse function that kills its worker process on a marker document (for
tests/bot/pipeline/parse/test_workers.py: worker processes import it by name)."""

from __future__ import annotations

import os

from bot.pipeline.parse import ParsedFeed, parse_feed

CRASH = b"<crash-the-parser/>"


def parse_or_die(body: bytes, url: str, content_type: str | None) -> ParsedFeed:
    if body == CRASH:
        os._exit(70)  # what a segfault in a C parser looks like to the pool
    return parse_feed(body, url, content_type)
