"""Sources: one guild's subscription to a feed. Every method is scoped to a guild."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from storage.connection import wrapped
from storage.database import Database
from storage.errors import RecordAmbiguous, RecordExists, RecordNotFound
from storage.models import Source, SourceStatus
from storage.rows import feed_from_row, prefixed, source_from_row
from storage.timeutil import from_db, to_db

_EDITABLE = {
    "channel_id",
    "name",
    "interval_seconds",
    "style",
    "include_keywords",
    "exclude_keywords",
    "fulltext",
    "paused_at",
    "pause_reason",
    "channel_error",
    "include_regex",
    "exclude_regex",
    "ping_role_id",
    "ping_keywords",
    "template",
    "embed_color",
    "show_image",
    "webhook_name",
    "webhook_avatar",
    "forum_tag",
    "open_threads",
}
_SELECT = "SELECT s.*, f.url AS feed_url FROM sources s JOIN feeds f ON f.id = s.feed_id"


AlertKind = Literal["failing", "gone", "recovered"]


@dataclass(frozen=True, slots=True)
class AlertDue:
    source: Source
    kind: AlertKind
    failures: int
    error: str | None
    alert_channel_id: int | None
    stamp: int  # distinguishes one failing episode from the next (for the alert's nonce)


class SourceStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def insert(
        self,
        *,
        guild_id: int,
        feed_id: int,
        channel_id: int,
        name: str,
        interval_seconds: int,
        style: str,
        include_keywords: str,
        exclude_keywords: str,
        fulltext: bool,
        created_by: int | None,
        now: datetime,
    ) -> int:
        """Create a source and return its id. Call inside a transaction.
        Raises RecordExists when the guild already follows the feed in that channel (another
        channel may have the same feed, with its own style and filters)."""
        self._refuse_second_in_channel(guild_id, feed_id, channel_id)
        row = self._db.execute(
            """INSERT INTO sources (guild_id, feed_id, channel_id, name, interval_seconds, style,
               include_keywords, exclude_keywords, fulltext, created_by, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            [
                guild_id,
                feed_id,
                channel_id,
                name,
                interval_seconds,
                style,
                include_keywords,
                exclude_keywords,
                int(fulltext),
                created_by,
                to_db(now),
            ],
        ).fetchone()
        return int(row[0])

    @wrapped
    def get(self, guild_id: int, source_id: int) -> Source:
        """A live source of this guild. Raises RecordNotFound (also for another guild's source),
        StorageError."""
        row = next(
            self._db.query(
                f"{_SELECT} WHERE s.id = ? AND s.guild_id = ? AND s.removed_at IS NULL",
                [source_id, guild_id],
            ),
            None,
        )
        if row is None:
            raise RecordNotFound("source", source_id)
        return source_from_row(row)

    @wrapped
    def find(self, guild_id: int, text: str) -> Source:
        """A live source of this guild by id, name (any case) or URL.
        Raises RecordNotFound, RecordAmbiguous (the name or URL of sources in several
        channels), StorageError."""
        text = text.strip()
        if text.isdigit():
            try:
                return self.get(guild_id, int(text))
            except RecordNotFound:
                pass
        found = [
            source_from_row(row)
            for row in self._db.query(
                f"""{_SELECT} WHERE s.guild_id = ? AND s.removed_at IS NULL
                    AND (lower(s.name) = lower(?) OR f.url = ?) ORDER BY s.id""",
                [guild_id, text, text],
            )
        ]
        if not found:
            raise RecordNotFound("source", text)
        if len(found) > 1:
            raise RecordAmbiguous("source", text, {s.id: s.channel_id for s in found})
        return found[0]

    @wrapped
    def matching(self, guild_id: int, typed: str, limit: int = 25) -> list[Source]:
        """Live sources of this guild whose name or URL contains `typed` (for autocomplete).
        Raises StorageError."""
        pattern = "%" + typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        like = "ILIKE" if self._db.dialect == "postgresql" else "LIKE"  # SQLite's ignores case
        rows = self._db.query(
            f"""{_SELECT} WHERE s.guild_id = ? AND s.removed_at IS NULL
                AND (s.name {like} ? ESCAPE '\\' OR f.url {like} ? ESCAPE '\\')
                ORDER BY lower(s.name) LIMIT ?""",
            [guild_id, pattern, pattern, limit],
        )
        return [source_from_row(row) for row in rows]

    @wrapped
    def count(self, guild_id: int) -> int:
        """How many live sources the guild has. Raises StorageError."""
        row = self._db.execute(
            "SELECT COUNT(*) FROM sources WHERE guild_id = ? AND removed_at IS NULL", [guild_id]
        ).fetchone()
        return int(row[0])

    @wrapped
    def statuses(self, guild_id: int) -> list[SourceStatus]:
        """This guild's live sources with their feed state and posting counts, by name.
        Raises StorageError."""
        # Both counts come from deliveries_source_sent alone (migration 0006): 1.5 s -> 85 ms
        # for 2,000 sources and 530,000 deliveries.
        rows = self._db.query(
            """SELECT s.*, f.url AS feed_url,
                 f.id AS f__id, f.url AS f__url, f.title AS f__title, f.site_url AS f__site_url,
                 f.etag AS f__etag, f.last_modified AS f__last_modified,
                 f.body_hash AS f__body_hash, f.interval_seconds AS f__interval_seconds,
                 f.next_due_at AS f__next_due_at, f.last_polled_at AS f__last_polled_at,
                 f.last_ok_at AS f__last_ok_at, f.failing_since AS f__failing_since,
                 f.failure_count AS f__failure_count, f.last_error AS f__last_error,
                 f.not_found_since AS f__not_found_since, f.gone_at AS f__gone_at,
                 (SELECT COUNT(*) FROM deliveries d WHERE d.source_id = s.id AND d.state = 'sent')
                   AS posted,
                 (SELECT MAX(sent_at) FROM deliveries d WHERE d.source_id = s.id) AS last_posted_at
               FROM sources s JOIN feeds f ON f.id = s.feed_id
               WHERE s.guild_id = ? AND s.removed_at IS NULL ORDER BY lower(s.name), s.id""",
            [guild_id],
        )
        return [
            SourceStatus(
                source=source_from_row(row),
                feed=feed_from_row(prefixed(row, "f")),
                posted=row["posted"],
                last_posted_at=from_db(row["last_posted_at"]),
            )
            for row in rows
        ]

    @wrapped
    def remove(self, guild_id: int, source_id: int, now: datetime) -> Source:
        """Stop a source. Its items and posted history stay, so search still finds them.
        Raises RecordNotFound, StorageError."""
        with self._db.atomic():
            source = self.get(guild_id, source_id)
            self._db.execute(
                "UPDATE sources SET removed_at = ? WHERE id = ?", [to_db(now), source_id]
            )
            # Anything still waiting for this source will never be posted.
            self._db.execute(
                "UPDATE deliveries SET state = 'skipped', reason = 'source removed' "
                "WHERE source_id = ? AND state = 'pending'",
                [source_id],
            )
        return source

    @wrapped
    def set_channel_error(self, channel_id: int, error: str | None) -> list[Source]:
        """Mark (or clear) why posting to a channel stopped, on every live source that posts
        there; return the sources whose state changed. Raises StorageError."""
        # `IS NOT ?` is SQLite's null-safe "differs from"; PostgreSQL spells it out.
        differs = "IS DISTINCT FROM" if self._db.dialect == "postgresql" else "IS NOT"
        with self._db.atomic():
            rows = self._db.query(
                f"""{_SELECT} WHERE s.channel_id = ? AND s.removed_at IS NULL
                    AND s.channel_error {differs} ?""",
                [channel_id, error],
            )
            changed = [source_from_row(row) for row in rows]
            self._db.execute(
                "UPDATE sources SET channel_error = ? WHERE channel_id = ? AND removed_at IS NULL",
                [error, channel_id],
            )
        return changed

    @wrapped
    def alerts_due(self, failing_after: int) -> list[AlertDue]:
        """Sources whose moderators have not yet heard that the feed started failing
        (after `failing_after` failures in a row), is gone, or recovered. Raises StorageError."""
        rows = self._db.query(
            """SELECT s.*, f.url AS feed_url, f.failure_count, f.last_error, f.failing_since,
                      f.gone_at, f.last_ok_at, g.alert_channel_id
               FROM sources s JOIN feeds f ON f.id = s.feed_id
               LEFT JOIN guilds g ON g.id = s.guild_id
               WHERE s.removed_at IS NULL AND (
                 (s.alerted_failing = 0 AND (f.gone_at IS NOT NULL
                    OR (f.failure_count >= :n AND s.paused_at IS NULL)))
                 OR (s.alerted_failing = 1 AND f.failure_count = 0 AND f.gone_at IS NULL))
               ORDER BY s.id""",
            {"n": failing_after},
        )
        due = []
        for row in rows:
            if not row["alerted_failing"]:
                kind: AlertKind = "gone" if row["gone_at"] else "failing"
                stamp = row["gone_at"] or row["failing_since"] or ""
            else:
                kind, stamp = "recovered", row["last_ok_at"] or ""
            due.append(
                AlertDue(
                    source=source_from_row(row),
                    kind=kind,
                    failures=row["failure_count"],
                    error=row["last_error"],
                    alert_channel_id=row["alert_channel_id"],
                    stamp=zlib.crc32(stamp.encode()),
                )
            )
        return due

    @wrapped
    def set_alerted(self, source_ids: list[int], failing: bool) -> None:
        """Remember that the failing (or recovered) alert went out. Raises StorageError."""
        with self._db.atomic():
            for source_id in source_ids:
                self._db.execute(
                    "UPDATE sources SET alerted_failing = ? WHERE id = ?", [int(failing), source_id]
                )

    @wrapped
    def pause(
        self, guild_id: int, source_id: int, now: datetime, reason: str
    ) -> tuple[Source, Source]:
        """Pause a source unless it is paused already; the source before and after (the
        same when it was paused). Raises RecordNotFound, StorageError."""
        with self._db.atomic():
            before = self.get(guild_id, source_id)
            if before.paused_at is not None:
                return before, before
            return before, self.update(guild_id, source_id, paused_at=now, pause_reason=reason)

    @wrapped
    def resume(self, guild_id: int, source_id: int) -> tuple[Source, Source]:
        """Clear a source's pause and channel error; the source before and after (the same
        when it was neither paused nor stopped). Raises RecordNotFound, StorageError."""
        with self._db.atomic():
            before = self.get(guild_id, source_id)
            if before.paused_at is None and before.channel_error is None:
                return before, before
            after = self.update(
                guild_id, source_id, paused_at=None, pause_reason=None, channel_error=None
            )
            return before, after

    @wrapped
    def update(self, guild_id: int, source_id: int, **changes: Any) -> Source:
        """Change settings columns of a source. Raises RecordNotFound, StorageError."""
        unknown = set(changes) - _EDITABLE
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        with self._db.atomic():
            source = self.get(guild_id, source_id)
            if changes.get("channel_id", source.channel_id) != source.channel_id:
                self._refuse_second_in_channel(
                    guild_id, source.feed_id, changes["channel_id"], moving=source_id
                )
            if changes:
                assignments = ", ".join(f"{column} = :{column}" for column in changes)
                self._db.execute(
                    f"UPDATE sources SET {assignments} WHERE id = :_id",
                    {**{k: _to_sql(v) for k, v in changes.items()}, "_id": source_id},
                )
            return self.get(guild_id, source_id)

    def _refuse_second_in_channel(
        self, guild_id: int, feed_id: int, channel_id: int, *, moving: int = 0
    ) -> None:
        """Raises RecordExists when the channel already gets the feed (from a source other
        than the one `moving` there)."""
        other = self._db.execute(
            """SELECT name FROM sources WHERE guild_id = ? AND feed_id = ? AND channel_id = ?
               AND removed_at IS NULL AND id <> ?""",
            [guild_id, feed_id, channel_id, moving],
        ).fetchone()
        if other is not None:
            raise RecordExists("source", str(other[0]))


def _to_sql(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_db(value)
    if isinstance(value, bool):
        return int(value)
    return value
