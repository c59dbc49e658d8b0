"""Items and the outbox rows written with them, in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from storage.connection import wrapped
from storage.models import DeliveryState, Item, NewItem, Source
from storage.rows import item_from_row, source_from_row
from storage.timeutil import to_db

Route = Callable[[NewItem, Source], tuple[DeliveryState, str | None]]
"""Decides, purely, what a source does with a new item: ("pending", None), ("filtered", why)..."""

FIRST_SIGHT_REASON = "already in the feed when the source was added"
_CHUNK = 500  # stays far below SQLite's bound-parameter limit


@dataclass(frozen=True, slots=True)
class FirstSight:
    """A source being added: every item present is marked seen, but the newest `backfill`."""

    source_id: int
    backfill: int


@dataclass(frozen=True, slots=True)
class StoreResult:
    new_items: int
    pending: int


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


class ItemStore:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self._db = db

    @wrapped
    def known_keys(self, feed_id: int, keys: Sequence[str]) -> set[str]:
        """Which of these item keys the feed has already stored. Raises StorageError."""
        known: set[str] = set()
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key FROM items WHERE feed_id = ? AND key IN ({marks})", [feed_id, *chunk]
            )
            known.update(row[0] for row in rows)
        return known

    @wrapped
    def store(
        self,
        feed_id: int,
        items: Sequence[NewItem],
        *,
        now: datetime,
        route: Route,
        first_sight: FirstSight | None = None,
    ) -> StoreResult:
        """Store the items the feed has not stored yet (give them oldest first) and, in the
        same transaction, one delivery per live source: `route` decides its state. With
        `first_sight`, that source gets a row for every given item: skipped, except the
        newest `backfill`. Raises StorageError (and nothing is written)."""
        with self._db.atomic():
            return self._store(feed_id, items, now, route, first_sight)

    def _store(
        self,
        feed_id: int,
        items: Sequence[NewItem],
        now: datetime,
        route: Route,
        first_sight: FirstSight | None,
    ) -> StoreResult:
        ids = self._existing_ids(feed_id, [item.key for item in items])
        new: list[tuple[int, NewItem]] = []
        for item in items:
            if item.key in ids:
                continue
            ids[item.key] = self._insert_item(feed_id, item, now)
            new.append((ids[item.key], item))
        sources = [
            source_from_row(row)
            for row in self._db.query(
                "SELECT * FROM sources WHERE feed_id = ? AND removed_at IS NULL", [feed_id]
            )
        ]
        pending = 0
        for source in sources:
            if first_sight and source.id == first_sight.source_id:
                continue
            for item_id, item in new:
                state, reason = route(item, source)
                pending += self._insert_delivery(item_id, source, state, reason, now)
        if first_sight:
            source = next(s for s in sources if s.id == first_sight.source_id)
            backfilled = {item.key for item in items[len(items) - first_sight.backfill :]}
            for item in items:
                if first_sight.backfill and item.key in backfilled:
                    state, reason = route(item, source)
                else:
                    state, reason = "skipped", FIRST_SIGHT_REASON
                pending += self._insert_delivery(ids[item.key], source, state, reason, now)
        return StoreResult(new_items=len(new), pending=pending)

    def _existing_ids(self, feed_id: int, keys: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, id FROM items WHERE feed_id = ? AND key IN ({marks})",
                [feed_id, *chunk],
            )
            found.update((key, item_id) for key, item_id in rows)
        return found

    def _insert_item(self, feed_id: int, item: NewItem, now: datetime) -> int:
        cursor = self._db.execute(
            """INSERT INTO items (feed_id, key, guid, title, url, summary, content, author,
               image_url, published_at, first_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                feed_id,
                item.key,
                item.guid,
                item.title,
                item.url,
                item.summary,
                item.content,
                item.author,
                item.image_url,
                to_db(item.published_at),
                to_db(now),
            ],
        )
        return int(cursor.lastrowid or 0)

    def _insert_delivery(
        self, item_id: int, source: Source, state: DeliveryState, reason: str | None, now: datetime
    ) -> int:
        """Insert one outbox row (ignored if the pair exists); 1 when it is pending."""
        cursor = self._db.execute(
            """INSERT INTO deliveries (item_id, source_id, guild_id, channel_id, state, reason,
               created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (item_id, source_id) DO NOTHING""",
            [item_id, source.id, source.guild_id, source.channel_id, state, reason, to_db(now)],
        )
        return int(cursor.rowcount == 1 and state == "pending")

    @wrapped
    def get(self, item_id: int) -> Item | None:
        """The item with this id, or None. Raises StorageError."""
        row = next(self._db.query("SELECT * FROM items WHERE id = ?", [item_id]), None)
        return None if row is None else item_from_row(row)

    @wrapped
    def set_brief(self, item_id: int, brief_json: str, brief_text: str) -> None:
        """Store the item's brief (made once) and index its text. Raises StorageError."""
        self._db.execute(
            "UPDATE items SET brief_json = ?, brief_text = ? WHERE id = ?",
            [brief_json, brief_text, item_id],
        )
