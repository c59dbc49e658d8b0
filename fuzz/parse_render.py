"""Coverage-guided fuzzing (atheris, libFuzzer) of the parse-and-render path (issue #9).

Bytes in, as a feed served with a fuzzed Content-Type: ``parse_feed`` must return a feed or
raise ``NotAFeed``; every item must render, in every style, to a message within Discord's
limits and without a live mention. Anything else is a crash libFuzzer saves.

    make fuzz                      # installs the `fuzz` extra, runs for FUZZ_SECONDS (120)
    .venv/bin/python fuzz/parse_render.py -max_total_time=60 fuzz/corpus tests/feeds/malformed

Seeds: the malformed-feed corpus and tests/feeds; new inputs go to fuzz/corpus (ignored by
git), crashes to fuzz/crashes/.
"""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports(include=["bot", "storage"]):
    from bot.errors import NotAFeed
    from bot.pipeline.decide import to_new_item
    from bot.pipeline.parse import parse_feed
    from bot.pipeline.render import render
    from bot.text.markdown import MessagePayload
    from storage.models import Item, Source

NOW = datetime(2026, 11, 24, tzinfo=UTC)
LIVE_MENTION = re.compile(r"@everyone|@here|<@!?\d+>|<@&\d+>|<#\d+>")
CONTENT_TYPES = [
    None,
    "application/rss+xml",
    "application/atom+xml; charset=utf-8",
    "application/feed+json",
    "application/json",
    "text/html; charset=iso-8859-1",
    "text/xml; charset=utf-16",
    "text/plain",
]
SOURCE = Source.unsaved("Fuzz", "summary", NOW)


def check(payload: MessagePayload) -> None:
    texts = [payload.content or ""]
    if payload.content is not None:
        assert len(payload.content) <= 2000, "content over 2,000"
    if payload.embed is not None:
        embed = payload.embed
        parts = [
            embed.get("title", ""),
            embed.get("description", ""),
            embed.get("author", {}).get("name", ""),
            embed.get("footer", {}).get("text", ""),
        ]
        for field in embed.get("fields", []):
            assert len(field["value"]) <= 1024 and len(field["name"]) <= 256, "field too long"
            parts += [field["name"], field["value"]]
        assert len(parts[0]) <= 256 and len(parts[1]) <= 4096, "title or description too long"
        assert sum(map(len, parts)) <= 6000, "embed over 6,000"
        texts += parts
    for text in texts:
        assert not LIVE_MENTION.search(text), f"live mention: {text!r}"


def test_one_input(data: bytes) -> None:
    content_type = CONTENT_TYPES[data[0] % len(CONTENT_TYPES)] if data else None
    try:
        feed = parse_feed(data[1:], "https://fuzz.example/feed", content_type)
    except NotAFeed:
        return
    for parsed in feed.items[:5]:
        item = Item.unsaved(to_new_item(parsed), NOW)
        for style in ("headline", "summary", "brief"):
            check(render(item, replace(SOURCE, style=style, name=feed.title), feed.title))


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
