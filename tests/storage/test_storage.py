"""The data-access layer against a real SQLite file."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.pipeline.route import route
from storage import Storage
from storage.errors import RecordAmbiguous, RecordExists, RecordNotFound, StorageError
from storage.migrations import MIGRATIONS, migrate, pending
from storage.models import NewItem
from storage.storage import Subscription
from tests.models import make_new_item

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def item(n: int, *, published: datetime | None = None) -> NewItem:
    return make_new_item(
        f"guid:{n}",
        guid=str(n),
        title=f"Story {n}",
        url=f"https://example.com/{n}",
        summary=f"Summary {n}",
        content=f"Content {n}",
        published_at=published or NOW - timedelta(hours=10 - n),
    )


def subscription(
    guild: int = 1,
    channel: int = 10,
    url: str = "https://example.com/feed",
    backfill: int = 0,
    **kw: object,
) -> Subscription:
    return Subscription(
        guild_id=guild,
        channel_id=channel,
        url=url,
        name=kw.pop("name", "Example"),  # type: ignore[arg-type]
        feed_title="Example feed",
        site_url=None,
        interval_seconds=900,
        first_due_at=NOW,
        backfill=backfill,
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def store(database: str) -> Iterator[Storage]:
    s = Storage(database)
    yield s
    s.close()


def test_migrations_run_once_and_are_recorded(store: Storage, backend: str) -> None:
    assert pending(store.db) == []
    assert migrate(store.db) == []
    names = [r["name"] for r in store.db.query("SELECT name FROM _migrations ORDER BY name")]
    assert names == [name for name, _ in MIGRATIONS]
    if backend == "sqlite":
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.integrity_ok()


def test_a_database_opened_again_runs_no_migration(database: str) -> None:
    Storage(database).close()
    again = Storage(database)
    assert pending(again.db) == [] and migrate(again.db) == []
    again.close()


def test_a_failing_migration_leaves_no_trace(store: Storage) -> None:
    s = store

    def broken(db: object) -> None:
        s.db.execute("CREATE TABLE half_done (x INTEGER)")
        raise sqlite3.OperationalError("boom")

    with pytest.raises(StorageError):
        migrate(s.db, [*MIGRATIONS, ("0099_broken", broken)])
    assert "half_done" not in s.db.table_names()
    assert pending(s.db, [*MIGRATIONS, ("0099_broken", broken)]) == ["0099_broken"]


def test_first_sight_marks_everything_seen_but_the_backfill(store: Storage) -> None:
    items = [item(n) for n in range(1, 6)]
    source, result = store.subscribe(subscription(backfill=2), items, route=route, now=NOW)
    assert result.new_items == 5 and result.pending == 2
    due = store.deliveries.due(NOW)
    assert [o.item.title for o in due] == ["Story 4", "Story 5"]
    assert all(o.source.id == source.id for o in due)


@pytest.mark.parametrize(("present", "backfill"), [(8, 10), (9, 10), (10, 10), (3, 5)])
def test_a_backfill_larger_than_the_feed_posts_every_item(
    store: Storage, present: int, backfill: int
) -> None:
    items = [item(n) for n in range(1, present + 1)]
    _, result = store.subscribe(subscription(backfill=backfill), items, route=route, now=NOW)
    assert result.pending == present
    assert [o.item.title for o in store.deliveries.due(NOW)] == [
        f"Story {n}" for n in range(1, present + 1)
    ]


def test_new_items_reach_every_source_of_the_feed_once(store: Storage) -> None:
    store.subscribe(subscription(guild=1, channel=10), [item(1)], route=route, now=NOW)
    store.subscribe(subscription(guild=2, channel=20), [item(1)], route=route, now=NOW)
    feed = store.feeds.get_by_url("https://example.com/feed")
    assert feed is not None
    result = store.items.store(feed.id, [item(2), item(3)], now=NOW, route=route)
    assert result == type(result)(new_items=2, pending=4)
    again = store.items.store(feed.id, [item(2), item(3)], now=NOW, route=route)
    assert again.new_items == 0 and again.pending == 0
    due = store.deliveries.due(NOW)
    assert sorted((o.delivery.channel_id, o.item.title) for o in due) == [
        (10, "Story 2"),
        (10, "Story 3"),
        (20, "Story 2"),
        (20, "Story 3"),
    ]


def test_stored_items_are_indexed_once_in_feed_order(store: Storage, backend: str) -> None:
    # More items than one multi-row INSERT holds, one key repeated: the first copy wins.
    items = [item(n) for n in range(120)]
    items.insert(50, dataclasses.replace(item(7), title="A later copy of story 7"))
    store.subscribe(subscription(), items[:60], route=route, now=NOW)
    feed = store.feeds.get_by_url("https://example.com/feed")
    assert feed is not None
    result = store.items.store(feed.id, items, now=NOW, route=route)
    assert result.new_items == 120 - 59
    rows = store.db.execute("SELECT id, title FROM items ORDER BY id").fetchall()
    assert [title for _, title in rows] == [f"Story {n}" for n in range(120)]
    if backend == "postgresql":
        # The tsvector column follows every write, a brief stored later too.
        match = "SELECT id FROM items WHERE search @@ to_tsquery('english', ?) ORDER BY id"
        assert store.db.execute(match, ["content & 119"]).fetchall() == [(rows[-1][0],)]
        store.items.set_brief(rows[0][0], "{}", "a brief about quantum batteries")
        assert store.db.execute(match, ["quantum"]).fetchall() == [(rows[0][0],)]
        return
    indexed = store.db.execute("SELECT rowid FROM items_fts ORDER BY rowid").fetchall()
    assert [rowid for (rowid,) in indexed] == [item_id for item_id, _ in rows]
    hits = store.db.execute(
        "SELECT rowid FROM items_fts WHERE items_fts MATCH 'content AND 119'"
    ).fetchall()
    assert hits == [(rows[-1][0],)]
    # The index agrees with the items (FTS5 raises otherwise), also after a brief is stored.
    store.items.set_brief(rows[0][0], "{}", "a brief about quantum batteries")
    store.db.execute("INSERT INTO items_fts (items_fts, rank) VALUES ('integrity-check', 1)")
    assert store.db.execute(
        "SELECT rowid FROM items_fts WHERE items_fts MATCH 'quantum'"
    ).fetchall() == [(rows[0][0],)]


def test_a_channel_follows_a_feed_once_and_other_channels_may_too(store: Storage) -> None:
    news, _ = store.subscribe(subscription(name="Wire"), [item(1)], route=route, now=NOW)
    with pytest.raises(RecordExists):
        store.subscribe(subscription(name="Again"), [item(1)], route=route, now=NOW)
    tech, _ = store.subscribe(
        subscription(channel=11, name="Wire"), [item(1)], route=route, now=NOW
    )
    assert store.sources.count(1) == 2 and news.feed_id == tech.feed_id
    # Each channel gets its own delivery of a new item.
    store.items.store(news.feed_id, [item(2)], now=NOW, route=route)
    assert sorted(o.delivery.channel_id for o in store.deliveries.due(NOW)) == [10, 11]
    # Its name or URL now names two sources: the lookup says which channels, never guesses.
    for text in ("wire", "https://example.com/feed"):
        with pytest.raises(RecordAmbiguous) as ambiguous:
            store.sources.find(1, text)
        assert ambiguous.value.channels == {news.id: 10, tech.id: 11}
    assert store.sources.find(1, str(tech.id)).channel_id == 11
    # Moving a source to a channel that already gets the feed is refused the same way.
    with pytest.raises(RecordExists):
        store.sources.update(1, tech.id, channel_id=10)
    assert store.sources.get(1, tech.id).channel_id == 11
    store.sources.remove(1, news.id, NOW)
    assert store.sources.update(1, tech.id, channel_id=10).channel_id == 10


def test_sources_are_scoped_to_their_guild(store: Storage) -> None:
    source, _ = store.subscribe(subscription(guild=1), [item(1)], route=route, now=NOW)
    assert store.sources.find(1, "example").id == source.id
    assert store.sources.find(1, str(source.id)).id == source.id
    with pytest.raises(RecordNotFound):
        store.sources.get(2, source.id)
    with pytest.raises(RecordNotFound):
        store.sources.find(2, str(source.id))
    assert store.sources.matching(2, "") == []
    assert [s.id for s in store.sources.matching(1, "exa")] == [source.id]


def test_a_retrying_delivery_holds_back_its_channel_to_keep_order(store: Storage) -> None:
    items = [item(n) for n in range(1, 4)]
    store.subscribe(subscription(backfill=3), items, route=route, now=NOW)
    first, second, third = store.deliveries.due(NOW)
    store.deliveries.retry_later(first.delivery.id, "503", NOW + timedelta(minutes=1))
    assert store.deliveries.due(NOW) == []
    later = store.deliveries.due(NOW + timedelta(minutes=2))
    assert [o.delivery.id for o in later] == [
        first.delivery.id,
        second.delivery.id,
        third.delivery.id,
    ]
    store.deliveries.mark_sent(first.delivery.id, 555, NOW)
    assert [o.delivery.id for o in store.deliveries.due(NOW)] == [
        second.delivery.id,
        third.delivery.id,
    ]
    assert store.deliveries.sent_messages(10) == [(first.delivery.id, 555)]


def test_paused_removed_and_blocked_sources_hold_their_deliveries(store: Storage) -> None:
    source, _ = store.subscribe(subscription(backfill=1), [item(1)], route=route, now=NOW)
    store.sources.update(1, source.id, paused_at=NOW)
    assert store.deliveries.due(NOW) == []
    store.sources.update(1, source.id, paused_at=None)
    assert len(store.deliveries.due(NOW)) == 1
    assert [s.id for s in store.sources.set_channel_error(10, "gone")] == [source.id]
    assert store.sources.set_channel_error(10, "gone") == []  # no change the second time
    assert store.deliveries.due(NOW) == []
    store.sources.set_channel_error(10, None)
    store.unsubscribe(1, source.id, NOW)
    assert store.deliveries.due(NOW) == []
    assert store.sources.count(1) == 0


def test_feed_failures_back_off_and_gone_feeds_pause_their_sources(store: Storage) -> None:
    source, _ = store.subscribe(subscription(), [item(1)], route=route, now=NOW)
    feed_id = source.feed_id
    failed = store.feeds.record_failure(
        feed_id, now=NOW, next_due_at=NOW + timedelta(hours=1), message="500", status=500
    )
    assert failed.failing_since == NOW and failed.failure_count == 1
    assert store.feeds.due(NOW) == []
    before = store.feeds.record_success(
        feed_id, now=NOW, next_due_at=NOW, etag='"x"', last_modified=None, body_hash="h"
    )
    assert before.failing_since == NOW
    assert store.feeds.get(feed_id).failing_since is None
    store.feeds.record_failure(
        feed_id, now=NOW, next_due_at=NOW, message="410 Gone", status=410, gone=True
    )
    assert store.sources.get(1, source.id).paused_at == NOW
    assert store.feeds.due(NOW) == []
    assert [e.message for e in store.feeds.recent_errors(feed_id)] == ["410 Gone", "500"]


def test_naive_datetimes_are_refused(store: Storage) -> None:
    with pytest.raises(ValueError):
        store.feeds.set_next_due(1, datetime(2026, 1, 1))


def test_driver_errors_become_storage_errors(store: Storage) -> None:
    store.db.execute("DROP TABLE counters")
    with pytest.raises(StorageError):
        store.meta.increment("x")


def test_meta_values_and_counters(store: Storage) -> None:
    assert store.meta.get("k") is None
    store.meta.set("k", "one")
    store.meta.set("k", "two")
    assert store.meta.get("k") == "two"
    store.meta.increment("polls")
    store.meta.increment("polls", 2)
    store.meta.increment("posts", 2**40)  # wider than 32 bits
    assert store.meta.counters() == {"polls": 3, "posts": 2**40}


def test_a_file_that_is_not_a_database_is_a_storage_error(tmp_path: Path) -> None:
    # SQLite only: a PostgreSQL server that cannot be reached is test_an_unreachable_server...
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError):
        Storage(path)


def test_status_counts(store: Storage) -> None:
    _source, _ = store.subscribe(subscription(backfill=1), [item(1), item(2)], route=route, now=NOW)
    status = store.guilds.status(1, NOW)
    assert (status.sources_ok, status.items_stored, status.deliveries_waiting) == (1, 2, 1)
    assert store.guilds.status(2, NOW).items_stored == 0


def test_the_fetch_that_adds_a_source_is_its_feeds_last_poll(store: Storage) -> None:
    # #17: /source list said "last poll never" for sources an import had just fetched.
    store.subscribe(subscription(), [item(1)], route=route, now=NOW)
    feed = store.feeds.get_by_url("https://example.com/feed")
    assert feed is not None and feed.last_polled_at == NOW and feed.last_ok_at == NOW
    (status,) = store.sources.statuses(1)
    assert status.feed.last_polled_at == NOW
    # Another guild adding the same feed later fetched it again.
    later = NOW + timedelta(hours=1)
    store.subscribe(subscription(guild=2, channel=20), [item(1)], route=route, now=later)
    assert store.feeds.get(feed.id).last_polled_at == later
    # An older fetch never moves the last poll back.
    store.subscribe(subscription(guild=3, channel=30), [item(1)], route=route, now=NOW)
    assert store.feeds.get(feed.id).last_polled_at == later
