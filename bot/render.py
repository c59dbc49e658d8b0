"""Rendering, purely: an item becomes a Discord message payload within every limit.

Feed text is untrusted: it is escaped for markdown and mentions, cut at word boundaries,
and sent with no allowed mentions (the deliverer does that part).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from discord.utils import escape_markdown, escape_mentions

from storage.models import Item, Source

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
AUTHOR_LIMIT = 256
FOOTER_LIMIT = 2048
INTRO_LIMIT = 700
EMBED_TOTAL_LIMIT = 6000

_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'])")


@dataclass(frozen=True, slots=True)
class MessagePayload:
    content: str | None = None
    embed: dict[str, Any] | None = None


def clean(text: str) -> str:
    """Untrusted text made inert: invisible characters dropped, whitespace folded,
    markdown and mentions escaped."""
    text = " ".join(_INVISIBLE.sub("", text).split())
    return escape_mentions(escape_markdown(text))


def truncate(text: str, limit: int) -> str:
    """Cut to at most `limit` characters at a word boundary, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    # Never leave a dangling escape backslash at the cut.
    return cut.rstrip("\\ ") + "…"


def first_sentences(text: str, count: int = 3) -> str:
    return " ".join(_SENTENCE_END.split(" ".join(text.split()))[:count])


def render(item: Item, source: Source, feed_title: str) -> MessagePayload:
    """The post for one item in the source's style (brief falls back to summary until
    briefs exist)."""
    if source.style == "headline":
        return headline(item)
    return summary(item, source_name=source.name or feed_title)


def headline(item: Item) -> MessagePayload:
    """Title and bare link as plain content, so Discord unfurls the article."""
    url = item.url if item.url and _is_http(item.url) else ""
    room = CONTENT_LIMIT - len(url) - 1
    title = truncate(clean(item.title) or "Untitled", min(400, room))
    return MessagePayload(content=f"{title}\n{url}" if url else title)


def summary(item: Item, *, source_name: str) -> MessagePayload:
    embed: dict[str, Any] = {
        "type": "rich",
        "title": truncate(clean(item.title) or "Untitled", TITLE_LIMIT),
        "author": {"name": truncate(clean(source_name) or "newsdesk", AUTHOR_LIMIT)},
        "footer": {"text": truncate(clean(source_name) or "newsdesk", FOOTER_LIMIT)},
        "timestamp": (item.published_at or item.first_seen_at).isoformat(),
    }
    if item.url and _is_http(item.url):
        embed["url"] = item.url
    intro = first_sentences(item.summary or item.content)
    if intro:
        embed["description"] = truncate(clean(intro), INTRO_LIMIT)
    if item.image_url and _is_http(item.image_url):
        embed["thumbnail"] = {"url": item.image_url}
    return MessagePayload(embed=embed)


def _is_http(url: str) -> bool:
    return url.startswith(("http://", "https://")) and len(url) <= 1500
