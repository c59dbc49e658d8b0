"""Plain storage rows for pure-stage tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from storage.models import NewItem, Source

NOW = datetime(2026, 11, 24, tzinfo=UTC)


def make_source(**changes: Any) -> Source:
    """A live source with default settings; `changes` override any field."""
    live = dict(id=1, guild_id=1, feed_id=1, channel_id=1, interval_seconds=900)
    return replace(Source.unsaved("s", "brief", NOW), **{**live, **changes})


def make_new_item(key: str, **changes: Any) -> NewItem:
    """An item as a parsed feed hands it over: only `key` given, the title is the key and
    every other field empty; `changes` override any field."""
    blank = dict(guid=None, title=key, url=None, summary="", content="", author=None)
    return NewItem(**{"key": key, **blank, "image_url": None, "published_at": None, **changes})
