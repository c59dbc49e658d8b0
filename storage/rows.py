"""Turning sqlite rows (dicts) into the typed models."""

from __future__ import annotations

from typing import Any, cast

from storage.models import Delivery, DeliveryState, Feed, Item, Source, Style
from storage.timeutil import from_db, from_db_required

Row = dict[str, Any]


def feed_from_row(row: Row) -> Feed:
    return Feed(
        id=row["id"],
        url=row["url"],
        title=row["title"],
        site_url=row["site_url"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        body_hash=row["body_hash"],
        interval_seconds=row["interval_seconds"],
        next_due_at=from_db_required(row["next_due_at"]),
        last_polled_at=from_db(row["last_polled_at"]),
        last_ok_at=from_db(row["last_ok_at"]),
        failing_since=from_db(row["failing_since"]),
        failure_count=row["failure_count"],
        last_error=row["last_error"],
        not_found_since=from_db(row["not_found_since"]),
        gone_at=from_db(row["gone_at"]),
        answer_ms=row.get("answer_ms"),
    )


def source_from_row(row: Row) -> Source:
    return Source(
        id=row["id"],
        guild_id=row["guild_id"],
        feed_id=row["feed_id"],
        channel_id=row["channel_id"],
        name=row["name"],
        interval_seconds=row["interval_seconds"],
        include_keywords=row["include_keywords"],
        exclude_keywords=row["exclude_keywords"],
        style=cast(Style, row["style"]),
        fulltext=bool(row["fulltext"]),
        paused_at=from_db(row["paused_at"]),
        pause_reason=row["pause_reason"],
        channel_error=row["channel_error"],
        alerted_failing=bool(row["alerted_failing"]),
        created_by=row["created_by"],
        created_at=from_db_required(row["created_at"]),
        removed_at=from_db(row["removed_at"]),
        feed_url=row.get("feed_url") or "",
        include_regex=row.get("include_regex") or "",
        exclude_regex=row.get("exclude_regex") or "",
        ping_role_id=row.get("ping_role_id"),
        ping_keywords=row.get("ping_keywords") or "",
        template=row.get("template") or "",
        embed_color=row.get("embed_color"),
        show_image=bool(row.get("show_image", 1)),
        webhook_name=row.get("webhook_name") or "",
        webhook_avatar=row.get("webhook_avatar") or "",
        forum_tag=row.get("forum_tag") or "",
        open_threads=bool(row.get("open_threads")),
    )


def item_from_row(row: Row) -> Item:
    return Item(
        id=row["id"],
        feed_id=row["feed_id"],
        key=row["key"],
        title=row["title"],
        url=row["url"],
        summary=row["summary"],
        content=row["content"],
        author=row["author"],
        image_url=row["image_url"],
        published_at=from_db(row["published_at"]),
        first_seen_at=from_db_required(row["first_seen_at"]),
        brief_json=row["brief_json"],
        categories=tuple(filter(None, (row.get("categories") or "").split("\n"))),
    )


def delivery_from_row(row: Row) -> Delivery:
    return Delivery(
        id=row["id"],
        item_id=row["item_id"],
        source_id=row["source_id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        state=cast(DeliveryState, row["state"]),
        reason=row["reason"],
        message_id=row["message_id"],
        attempts=row["attempts"],
        next_attempt_at=from_db(row["next_attempt_at"]),
        created_at=from_db_required(row["created_at"]),
        tried_at=from_db(row.get("tried_at")),
    )


def prefixed(row: Row, prefix: str) -> Row:
    """The columns of a joined row selected as `prefix__column`, without the prefix."""
    start = prefix + "__"
    return {key[len(start) :]: value for key, value in row.items() if key.startswith(start)}
