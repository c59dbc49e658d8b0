"""Plain storage rows for pure-stage tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from storage.models import Source

NOW = datetime(2026, 11, 24, tzinfo=UTC)


def make_source(**changes: Any) -> Source:
    """A live source with default settings; `changes` override any field."""
    fields: dict[str, Any] = dict(
        id=1,
        guild_id=1,
        feed_id=1,
        channel_id=1,
        name="s",
        interval_seconds=900,
        include_keywords="",
        exclude_keywords="",
        style="brief",
        fulltext=False,
        paused_at=None,
        pause_reason=None,
        channel_error=None,
        alerted_failing=False,
        created_by=None,
        created_at=NOW,
        removed_at=None,
    )
    return Source(**{**fields, **changes})
