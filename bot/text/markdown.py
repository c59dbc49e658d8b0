"""Feed text made inert for Discord: markdown escaped, mentions broken, links made safe.

Every piece of untrusted text newsdesk shows (posts, digests, DMs, alerts, replies) goes
through `clean`; every link it writes goes through `link` or `safe_url`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.redact import hide_credentials

_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'])")
# A bare URL is kept as written (escaping it would break it), as Discord autolinks it; but
# never across a `[`, which could open a masked link inside what looks like one URL.
_URL = r"<[^: >\[]+:/[^ >\[]+>|https?://[^\s<\[]+[^<.,:;\"'\]\s\[]"
# Characters that start markdown anywhere, and line starts that make quotes, headings, lists.
_MARKUP = r"[_\\~|*`\[]|^>(?:>>)?\s|^#{1,3}|^\s*-"
_ESCAPE = re.compile(f"(?P<url>{_URL})|(?P<markup>{_MARKUP})", re.MULTILINE)
_MENTION = re.compile(r"@(everyone|here|[!&]?[0-9]{17,20})")
_MENTION_LINK = re.compile(r"<([#@])(?=[!&]?\d)")


@dataclass(frozen=True, slots=True)
class MessagePayload:
    """What one Discord message carries: content, and an embed as Discord's JSON."""

    content: str | None = None
    embed: dict[str, Any] | None = None
    ping_role_id: int | None = None
    """The one role this message may mention (a source's keyword ping); nobody else."""
    persona: Persona | None = None
    """Post through the channel's webhook under this name and avatar, not as the bot."""
    thread_name: str | None = None
    """A forum post's title, or the name of the thread opened on the post."""
    tags: tuple[str, ...] = ()
    """Forum tags wanted, by name (the item's categories); those the forum has are applied,
    or else `fallback_tag`."""
    fallback_tag: str = ""
    open_thread: bool = False
    """Open a discussion thread on the post (text channels)."""


@dataclass(frozen=True, slots=True)
class Persona:
    name: str
    avatar_url: str | None = None


def escape_markdown(text: str) -> str:
    """Every markdown character escaped with a backslash; URLs left whole. Every `[` is
    escaped, so no masked link (`[text](url)`) can form however many the text holds."""

    def escape(match: re.Match[str]) -> str:
        return match["url"] or "\\" + match["markup"]

    return _ESCAPE.sub(escape, text)


def escape_mentions(text: str) -> str:
    """@everyone, @here, user and role mentions, channel links and short ids broken with a
    zero-width space."""
    return _MENTION_LINK.sub("<\\1\u200b", _MENTION.sub("@\u200b\\1", text))


def clean(text: str) -> str:
    """Untrusted text made inert: URL passwords hidden, invisible characters dropped,
    whitespace folded, markdown and mentions escaped."""
    text = " ".join(_INVISIBLE.sub("", hide_credentials(text)).split())
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


def safe_url(url: str | None) -> str | None:
    """An http(s) URL that cannot break out of a markdown link, or None."""
    if not url or not url.startswith(("http://", "https://")) or len(url) > 1000:
        return None
    for char, code in ((" ", "%20"), ("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E")):
        url = url.replace(char, code)
    return url


def link(title: str, url: str | None, limit: int = 200) -> str:
    """The title escaped for Discord, linked when the URL is safe."""
    text = truncate(clean(title) or "Untitled", limit).replace("]", "\\]")
    target = safe_url(url)
    return f"[{text}](<{target}>)" if target else text


def first_sentences(text: str, count: int = 3) -> str:
    return " ".join(_SENTENCE_END.split(" ".join(text.split()))[:count])


def embed_length(embed: dict[str, Any]) -> int:
    """Characters Discord counts towards an embed's 6,000 total."""
    total = len(embed.get("title", "")) + len(embed.get("description", ""))
    total += len(embed.get("author", {}).get("name", ""))
    total += len(embed.get("footer", {}).get("text", ""))
    for item in embed.get("fields", []):
        total += len(item["name"]) + len(item["value"])
    return total
