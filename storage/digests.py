"""Digest schedules and what each digest already carried."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from storage.connection import wrapped
from storage.database import Database
from storage.deliveries import SHOWN_SQL
from storage.timeutil import from_db, from_db_required, to_db

# Delivery states whose items belong in a guild's digest (not first-sight backlog, not filtered).
_DIGESTIBLE = SHOWN_SQL


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    guild_id: int
    channel_id: int
    time: str  # HH:MM
    frequency: str  # daily, weekdays, weekly
    timezone: str
    last_sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class DigestCandidate:
    story_key: str  # one story: "s<story id>" for merged coverage, else "i<item id>"
    title: str
    url: str | None
    summary: str
    brief_json: str | None
    sources: int
    newest: datetime
    # The same story posted in other channels (a feed followed in several): one digest line.
    also_keys: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.story_key, *self.also_keys)


class DigestStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    @wrapped
    def get(self, guild_id: int) -> DigestSchedule | None:
        """The guild's schedule, or None. Raises StorageError."""
        row = next(self._db.query("SELECT * FROM digests WHERE guild_id = ?", [guild_id]), None)
        return None if row is None else _schedule(row)

    @wrapped
    def all(self) -> list[DigestSchedule]:
        """Every guild's schedule. Raises StorageError."""
        return [_schedule(row) for row in self._db.query("SELECT * FROM digests")]

    @wrapped
    def set(
        self,
        guild_id: int,
        *,
        channel_id: int,
        time: str,
        frequency: str,
        timezone: str,
        now: datetime,
    ) -> DigestSchedule:
        """Create or replace the guild's schedule. Raises StorageError."""
        self._db.execute(
            """INSERT INTO digests (guild_id, channel_id, time, frequency, timezone, created_at,
                                    last_sent_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id,
                 time = excluded.time, frequency = excluded.frequency,
                 timezone = excluded.timezone,
                 last_sent_at = COALESCE(digests.last_sent_at, excluded.last_sent_at)""",
            [guild_id, channel_id, time, frequency, timezone, to_db(now), to_db(now)],
        )
        schedule = self.get(guild_id)
        assert schedule is not None
        return schedule

    @wrapped
    def delete(self, guild_id: int) -> bool:
        """Remove the guild's schedule; whether there was one. Raises StorageError."""
        return self._db.execute("DELETE FROM digests WHERE guild_id = ?", [guild_id]).rowcount > 0

    @wrapped
    def candidates(self, guild_id: int, since: datetime, until: datetime) -> list[DigestCandidate]:
        """The guild's stories first seen in [since, until) that no digest carried yet, one row
        per story with its coverage (how many feeds carried it); a story posted in several
        channels is one row. Raises StorageError."""
        # The `+` keep SQLite off the guild and state indexes: it walks the period's items by
        # first_seen and looks their deliveries up by item, and each story's first item is
        # joined, not fetched one query each. A week of a guild with 530,000 deliveries and
        # 7,700 stories: 710 -> 105 ms; a day mid-archive: 285 -> 3 ms.
        rows = self._db.query(
            f"""SELECT c.story_key, c.first_item, c.sources, c.newest,
                       i.title, i.url, i.summary, i.brief_json
                FROM (SELECT COALESCE('s' || d.story_id, 'i' || i.id) AS story_key,
                             MIN(i.id) AS first_item, COUNT(DISTINCT i.feed_id) AS sources,
                             MAX(i.first_seen_at) AS newest
                      FROM deliveries d JOIN items i ON i.id = d.item_id
                      WHERE +d.guild_id = :guild AND +d.state IN {_DIGESTIBLE}
                        AND i.first_seen_at >= :since AND i.first_seen_at < :until
                      GROUP BY story_key
                      HAVING COALESCE('s' || d.story_id, 'i' || i.id) NOT IN
                        (SELECT story_key FROM digest_entries WHERE guild_id = :guild)) c
                JOIN items i ON i.id = c.first_item
                ORDER BY c.story_key""",
            {"guild": guild_id, "since": to_db(since), "until": to_db(until)},
        )
        found: dict[int, DigestCandidate] = {}
        for row in rows:
            same = found.get(row["first_item"])
            if same is not None:  # one story posted in two channels
                found[row["first_item"]] = replace(
                    same,
                    also_keys=(*same.also_keys, row["story_key"]),
                    sources=max(same.sources, row["sources"]),
                    newest=max(same.newest, from_db_required(row["newest"])),
                )
                continue
            found[row["first_item"]] = DigestCandidate(
                story_key=row["story_key"],
                title=row["title"],
                url=row["url"],
                summary=row["summary"],
                brief_json=row["brief_json"],
                sources=row["sources"],
                newest=from_db_required(row["newest"]),
            )
        return list(found.values())

    @wrapped
    def record_sent(self, guild_id: int, story_keys: list[str], now: datetime) -> None:
        """Remember the stories a digest carried and when it went out. Raises StorageError."""
        with self._db.atomic():
            for key in story_keys:
                self._db.execute(
                    "INSERT INTO digest_entries (guild_id, story_key, sent_at) "
                    "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [guild_id, key, to_db(now)],
                )
            self._db.execute(
                "UPDATE digests SET last_sent_at = ? WHERE guild_id = ?", [to_db(now), guild_id]
            )


def _schedule(row: dict[str, object]) -> DigestSchedule:
    return DigestSchedule(
        guild_id=int(row["guild_id"]),  # type: ignore[call-overload]
        channel_id=int(row["channel_id"]),  # type: ignore[call-overload]
        time=str(row["time"]),
        frequency=str(row["frequency"]),
        timezone=str(row["timezone"]),
        last_sent_at=from_db(row["last_sent_at"]),  # type: ignore[arg-type]
    )
