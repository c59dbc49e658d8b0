"""Stories: items of one guild that report the same event, posted once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.connection import wrapped
from storage.database import Database
from storage.deliveries import OUTGOING_SELECT, outgoing_from_row
from storage.models import Outgoing
from storage.timeutil import to_db


@dataclass(frozen=True, slots=True)
class Candidate:
    """An earlier post (sent or about to be) a new item might join."""

    delivery_id: int
    item_id: int
    fingerprint: str | None
    title: str
    summary: str
    published: str  # stored text, compared by the matcher's window
    story_delivery_id: int
    """The first post of the story this delivery is in (itself when it starts none)."""


@dataclass(frozen=True, slots=True)
class Coverage:
    """Another source that carried a story."""

    source_name: str
    url: str | None


UNMERGED = "a moderator had it posted on its own"
"""The reason of a delivery taken out of its story (`unmerge`): it is posted as it is and
never merged again (#19)."""


@dataclass(frozen=True, slots=True)
class MergedItem:
    """An item of a source that was merged into another post's story."""

    item_id: int
    title: str


@dataclass(frozen=True, slots=True)
class FirstPost:
    """A story's first post that must be edited to name who else covered it."""

    story_id: int
    outgoing: Outgoing
    message_id: int


class StoryStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    @wrapped
    def candidates(
        self,
        guild_id: int,
        before_delivery: int,
        since: datetime,
        channel_id: int | None = None,
    ) -> list[Candidate]:
        """The guild's posts (sent, or pending ahead of `before_delivery`) and the items merged
        into them, first seen since `since`, each with the first post of its story; only
        those of `channel_id` when given: an item joins only a post its channel's readers
        saw (#19). Raises StorageError."""
        # Items first, by first_seen, then their deliveries by item: through the guild index
        # (or by delivery id, to skip the sort) SQLite read all the guild's deliveries. At
        # 530,000: 300 -> 18 ms a batch of posts (580 -> 70 ms with 115,000 items that day).
        params: list[object] = [guild_id, before_delivery, to_db(since)]
        channel = ""
        if channel_id is not None:
            channel = "AND +d.channel_id = ?"
            params.append(channel_id)
        rows = self._db.query(
            f"""SELECT d.id AS delivery_id, i.id AS item_id, i.fingerprint, i.title, i.summary,
                      COALESCE(i.published_at, i.first_seen_at) AS published,
                      COALESCE(st.first_delivery_id, d.id) AS story_delivery_id
               FROM items i CROSS JOIN deliveries d ON d.item_id = i.id
               LEFT JOIN stories st ON st.id = d.story_id
               WHERE +d.guild_id = ? AND +d.id < ? AND +d.state IN ('sent', 'pending', 'merged')
                 AND i.first_seen_at >= ? {channel}
               ORDER BY d.id""",
            params,
        )
        return [Candidate(**row) for row in rows]

    @wrapped
    def set_fingerprint(self, item_id: int, fingerprint: str) -> None:
        """Store an item's fingerprint. Raises StorageError."""
        self._db.execute("UPDATE items SET fingerprint = ? WHERE id = ?", [fingerprint, item_id])

    @wrapped
    def merge(self, delivery_id: int, into_delivery: int, guild_id: int, now: datetime) -> int:
        """Join a delivery to the story of an earlier one (creating the story) instead of
        posting it; the first post is marked for an edit. Returns the story id.
        Raises StorageError."""
        with self._db.atomic():
            row = self._db.execute(
                "SELECT story_id FROM deliveries WHERE id = ?", [into_delivery]
            ).fetchone()
            story_id = row[0] if row else None
            if story_id is None:
                story_id = self._db.execute(
                    """INSERT INTO stories (guild_id, first_delivery_id, created_at, last_item_at)
                       VALUES (?, ?, ?, ?) RETURNING id""",
                    [guild_id, into_delivery, to_db(now), to_db(now)],
                ).fetchone()[0]
                self._db.execute(
                    "UPDATE deliveries SET story_id = ? WHERE id = ?", [story_id, into_delivery]
                )
            self._db.execute(
                """UPDATE deliveries SET state = 'merged', story_id = ?,
                   reason = 'the same story was already posted' WHERE id = ?""",
                [story_id, delivery_id],
            )
            self._db.execute(
                "UPDATE stories SET needs_edit = 1, last_item_at = ? WHERE id = ?",
                [to_db(now), story_id],
            )
            return int(story_id or 0)

    @wrapped
    def coverage(self, delivery_id: int) -> list[Coverage]:
        """The other sources merged into the story whose first post is this delivery, in the
        order they joined: each once, and never the post's own source (by source or by
        name: two feeds may go by one name). Raises StorageError."""
        rows = self._db.query(
            """SELECT s.name, i.url, own.name AS own_name FROM deliveries first
               JOIN sources own ON own.id = first.source_id
               JOIN deliveries d ON d.story_id = first.story_id AND d.state = 'merged'
                 AND d.source_id != first.source_id
               JOIN sources s ON s.id = d.source_id JOIN items i ON i.id = d.item_id
               WHERE first.id = ? AND first.story_id IS NOT NULL ORDER BY d.id""",
            [delivery_id],
        )
        found: dict[str, Coverage] = {}
        for row in rows:
            key = _same_name(row["name"])
            if key != _same_name(row["own_name"]) and key not in found:
                found[key] = Coverage(row["name"], row["url"])
        return list(found.values())

    @wrapped
    def merged_items(self, source_id: int, typed: str = "", limit: int = 25) -> list[MergedItem]:
        """The source's items merged into a story, newest first; those whose title holds
        `typed` (any case) or whose id is `typed`. Raises StorageError."""
        typed = typed.strip()
        # A substring test: instr on SQLite, strpos on PostgreSQL (LIKE would read % and _).
        find = "strpos" if self._db.dialect == "postgresql" else "instr"
        rows = self._db.query(
            f"""SELECT i.id AS item_id, i.title FROM deliveries d JOIN items i ON i.id = d.item_id
               WHERE d.source_id = ? AND d.state = 'merged'
                 AND (? = '' OR {find}(lower(i.title), lower(?)) > 0 OR CAST(i.id AS TEXT) = ?)
               ORDER BY d.id DESC LIMIT ?""",
            [source_id, typed, typed, typed, limit],
        )
        return [MergedItem(int(r["item_id"]), r["title"] or "") for r in rows]

    @wrapped
    def unmerge(self, source_id: int, item_id: int) -> bool:
        """Take the source's delivery of an item out of the story it was merged into, to be
        posted on its own through the outbox like any post (once: only a merged delivery
        turns pending, and never merges again); the story's first post is marked for an
        edit, so its footer no longer names this source for it. False when the item is
        not merged. Raises StorageError."""
        with self._db.atomic():
            row = self._db.execute(
                """SELECT id, story_id FROM deliveries
                   WHERE source_id = ? AND item_id = ? AND state = 'merged'""",
                [source_id, item_id],
            ).fetchone()
            if row is None:
                return False
            delivery_id, story_id = row
            self._db.execute(
                """UPDATE deliveries SET state = 'pending', story_id = NULL, reason = ?,
                   next_attempt_at = NULL WHERE id = ? AND state = 'merged'""",
                [UNMERGED, delivery_id],
            )
            if story_id is not None:
                self._db.execute("UPDATE stories SET needs_edit = 1 WHERE id = ?", [story_id])
            return True

    @wrapped
    def needing_edit(self) -> list[FirstPost]:
        """The first posts of stories that are sent and must be edited. Raises StorageError."""
        rows = self._db.query(
            f"""SELECT st.id AS first_post__story_id, d.* FROM stories st
                JOIN ({OUTGOING_SELECT}) d ON d.id = st.first_delivery_id
                WHERE st.needs_edit = 1 AND d.state = 'sent' AND d.message_id IS NOT NULL
                ORDER BY st.id"""
        )
        return [
            FirstPost(
                story_id=int(row["first_post__story_id"]),
                outgoing=outgoing_from_row(row),
                message_id=int(row["message_id"]),
            )
            for row in rows
        ]

    @wrapped
    def edited(self, story_id: int) -> None:
        """The first post now names everyone who covered the story. Raises StorageError."""
        self._db.execute("UPDATE stories SET needs_edit = 0 WHERE id = ?", [story_id])


def _same_name(name: str) -> str:
    """A source name as readers would tell it apart: without case and spacing."""
    return " ".join(name.casefold().split())
