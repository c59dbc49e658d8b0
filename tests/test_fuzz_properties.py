"""Property tests (issue #9): the renderer, parse-then-render and the FTS query builder on
arbitrary input. Rendering must keep every message within Discord's limits and free of live
mentions; the query builder must never give SQLite something it refuses."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.brief.model import (
    DETAIL_NAMES,
    MAX_BULLET,
    MAX_DETAIL,
    MAX_INTRO,
    MAX_TAKEAWAY,
    Brief,
    KeyDetails,
)
from bot.errors import NotAFeed
from bot.pipeline.parse import parse_feed
from bot.pipeline.render import render
from bot.text.markdown import MessagePayload
from storage.models import Item
from storage.search import follow_expression, match_expression
from tests.malformed_corpus import CORPUS, load
from tests.models import make_new_item, make_source

NOW = datetime(2026, 11, 24, tzinfo=UTC)
STYLES = ("headline", "summary", "brief")

# What Discord turns into a mention (or a channel link); escaped forms carry a zero-width
# space after the @ or # and do not match.
LIVE_MENTION = re.compile(r"@everyone|@here|<@!?\d+>|<@&\d+>|<#\d+>")

SOURCE = make_source(name="Wire", style="summary")
ITEM = replace(Item.unsaved(make_new_item("k", title="t"), NOW), id=1, feed_id=1)

_HOSTILE = st.sampled_from(
    [
        "@everyone",
        "@here",
        "@@everyone",
        "<@123456789012345678>",
        "<@!123456789012345678>",
        "<@&234567890123456789>",
        "<#345678901234567890>",
        "<<#345678901234567890>>",
        "<@12>",
        "<#7>",
        "<@!&1>",
        "@\u200beveryone",
        "<\u200b#1234567890>",
        "<#\u200b1234567890>",
        "\u200b",
        "\u202e",
        "\ufeff",
        "**",
        "__",
        "\\",
        "\\\\",
        "`",
        "```",
        "> ",
        "# ",
        "||",
        "[x](https://evil.example)",
        "\n",
        "\r\n",
        " ",
        "word",
        "x" * 300,
        "é",
        "😀",
        "\U0001f3f3\ufe0f\u200d\U0001f308",
    ]
)
TEXT = st.lists(st.one_of(_HOSTILE, st.text(max_size=40)), max_size=60).map("".join)
LONG_TEXT = st.one_of(TEXT, st.builds(lambda t, n: t * n, TEXT, st.integers(1, 200)))
URL = st.one_of(
    st.none(),
    st.builds(lambda path: f"https://news.example/{path}", TEXT),
    st.builds(lambda n: "https://news.example/" + "a" * n, st.integers(1, 3000)),
    st.sampled_from(
        [
            "https://news.example/@everyone",
            "https://news.example/<@123456789012345678>",
            "https://news.example/a?b=<#345678901234567890>",
            "http://x/@here",
            "javascript:alert(1)",
            "",
        ]
    ),
    st.text(max_size=50),
)
BRIEF = st.builds(
    lambda intro, details, bullets, takeaway, mismatch: Brief(
        introduction=intro[:MAX_INTRO],
        key_details=KeyDetails(
            **{n: d and d[:MAX_DETAIL] for n, d in zip(DETAIL_NAMES, details, strict=True)}
        ),
        why_it_matters=[b[:MAX_BULLET] for b in bullets],
        takeaway=takeaway and takeaway[:MAX_TAKEAWAY],
        title_mismatch=mismatch,
    ),
    LONG_TEXT,
    st.lists(st.one_of(st.none(), TEXT), min_size=6, max_size=6),
    st.lists(TEXT, max_size=3),
    st.one_of(st.none(), LONG_TEXT),
    st.booleans(),
)


def texts_of(payload: MessagePayload) -> list[str]:
    """Every piece of text Discord shows from the payload."""
    out = [payload.content or ""]
    embed = payload.embed or {}
    out += [embed.get("title", ""), embed.get("description", "")]
    out += [embed.get("author", {}).get("name", ""), embed.get("footer", {}).get("text", "")]
    for field in embed.get("fields", []):
        out += [field["name"], field["value"]]
    return out


def check_message(payload: MessagePayload) -> None:
    """Discord's limits (content 2,000; embed parts and a 6,000 total) and no live mention."""
    assert payload.content is not None or payload.embed is not None
    if payload.content is not None:
        assert 0 < len(payload.content) <= 2000
    embed: dict[str, Any] = payload.embed or {}
    if embed:
        assert 0 < len(embed["title"]) <= 256
        assert len(embed.get("description", "")) <= 4096
        assert len(embed.get("author", {}).get("name", "")) <= 256
        assert len(embed.get("footer", {}).get("text", "")) <= 2048
        fields = embed.get("fields", [])
        assert len(fields) <= 25
        for field in fields:
            assert 0 < len(field["name"]) <= 256 and 0 < len(field["value"]) <= 1024
        total = sum(len(t) for t in texts_of(MessagePayload(embed=embed)))
        assert total <= 6000
        for key in ("url",):
            assert key not in embed or embed[key].startswith(("http://", "https://"))
    for text in texts_of(payload):
        assert not LIVE_MENTION.search(text), f"live mention in {text!r}"


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    style=st.sampled_from(STYLES),
    title=LONG_TEXT,
    summary=LONG_TEXT,
    content=LONG_TEXT,
    url=URL,
    image=URL,
    name=TEXT,
    feed_title=TEXT,
    brief=st.one_of(st.none(), BRIEF),
)
def test_any_item_renders_within_limits_and_never_pings(
    style: str,
    title: str,
    summary: str,
    content: str,
    url: str | None,
    image: str | None,
    name: str,
    feed_title: str,
    brief: Brief | None,
) -> None:
    item = replace(ITEM, title=title, summary=summary, content=content, url=url, image_url=image)
    payload = render(item, replace(SOURCE, name=name, style=style), feed_title, brief)
    check_message(payload)


