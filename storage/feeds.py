"""Feeds: URLs and their fetch state. The poll schedule lives here (next_due_at)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.connection import wrapped
from storage.database import Database
from storage.errors import RecordNotFound
from storage.models import Feed
from storage.rows import feed_from_row
from storage.timeutil import from_db_required, to_db

# Sources that are neither removed nor paused make a feed worth polling.
_ACTIVE = "removed_at IS NULL AND paused_at IS NULL"


@dataclass(frozen=True, slots=True)
class FeedError:
    at: datetime
    status: int | None
    message: str


class FeedStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    @wrapped
    def get(self, feed_id: int) -> Feed:
        """The feed with this id. Raises RecordNotFound, StorageError."""
        row = next(self._db.query("SELECT * FROM feeds WHERE id = ?", [feed_id]), None)
        if row is None:
            raise RecordNotFound("feed", feed_id)
        return feed_from_row(row)

    @wrapped
    def get_by_url(self, url: str) -> Feed | None:
        """The feed with this URL, or None. Raises StorageError."""
        row = next(self._db.query("SELECT * FROM feeds WHERE url = ?", [url]), None)
        return None if row is None else feed_from_row(row)

    def ensure(
        self,
        url: str,
        *,
        title: str,
        site_url: str | None,
        interval_seconds: int,
        next_due_at: datetime,
        now: datetime,
        validators: tuple[str | None, str | None, str | None] = (None, None, None),
        answer_seconds: float | None = None,
    ) -> int:
        """The id of the feed with this URL, creating it with the ETag, Last-Modified, body
        hash and answer time of the fetch that found it. That fetch (at `now`) counts as the
        feed's last poll, for a feed already stored too: a source just added never shows
        "last poll never". Call inside a transaction."""
        # The later of two texts: SQLite's MAX takes two arguments, PostgreSQL's GREATEST.
        later = "GREATEST" if self._db.dialect == "postgresql" else "MAX"
        self._db.execute(
            f"""INSERT INTO feeds (url, title, site_url, interval_seconds, next_due_at, created_at,
               etag, last_modified, body_hash, answer_ms, last_polled_at, last_ok_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (url) DO UPDATE SET last_polled_at =
                 {later}(COALESCE(feeds.last_polled_at, ''), excluded.last_polled_at)""",
            [
                url, title, site_url, interval_seconds, to_db(next_due_at), to_db(now),
                *validators, _ms(answer_seconds), to_db(now), to_db(now),
            ],
        )  # fmt: skip
        row = self._db.execute("SELECT id FROM feeds WHERE url = ?", [url]).fetchone()
        return int(row[0])

    @wrapped
    def due(self, now: datetime, limit: int = 500) -> list[Feed]:
        """The `limit` soonest due feeds that some active source follows, slowest to
        answer first (by their last good answer; new feeds first): polled in this order, the
        feeds that take seconds start at once instead of last. Raises StorageError."""
        rows = self._db.query(
            f"""SELECT * FROM (
                    SELECT * FROM feeds f WHERE next_due_at <= ? AND gone_at IS NULL
                    AND EXISTS (SELECT 1 FROM sources s WHERE s.feed_id = f.id AND {_ACTIVE})
                    ORDER BY next_due_at LIMIT ?) AS due
                ORDER BY answer_ms DESC NULLS FIRST, next_due_at""",
            [to_db(now), limit],
        )
        return [feed_from_row(row) for row in rows]

    @wrapped
    def claim_due(self, now: datetime, lease: timedelta, limit: int = 500) -> list[Feed]:
        """The due feeds this process should poll now, as `due` orders them.

        On PostgreSQL, several processes share the work: each claims its feeds by moving
        them `lease` into the future (`FOR UPDATE SKIP LOCKED`: two claims never get the
        same feed, and neither waits for the other). The poll's outcome sets the real next
        time; a process that dies mid-poll loses its claim when the lease runs out. On
        SQLite there is one process: this is `due`. Raises StorageError."""
        if self._db.dialect != "postgresql":
            return self.due(now, limit)
        with self._db.atomic():
            rows = self._db.query(
                f"""UPDATE feeds SET next_due_at = ? WHERE id IN (
                        SELECT id FROM feeds f WHERE next_due_at <= ? AND gone_at IS NULL
                        AND EXISTS (SELECT 1 FROM sources s WHERE s.feed_id = f.id AND {_ACTIVE})
                        ORDER BY next_due_at LIMIT ? FOR UPDATE SKIP LOCKED)
                    RETURNING *""",
                [to_db(now + lease), to_db(now), limit],
            )
            claimed = [feed_from_row(row) for row in rows]
        # Slowest to answer first, as `due` orders them (new feeds first).
        return sorted(claimed, key=lambda f: (f.answer_ms is not None, -(f.answer_ms or 0)))

    @wrapped
    def release(self, feed_ids: list[int], now: datetime) -> None:
        """Hand claimed feeds back (a process stopping mid-poll): due again at once for any
        process. Only feeds still under a claim move. Raises StorageError."""
        if self._db.dialect != "postgresql" or not feed_ids:
            return
        among, params = self._db.is_in("id", feed_ids)
        self._db.execute(
            f"UPDATE feeds SET next_due_at = ? WHERE {among} AND next_due_at > ?",
            [to_db(now), *params, to_db(now)],
        )

    @wrapped
    def record_success(
        self,
        feed_id: int,
        *,
        now: datetime,
        next_due_at: datetime,
        etag: str | None,
        last_modified: str | None,
        body_hash: str | None,
        answer_seconds: float | None = None,
        title: str | None = None,
        site_url: str | None = None,
        new_url: str | None = None,
    ) -> Feed:
        """A poll that got a good answer (200 or 304): failures reset. Returns the feed as it
        was before, so the caller can tell a recovery. Raises RecordNotFound, StorageError."""
        with self._db.atomic():
            before = self.get(feed_id)
            self._db.execute(
                """UPDATE feeds SET last_polled_at = :now, last_ok_at = :now, next_due_at = :due,
                   etag = :etag, last_modified = :lm, body_hash = COALESCE(:hash, body_hash),
                   title = COALESCE(NULLIF(:title, ''), title),
                   site_url = COALESCE(:site, site_url), failing_since = NULL,
                   failure_count = 0, last_error = NULL, not_found_since = NULL,
                   answer_ms = COALESCE(:answer_ms, answer_ms)
                   WHERE id = :id""",
                {
                    "answer_ms": _ms(answer_seconds),
                    "now": to_db(now),
                    "due": to_db(next_due_at),
                    "etag": etag,
                    "lm": last_modified,
                    "hash": body_hash,
                    "title": title,
                    "site": site_url,
                    "id": feed_id,
                },
            )
            if new_url and new_url != before.url and self.get_by_url(new_url) is None:
                self._db.execute("UPDATE feeds SET url = ? WHERE id = ?", [new_url, feed_id])
        return before

    @wrapped
    def record_failure(
        self,
        feed_id: int,
        *,
        now: datetime,
        next_due_at: datetime,
        message: str,
        status: int | None,
        not_found: bool = False,
        gone: bool = False,
    ) -> Feed:
        """A failed poll: count it, keep the error, set the retry time. Returns the feed
        after the update. Raises RecordNotFound, StorageError."""
        with self._db.atomic():
            self._db.execute(
                """UPDATE feeds SET last_polled_at = :now, next_due_at = :due,
                   failing_since = COALESCE(failing_since, :now), failure_count = failure_count + 1,
                   last_error = :msg,
                   not_found_since = CASE WHEN :nf THEN COALESCE(not_found_since, :now) END,
                   gone_at = CASE WHEN :gone THEN :now ELSE gone_at END
                   WHERE id = :id""",
                {
                    "now": to_db(now),
                    "due": to_db(next_due_at),
                    "msg": message,
                    "nf": not_found,
                    "gone": gone,
                    "id": feed_id,
                },
            )
            self._log_error(feed_id, now, status, message)
            if gone:
                # The feed is gone for good: its sources pause (a moderator can resume them).
                self._db.execute(
                    """UPDATE sources SET paused_at = COALESCE(paused_at, ?), pause_reason = ?
                       WHERE feed_id = ? AND removed_at IS NULL""",
                    [to_db(now), message, feed_id],
                )
            return self.get(feed_id)

    @wrapped
    def record_warning(self, feed_id: int, *, now: datetime, message: str) -> None:
        """A poll that read the feed leniently (malformed XML, a wrong encoding...): keep the
        warning among the feed's recent errors for /source info, without marking the feed as
        failing. Raises StorageError."""
        with self._db.atomic():
            self._log_error(feed_id, now, None, message)

    def _log_error(self, feed_id: int, now: datetime, status: int | None, message: str) -> None:
        self._db.execute(
            "INSERT INTO feed_errors (feed_id, at, status, message) VALUES (?, ?, ?, ?)",
            [feed_id, to_db(now), status, message],
        )
        # Keep the log short: the last 20 per feed are plenty for /source info.
        self._db.execute(
            """DELETE FROM feed_errors WHERE feed_id = ? AND id NOT IN
               (SELECT id FROM feed_errors WHERE feed_id = ? ORDER BY id DESC LIMIT 20)""",
            [feed_id, feed_id],
        )

    @wrapped
    def set_next_due(self, feed_id: int, when: datetime) -> None:
        """Move the next poll time. Raises StorageError."""
        self._db.execute("UPDATE feeds SET next_due_at = ? WHERE id = ?", [to_db(when), feed_id])

    @wrapped
    def revive(self, feed_id: int, next_due_at: datetime) -> None:
        """Clear the gone mark (a moderator resumed the source). Raises StorageError."""
        self._db.execute(
            "UPDATE feeds SET gone_at = NULL, not_found_since = NULL, next_due_at = ? WHERE id = ?",
            [to_db(next_due_at), feed_id],
        )

    def refresh_interval(self, feed_id: int) -> None:
        """Poll at the shortest interval among the feed's live sources. Call inside a
        transaction."""
        self._db.execute(
            """UPDATE feeds SET interval_seconds = COALESCE(
                   (SELECT MIN(interval_seconds) FROM sources
                    WHERE feed_id = :id AND removed_at IS NULL), interval_seconds)
               WHERE id = :id""",
            {"id": feed_id},
        )

    @wrapped
    def recent_errors(self, feed_id: int, limit: int = 5) -> list[FeedError]:
        """The newest errors of a feed, newest first. Raises StorageError."""
        rows = self._db.query(
            "SELECT at, status, message FROM feed_errors WHERE feed_id = ? "
            "ORDER BY id DESC LIMIT ?",
            [feed_id, limit],
        )
        return [FeedError(from_db_required(r["at"]), r["status"], r["message"]) for r in rows]


def _ms(seconds: float | None) -> int | None:
    return None if seconds is None else round(seconds * 1000)
