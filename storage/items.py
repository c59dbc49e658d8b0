"""Items and the outbox rows written with them, in one transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from storage.connection import wrapped
from storage.database import Database
from storage.models import DeliveryState, Item, NewItem, Source
from storage.rows import item_from_row, source_from_row
from storage.timeutil import to_db

Route = Callable[[NewItem, Source], tuple[DeliveryState, str | None]]
"""Decides, purely, what a source does with a new item: ("pending", None), ("filtered", why)..."""

FIRST_SIGHT_REASON = "already in the feed when the source was added"
_CHUNK = 500  # stays far below SQLite's bound-parameter limit
_ITEM_COLUMNS = (
    "feed_id, key, guid, title, url, summary, content, author, image_url, published_at, "
    "first_seen_at, categories"
)
_ITEM_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_ROWS_PER_INSERT = 450  # 12 parameters a row: 5,400, far below SQLite's limit of 32,766


def index_items(db: Database, item_ids: Sequence[int]) -> None:
    """Add these stored items to the search index (items_fts), in one statement. SQLite
    only: PostgreSQL's index is a column computed as the row is written."""
    db.execute(
        "INSERT INTO items_fts (rowid, title, summary, brief_text, content) "
        "SELECT id, title, summary, brief_text, content FROM items "
        "WHERE id IN (SELECT value FROM json_each(?))",
        [json.dumps(list(item_ids))],
    )


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
    def __init__(self, db: Database) -> None:
        self._db = db

    @wrapped
    def known_keys(self, feed_id: int, keys: Sequence[str]) -> set[str]:
        """Which of these item keys the feed has already stored. Raises StorageError."""
        return set(self._existing_ids(feed_id, keys))

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
        unseen: dict[str, NewItem] = {}
        for item in items:
            if item.key not in ids:
                unseen.setdefault(item.key, item)  # the first of repeated keys wins
        ids.update(self._insert_items(feed_id, list(unseen.values()), now))
        new = [(ids[key], item) for key, item in unseen.items()]
        sources = [
            source_from_row(row)
            for row in self._db.query(
                "SELECT * FROM sources WHERE feed_id = ? AND removed_at IS NULL", [feed_id]
            )
        ]
        rows: list[tuple[int, Source, DeliveryState, str | None]] = []
        for source in sources:
            if first_sight and source.id == first_sight.source_id:
                continue
            rows.extend((item_id, source, *route(item, source)) for item_id, item in new)
        if first_sight:
            source = next(s for s in sources if s.id == first_sight.source_id)
            newest = items[max(len(items) - first_sight.backfill, 0) :]  # backfill may exceed them
            backfilled = {item.key for item in newest}
            for item in items:
                if first_sight.backfill and item.key in backfilled:
                    rows.append((ids[item.key], source, *route(item, source)))
                else:
                    rows.append((ids[item.key], source, "skipped", FIRST_SIGHT_REASON))
        return StoreResult(new_items=len(new), pending=self._insert_deliveries(rows, now))

    def _existing_ids(self, feed_id: int, keys: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunks(keys):
            among, params = self._db.is_in("key", chunk)
            rows = self._db.execute(
                f"SELECT key, id FROM items WHERE feed_id = ? AND {among}", [feed_id, *params]
            )
            found.update((key, item_id) for key, item_id in rows)
        return found

    def _insert_items(
        self, feed_id: int, items: Sequence[NewItem], now: datetime
    ) -> dict[str, int]:
        """Insert the items and index them for search; their ids by key.

        One multi-row INSERT per chunk and one FTS5 statement for the lot: indexing row by
        row from a trigger made storing 1.7x slower (docs/performance.md)."""
        ids: dict[str, int] = {}
        seen_at = to_db(now)
        for start in range(0, len(items), _ROWS_PER_INSERT):
            chunk = items[start : start + _ROWS_PER_INSERT]
            values = [
                value
                for item in chunk
                for value in (
                    feed_id, item.key, item.guid, item.title, item.url, item.summary,
                    item.content, item.author, item.image_url, to_db(item.published_at), seen_at,
                    "\n".join(item.categories),
                )
            ]  # fmt: skip
            rows = self._db.execute(
                f"INSERT INTO items ({_ITEM_COLUMNS}) VALUES "
                + ",".join([_ITEM_ROW] * len(chunk))
                + " RETURNING key, id",
                values,
            )
            ids.update(rows.fetchall())
        if ids and self._db.dialect == "sqlite":
            index_items(self._db, list(ids.values()))
        return ids

    def _insert_deliveries(
        self, rows: Sequence[tuple[int, Source, DeliveryState, str | None]], now: datetime
    ) -> int:
        """Insert outbox rows (a pair that exists is left alone); how many pending ones."""
        created = to_db(now)
        sql = """INSERT INTO deliveries (item_id, source_id, guild_id, channel_id, state, reason,
                 created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (item_id, source_id) DO NOTHING"""
        pending = 0
        for is_pending in (True, False):
            changed = self._db.executemany(
                sql,
                [
                    (item_id, s.id, s.guild_id, s.channel_id, state, reason, created)
                    for item_id, s, state, reason in rows
                    if (state == "pending") == is_pending
                ],
            )
            if is_pending:
                pending = max(changed, 0)
        return pending

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
