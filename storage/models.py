"""Typed rows returned by storage. Datetimes are timezone-aware UTC."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Style = Literal["brief", "summary", "headline", "digest"]
STYLES: tuple[Style, ...] = ("brief", "summary", "headline", "digest")

DeliveryState = Literal["pending", "sent", "failed", "skipped", "filtered", "merged", "digest"]


@dataclass(frozen=True, slots=True)
class GuildSettings:
    guild_id: int
    moderator_role_id: int | None = None
    alert_channel_id: int | None = None
    timezone: str = "UTC"
    merge_stories: bool = True


@dataclass(frozen=True, slots=True)
class Feed:
    id: int
    url: str
    title: str
    site_url: str | None
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    interval_seconds: int
    next_due_at: datetime
    last_polled_at: datetime | None
    last_ok_at: datetime | None
    failing_since: datetime | None
    failure_count: int
    last_error: str | None
    not_found_since: datetime | None
    gone_at: datetime | None
    answer_ms: int | None = None
    """How long the last good answer took."""


@dataclass(frozen=True, slots=True)
class Source:
    id: int
    guild_id: int
    feed_id: int
    channel_id: int
    name: str
    interval_seconds: int
    include_keywords: str
    exclude_keywords: str
    style: Style
    fulltext: bool
    paused_at: datetime | None
    pause_reason: str | None
    channel_error: str | None
    alerted_failing: bool
    created_by: int | None
    created_at: datetime
    removed_at: datetime | None
    feed_url: str = ""
    include_regex: str = ""
    exclude_regex: str = ""
    ping_role_id: int | None = None
    ping_keywords: str = ""
    template: str = ""  # the post's text with {placeholders}; empty: the style's layout
    embed_color: int | None = None  # 0xRRGGBB; None: Discord's default
    show_image: bool = True
    webhook_name: str = ""  # post through a channel webhook under this name; empty: as the bot
    webhook_avatar: str = ""
    forum_tag: str = ""  # a forum post's tag when none of the item's categories is a tag
    open_threads: bool = False  # open a discussion thread on each post (text channels)

    @classmethod
    def unsaved(cls, name: str, style: Style, now: datetime) -> Source:
        """A source that is not stored (ids 0): what previews render with."""
        return cls(
            id=0,
            guild_id=0,
            feed_id=0,
            channel_id=0,
            name=name,
            interval_seconds=0,
            include_keywords="",
            exclude_keywords="",
            style=style,
            fulltext=False,
            paused_at=None,
            pause_reason=None,
            channel_error=None,
            alerted_failing=False,
            created_by=None,
            created_at=now,
            removed_at=None,
        )


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """A source with what /source list shows about it."""

    source: Source
    feed: Feed
    posted: int
    last_posted_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewItem:
    """An item as the pipeline hands it to storage."""

    key: str
    guid: str | None
    title: str
    url: str | None
    summary: str
    content: str
    author: str | None
    image_url: str | None
    published_at: datetime | None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    feed_id: int
    key: str
    title: str
    url: str | None
    summary: str
    content: str
    author: str | None
    image_url: str | None
    published_at: datetime | None
    first_seen_at: datetime
    brief_json: str | None
    categories: tuple[str, ...] = ()

    @classmethod
    def unsaved(cls, new: NewItem, now: datetime) -> Item:
        """A new item as it will read once stored (id 0, first seen now, no brief)."""
        return cls(
            id=0,
            feed_id=0,
            key=new.key,
            title=new.title,
            url=new.url,
            summary=new.summary,
            content=new.content,
            author=new.author,
            image_url=new.image_url,
            published_at=new.published_at,
            first_seen_at=now,
            brief_json=None,
            categories=new.categories,
        )


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    item_id: int
    source_id: int
    guild_id: int
    channel_id: int
    state: DeliveryState
    reason: str | None
    message_id: int | None
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    tried_at: datetime | None = None  # a webhook post may have gone out then


@dataclass(frozen=True, slots=True)
class Shards:
    """The Discord shards one process runs, of `count`: a guild belongs to shard
    (guild_id >> 22) % count, and its posts, alerts and digests to that shard's process."""

    count: int
    ids: tuple[int, ...]

    def owns(self, guild_id: int) -> bool:
        return (guild_id >> 22) % self.count in self.ids

    def where(self, column: str) -> str:
        """The SQL condition for rows of these shards' guilds (ids are ints: no parameters)."""
        ids = ", ".join(str(int(i)) for i in self.ids)
        return f"(({column} >> 22) % {int(self.count)}) IN ({ids})"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A pending delivery with everything needed to render and send it."""

    delivery: Delivery
    item: Item
    source: Source
    feed_title: str
    timezone: str = "UTC"  # the guild's, for dates in templates


@dataclass(frozen=True, slots=True)
class GuildStatus:
    sources_ok: int = 0
    sources_failing: int = 0
    sources_paused: int = 0
    items_stored: int = 0
    items_today: int = 0
    deliveries_waiting: int = 0
    last_poll_at: datetime | None = None
    counters: dict[str, int] = field(default_factory=dict)
