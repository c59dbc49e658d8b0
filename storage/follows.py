"""Follows, the notifications they produce (an outbox of DMs), and members' DM state.

Matching is an id cursor over items (kept in `meta`), advanced in the same transaction
that writes the notifications it found: no item is scanned twice or skipped, across
restarts. A notification goes pending -> sending (claimed into a batch) -> sent, or
failed when the member's DMs are closed; a batch left `sending` by a crash is sent again
as it was, with the same nonce, so Discord does not post it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from storage.connection import wrapped
from storage.database import Database
from storage.errors import RecordExists, RecordLimit, RecordNotFound
from storage.search import effective_date, follow_expression
from storage.timeutil import from_db, from_db_required, to_db

CURSOR_KEY = "follows_cursor"
SCAN_BATCH = 5000
"""Items scanned per call at most (the rest wait for the next tick)."""


@dataclass(frozen=True, slots=True)
class Follow:
    guild_id: int
    user_id: int
    keywords: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class FollowMatch:
    """One matching story in a DM."""

    notification_id: int
    item_id: int
    title: str
    url: str | None
    source_name: str
    published: datetime
    keywords: str


@dataclass(frozen=True, slots=True)
class DMBatch:
    """Everything one member is told in one DM."""

    guild_id: int
    user_id: int
    matches: list[FollowMatch]

    @property
    def first_id(self) -> int:
        return min(match.notification_id for match in self.matches)

    @property
    def ids(self) -> list[int]:
        return [match.notification_id for match in self.matches]


class FollowStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- a member's follows -------------------------------------------------------

    @wrapped
    def of_member(self, guild_id: int, user_id: int) -> list[Follow]:
        """The member's follows in this guild, oldest first. Raises StorageError."""
        rows = self._db.query(
            "SELECT * FROM follows WHERE guild_id = ? AND user_id = ? ORDER BY id",
            [guild_id, user_id],
        )
        return [
            Follow(r["guild_id"], r["user_id"], r["keywords"], from_db_required(r["created_at"]))
            for r in rows
        ]

    @wrapped
    def add(self, guild_id: int, user_id: int, keywords: str, *, limit: int, now: datetime) -> None:
        """Follow `keywords` (already normalized). Raises RecordExists, RecordLimit,
        StorageError."""
        with self._db.atomic():
            existing = [f.keywords for f in self.of_member(guild_id, user_id)]
            if keywords in existing:
                raise RecordExists("follow", keywords)
            if len(existing) >= limit:
                raise RecordLimit("follow", len(existing))
            self._db.execute(
                "INSERT INTO follows (guild_id, user_id, keywords, created_at) VALUES (?, ?, ?, ?)",
                [guild_id, user_id, keywords, to_db(now)],
            )

    @wrapped
    def remove(self, guild_id: int, user_id: int, keywords: str) -> None:
        """Stop following `keywords`; matches still waiting for it are withdrawn unless
        another of the member's follows matches them. Raises RecordNotFound, StorageError."""
        with self._db.atomic():
            cursor = self._db.execute(
                "DELETE FROM follows WHERE guild_id = ? AND user_id = ? AND keywords = ?",
                [guild_id, user_id, keywords],
            )
            if cursor.rowcount == 0:
                raise RecordNotFound("follow", keywords)
            waiting = {
                int(row[0]): int(row[1])
                for row in self._db.execute(
                    """SELECT item_id, id FROM follow_notifications WHERE guild_id = ?
                       AND user_id = ? AND keywords = ? AND state = 'pending'""",
                    [guild_id, user_id, keywords],
                )
            }
            if not waiting:
                return
            still: dict[int, str] = {}
            for follow in self.of_member(guild_id, user_id):
                for item_id in self._matching(follow.keywords, waiting):
                    still.setdefault(item_id, follow.keywords)
            for item_id, notification_id in waiting.items():
                if item_id in still:
                    self._db.execute(
                        "UPDATE follow_notifications SET keywords = ? WHERE id = ?",
                        [still[item_id], notification_id],
                    )
                else:
                    self._db.execute(
                        "DELETE FROM follow_notifications WHERE id = ?", [notification_id]
                    )

    def _matching(self, keywords: str, item_ids: dict[int, int]) -> set[int]:
        expression = follow_expression(keywords)
        if expression is None:
            return set()
        marks = ",".join("?" * len(item_ids))
        rows = self._db.execute(
            f"SELECT rowid FROM items_fts WHERE items_fts MATCH ? AND rowid IN ({marks})",
            [expression, *item_ids],
        )
        return {int(row[0]) for row in rows}

    # --- matching new items -------------------------------------------------------

    @wrapped
    def match_new(self, now: datetime, *, batch: int = SCAN_BATCH) -> int:
        """Scan the items stored since the last scan (up to `batch` ids) against every
        follow, write a pending notification per (member, matching item) and move the
        cursor, in one transaction. An item matches a member's follow when one of the
        guild's sources received it as new (not the backlog already in a feed when the
        source was added), it was first seen after the follow was made, and every word of
        the follow is in its title, summary or brief. Members whose DMs are closed are
        skipped. Returns how many notifications were written. Raises StorageError."""
        with self._db.atomic():
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", [CURSOR_KEY]).fetchone()
            low = int(row[0]) if row else 0
            top = self._db.execute("SELECT MAX(id) FROM items").fetchone()[0]
            high = min(int(top or 0), low + batch)
            if high <= low:
                return 0
            written = 0
            keywords = [r[0] for r in self._db.execute("SELECT DISTINCT keywords FROM follows")]
            for words in keywords:
                expression = follow_expression(words)
                if expression is None:
                    continue
                cursor = self._db.execute(
                    """INSERT INTO follow_notifications
                         (guild_id, user_id, item_id, keywords, state, created_at)
                       SELECT DISTINCT f.guild_id, f.user_id, i.id, f.keywords, 'pending', ?
                       FROM items_fts
                       CROSS JOIN items i ON i.id = items_fts.rowid
                       JOIN deliveries d ON d.item_id = i.id AND d.state != 'skipped'
                       JOIN follows f ON f.guild_id = d.guild_id AND f.keywords = ?
                       WHERE items_fts MATCH ? AND items_fts.rowid > ? AND items_fts.rowid <= ?
                         AND f.created_at <= i.first_seen_at
                         AND NOT EXISTS (
                           SELECT 1 FROM members m WHERE m.guild_id = f.guild_id
                             AND m.user_id = f.user_id AND m.dms_closed_at IS NOT NULL)
                       ORDER BY i.id
                       ON CONFLICT (guild_id, user_id, item_id) DO NOTHING""",
                    [to_db(now), words, expression, low, high],
                )
                written += max(cursor.rowcount, 0)
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [CURSOR_KEY, str(high)],
            )
            return written

    @wrapped
    def cursor(self) -> int:
        """The last item id scanned for follows. Raises StorageError."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", [CURSOR_KEY]).fetchone()
        return int(row[0]) if row else 0

    # --- the DM outbox ------------------------------------------------------------

    @wrapped
    def claim_batches(self, now: datetime, *, every: timedelta) -> list[DMBatch]:
        """The DMs to send now: first any batch a crash left half-sent (again, as it was),
        then, for each member with pending matches whose DMs are open and whose last DM is
        at least `every` old, all their pending matches, claimed as one batch.
        Raises StorageError."""
        with self._db.atomic():
            self._db.execute(
                """UPDATE follow_notifications SET state = 'sending'
                   WHERE state = 'pending'
                     AND NOT EXISTS (
                       SELECT 1 FROM follow_notifications s WHERE s.state = 'sending'
                         AND s.guild_id = follow_notifications.guild_id
                         AND s.user_id = follow_notifications.user_id)
                     AND NOT EXISTS (
                       SELECT 1 FROM members m WHERE m.guild_id = follow_notifications.guild_id
                         AND m.user_id = follow_notifications.user_id
                         AND (m.dms_closed_at IS NOT NULL OR m.last_dm_at > ?))""",
                [to_db(now - every)],
            )
            rows = self._db.query(
                """SELECT n.id AS notification_id, n.guild_id, n.user_id, n.keywords,
                          i.id AS item_id, i.title, i.url, i.published_at, i.first_seen_at,
                          (SELECT s.name FROM sources s
                            WHERE s.guild_id = n.guild_id AND s.feed_id = i.feed_id
                            ORDER BY s.removed_at IS NULL DESC, s.id DESC LIMIT 1)
                            AS source_name
                   FROM follow_notifications n JOIN items i ON i.id = n.item_id
                   WHERE n.state = 'sending'
                   ORDER BY n.guild_id, n.user_id, i.id"""
            )
            batches: dict[tuple[int, int], list[FollowMatch]] = {}
            for r in rows:
                batches.setdefault((r["guild_id"], r["user_id"]), []).append(_match(r))
        return [DMBatch(g, u, matches) for (g, u), matches in batches.items()]

    @wrapped
    def mark_sent(self, batch: DMBatch, now: datetime) -> None:
        """The batch's DM went out. Raises StorageError."""
        with self._db.atomic():
            self._set_state(batch.ids, "sent", now)
            self._member(batch.guild_id, batch.user_id, "last_dm_at", now)

    @wrapped
    def mark_failed(self, batch: DMBatch, now: datetime) -> None:
        """Discord refused the DM for good (never retried). Raises StorageError."""
        with self._db.atomic():
            self._set_state(batch.ids, "failed", now)

    @wrapped
    def mark_dms_closed(self, batch: DMBatch, now: datetime) -> None:
        """The member does not accept DMs: the batch is dropped, their follows are kept, and
        they are told the next time they use a /topic command. Raises StorageError."""
        with self._db.atomic():
            self._set_state(batch.ids, "failed", now)
            self._member(batch.guild_id, batch.user_id, "dms_closed_at", now)

    @wrapped
    def take_dm_note(self, guild_id: int, user_id: int) -> datetime | None:
        """When a DM to the member failed because their DMs are closed, once: the flag is
        cleared, so DMs are tried again from now on. Raises StorageError."""
        with self._db.atomic():
            row = self._db.execute(
                "SELECT dms_closed_at FROM members WHERE guild_id = ? AND user_id = ?",
                [guild_id, user_id],
            ).fetchone()
            if row is None or row[0] is None:
                return None
            self._db.execute(
                "UPDATE members SET dms_closed_at = NULL WHERE guild_id = ? AND user_id = ?",
                [guild_id, user_id],
            )
            return from_db(row[0])

    @wrapped
    def waiting(self, guild_id: int, user_id: int) -> int:
        """How many matches wait to be sent to the member. Raises StorageError."""
        row = self._db.execute(
            "SELECT COUNT(*) FROM follow_notifications WHERE guild_id = ? AND user_id = ? "
            "AND state IN ('pending', 'sending')",
            [guild_id, user_id],
        ).fetchone()
        return int(row[0])

    def _set_state(self, ids: list[int], state: str, now: datetime) -> None:
        for start in range(0, len(ids), 500):
            among, params = self._db.is_in("id", ids[start : start + 500])
            self._db.execute(
                f"UPDATE follow_notifications SET state = ?, sent_at = ? WHERE {among}",
                [state, to_db(now), *params],
            )

    def _member(self, guild_id: int, user_id: int, column: str, now: datetime) -> None:
        assert column in ("last_dm_at", "dms_closed_at")
        self._db.execute(
            f"""INSERT INTO members (guild_id, user_id, {column}) VALUES (?, ?, ?)
                ON CONFLICT (guild_id, user_id) DO UPDATE SET {column} = excluded.{column}""",
            [guild_id, user_id, to_db(now)],
        )


def _match(row: dict[str, Any]) -> FollowMatch:
    return FollowMatch(
        notification_id=row["notification_id"],
        item_id=row["item_id"],
        title=row["title"],
        url=row["url"],
        source_name=row["source_name"] or "",
        published=effective_date(
            from_db(row["published_at"]), from_db_required(row["first_seen_at"])
        ),
        keywords=row["keywords"],
    )
