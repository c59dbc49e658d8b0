"""One object that opens the database, migrates it, and holds the stores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from storage.connection import open_database, wrapped
from storage.deliveries import DeliveryStore
from storage.digests import DigestStore
from storage.feeds import FeedStore
from storage.follows import FollowStore
from storage.guilds import GuildStore
from storage.items import FirstSight, ItemStore, Route, StoreResult
from storage.locks import LockStore
from storage.meta import MetaStore
from storage.migrations import migrate
from storage.models import NewItem, Source
from storage.search import SearchStore
from storage.sources import SourceStore
from storage.stories import StoryStore


@dataclass(frozen=True, slots=True)
class Subscription:
    """What a moderator asked for when adding a source."""

    guild_id: int
    channel_id: int
    url: str
    name: str
    feed_title: str
    site_url: str | None
    interval_seconds: int
    first_due_at: datetime
    backfill: int = 0
    style: str = "brief"
    include_keywords: str = ""
    exclude_keywords: str = ""
    fulltext: bool = False
    created_by: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    answer_seconds: float | None = None


class Storage:
    """The synchronous data-access layer. Not for the event loop: use AsyncStorage there."""

    def __init__(self, path: str | Path, *, run_migrations: bool = True) -> None:
        """Open `path`: a SQLite file, or a PostgreSQL URL (postgresql://...)."""
        self.location = str(path)
        self.db = open_database(path)
        if run_migrations:
            migrate(self.db)
        self.meta = MetaStore(self.db)
        self.locks = LockStore(self.db)
        self.guilds = GuildStore(self.db)
        self.feeds = FeedStore(self.db)
        self.sources = SourceStore(self.db)
        self.items = ItemStore(self.db)
        self.deliveries = DeliveryStore(self.db)
        self.digests = DigestStore(self.db)
        self.stories = StoryStore(self.db)
        self.search = SearchStore(self.db)
        self.follows = FollowStore(self.db)

    @wrapped
    def subscribe(
        self, sub: Subscription, items: Sequence[NewItem], *, route: Route, now: datetime
    ) -> tuple[Source, StoreResult]:
        """Add a source (creating its feed if new) and store the items seen now, in one
        transaction: every present item is marked seen for it but the newest `backfill`.
        Raises RecordExists, StorageError (and nothing is written)."""
        with self.db.atomic():
            feed_id = self.feeds.ensure(
                sub.url,
                title=sub.feed_title,
                site_url=sub.site_url,
                interval_seconds=sub.interval_seconds,
                next_due_at=sub.first_due_at,
                now=now,
                validators=(sub.etag, sub.last_modified, sub.body_hash),
                answer_seconds=sub.answer_seconds,
            )
            source_id = self.sources.insert(
                guild_id=sub.guild_id,
                feed_id=feed_id,
                channel_id=sub.channel_id,
                name=sub.name,
                interval_seconds=sub.interval_seconds,
                style=sub.style,
                include_keywords=sub.include_keywords,
                exclude_keywords=sub.exclude_keywords,
                fulltext=sub.fulltext,
                created_by=sub.created_by,
                now=now,
            )
            self.feeds.refresh_interval(feed_id)
            result = self.items.store(
                feed_id,
                items,
                now=now,
                route=route,
                first_sight=FirstSight(source_id=source_id, backfill=sub.backfill),
            )
            return self.sources.get(sub.guild_id, source_id), result

    @wrapped
    def edit_source(self, guild_id: int, source_id: int, columns: dict[str, Any]) -> Source:
        """Change a source's settings; its feed then polls at its sources' shortest interval.
        Raises RecordNotFound, RecordExists (the new channel already gets the feed),
        StorageError."""
        with self.db.atomic():
            source = self.sources.update(guild_id, source_id, **columns)
            self.feeds.refresh_interval(source.feed_id)
            return source

    @wrapped
    def unsubscribe(self, guild_id: int, source_id: int, now: datetime) -> Source:
        """Remove a source; its feed now polls at its remaining sources' shortest interval.
        Raises RecordNotFound, StorageError."""
        with self.db.atomic():
            source = self.sources.remove(guild_id, source_id, now)
            self.feeds.refresh_interval(source.feed_id)
            return source

    @wrapped
    def integrity_ok(self) -> bool:
        """PRAGMA quick_check says the file is sound; PostgreSQL checks its own pages, so
        there it is a query that answers. Raises StorageError."""
        if self.db.dialect == "postgresql":
            return bool(self.db.execute("SELECT 1").fetchone() == (1,))
        row = self.db.execute("PRAGMA quick_check").fetchone()
        return bool(row and row[0] == "ok")

    def close(self) -> None:
        self.db.close()
