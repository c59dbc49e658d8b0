from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.pipeline.render import render
from bot.text.markdown import clean, truncate
from storage.models import Item
from tests.models import make_source

NOW = datetime(2026, 11, 24, tzinfo=UTC)
SOURCE = make_source(name="Tech Wire", style="summary")
ITEM = Item(
    id=1,
    feed_id=1,
    key="k",
    title="A title",
    url="https://example.com/a",
    summary="First sentence. Second one. Third one. Fourth one.",
    content="",
    author=None,
    image_url="https://example.com/i.png",
    published_at=NOW,
    first_seen_at=NOW,
    brief_json=None,
)


def embed_length(embed: dict) -> int:
    return (
        len(embed.get("title", ""))
        + len(embed.get("description", ""))
        + len(embed.get("footer", {}).get("text", ""))
        + len(embed.get("author", {}).get("name", ""))
        + sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    )


def test_summary_embed_has_title_link_intro_source_time_and_image() -> None:
    embed = render(ITEM, SOURCE, "Feed").embed
    assert embed is not None
    assert embed["title"] == "A title" and embed["url"] == "https://example.com/a"
    assert embed["description"] == "First sentence. Second one. Third one."
    assert embed["author"]["name"] == "Tech Wire" and embed["footer"]["text"] == "Tech Wire"
    assert embed["timestamp"] == NOW.isoformat()
    assert embed["thumbnail"] == {"url": "https://example.com/i.png"}


def test_mentions_and_markdown_are_inert() -> None:
    hostile = replace(
        ITEM,
        title="@everyone <@&123456789012345678> <@456789012345678901> **bold** [x](https://evil)\u200b",
    )
    embed = render(hostile, SOURCE, "Feed").embed
    assert embed is not None
    title = embed["title"]
    assert "@everyone" not in title and "<@&123456789012345678>" not in title
    assert "<@456789012345678901>" not in title
    assert "\\*\\*bold\\*\\*" in title
    assert title.endswith("(https://evil)")  # the feed's own zero-width space is gone
    content = render(hostile, replace(SOURCE, style="headline"), "Feed").content
    assert content is not None and "@everyone" not in content


def test_limits_hold_for_huge_text() -> None:
    huge = replace(
        ITEM, title="word " * 2000, summary="long " * 5000, url="https://x/" + "a" * 1400
    )
    embed = render(huge, SOURCE, "x" * 5000).embed
    assert embed is not None
    assert len(embed["title"]) <= 256 and len(embed["description"]) <= 700
    assert len(embed["author"]["name"]) <= 256 and embed_length(embed) <= 6000
    content = render(huge, replace(SOURCE, style="headline"), "Feed").content
    assert content is not None and len(content) <= 2000 and content.endswith("a" * 1400)


def test_truncate_cuts_at_a_word_and_marks_it() -> None:
    assert truncate("short", 10) == "short"
    cut = truncate("alpha beta gamma delta", 12)
    assert cut == "alpha beta…" and len(cut) <= 12
    assert not truncate("a\\" * 50, 11).rstrip("…").endswith("\\")


def test_clean_folds_whitespace_and_drops_invisible_characters() -> None:
    assert clean(" a\u200b\n\n b\ufeff ") == "a b"