@pytest.mark.parametrize("case", load(), ids=lambda c: c.name)
def test_every_corpus_item_renders_within_limits(case: Any) -> None:
    try:
        feed = parse_feed(
            (CORPUS / case.name).read_bytes(), "https://c.example/f", case.content_type
        )
    except NotAFeed:
        return
    for parsed in feed.items[:20]:
        item = replace(
            ITEM,
            title=parsed.title,
            url=parsed.link,
            summary=parsed.summary,
            content=parsed.content,
            image_url=parsed.image_url,
            published_at=parsed.published,
        )
        for style in STYLES:
            check_message(render(item, replace(SOURCE, style=style), feed.title))


_FTS_PIECES = st.sampled_from(
    ['"', '""', "*", "-", "+", "^", ":", "(", ")", "{", "}", "NEAR", "NEAR(", "AND", "OR", "NOT",
     "title:", "\x00", "\\", "'", ";", "--", "\u0301", "🚀", "東京", "a", "ab", " "]
)  # fmt: skip
FTS_TEXT = st.one_of(
    st.text(max_size=200), st.lists(st.one_of(_FTS_PIECES, st.text(max_size=5))).map("".join)
)


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    """An FTS5 table built as the archive's (storage/migrations.py), with a few rows."""
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE items_fts USING fts5(title, summary, brief_text, content, "
        "tokenize = 'porter unicode61 remove_diacritics 2', prefix = '2 3')"
    )
    db.executemany(
        "INSERT INTO items_fts VALUES (?, ?, ?, ?)",
        [
            ("Red sea cable cut", "Traffic rerouted", "", "NEAR the coast"),
            ("東京 news", "", "", ""),
        ],
    )
    return db


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=FTS_TEXT, prefix_last=st.booleans(), any_word=st.booleans())
def test_the_query_builder_never_gives_fts5_an_error(
    fts: sqlite3.Connection, text: str, prefix_last: bool, any_word: bool
) -> None:
    expression = match_expression(text, prefix_last=prefix_last, any_word=any_word)
    follow = follow_expression(text)
    assert (expression is None) == (follow is None)
    for query in (expression, follow):
        if query is not None:
            fts.execute("SELECT rowid FROM items_fts WHERE items_fts MATCH ?", (query,)).fetchall()
