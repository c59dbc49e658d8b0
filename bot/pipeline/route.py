"""Routing, purely: what a source does with a new item (post it, filter it, digest it)."""

from __future__ import annotations

import re
from functools import lru_cache

from bot.text.patterns import PatternError, matches
from storage.models import DeliveryState, NewItem, Source


def split_keywords(text: str) -> list[str]:
    """Comma-separated keywords or phrases, trimmed, empty ones dropped."""
    return [part.strip() for part in text.split(",") if part.strip()]


@lru_cache(maxsize=1024)
def _pattern(keyword: str) -> re.Pattern[str]:
    # Keywords are escaped: users never supply a regex (no catastrophic backtracking).
    words = r"\s+".join(re.escape(word) for word in keyword.split())
    return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)


def matching_keyword(keywords: str, text: str) -> str | None:
    """The first keyword of the comma-separated list that occurs in text as whole words."""
    return next((k for k in split_keywords(keywords) if _pattern(k).search(text)), None)


def route(item: NewItem, source: Source) -> tuple[DeliveryState, str | None]:
    """What a source does with a new item, and why (the reason /source info shows)."""
    if source.style == "digest":
        return "digest", "digest-only source"
    text = f"{item.title}\n{item.summary}"
    if source.include_keywords and matching_keyword(source.include_keywords, text) is None:
        return "filtered", "matches none of the include keywords"
    if source.exclude_keywords:
        hit = matching_keyword(source.exclude_keywords, text)
        if hit is not None:
            return "filtered", f"matches the exclude keyword “{hit}”"
    if source.include_regex and not _matches(source.include_regex, text, unreadable=True):
        return "filtered", "does not match the include pattern"
    if source.exclude_regex and _matches(source.exclude_regex, text, unreadable=False):
        return "filtered", "matches the exclude pattern"
    return "pending", None


def pings(item_text: str, source: Source) -> int | None:
    """The role to mention for this item: the source's ping role when the item matches one
    of its ping keywords (whole words, as `include`)."""
    keywords = source.ping_keywords
    if source.ping_role_id and keywords and matching_keyword(keywords, item_text) is not None:
        return source.ping_role_id
    return None


def _matches(pattern: str, text: str, *, unreadable: bool) -> bool:
    try:
        return matches(pattern, text)
    except PatternError:  # checked when saved: one that no longer reads filters nothing
        return unreadable
