"""Reads about recent items must not do work in proportion to a guild's whole history.

SQLite picks query plans without statistics here, and twice it chose an index that read
every delivery of the guild (docs/performance.md). Work is counted in SQLite virtual-machine
steps (a progress handler), not timed: the same queries on a guild with ten times the old
history must cost about the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import Storage
from storage.models import DeliveryState, NewItem, Source
from storage.storage import Subscription
from tests.models import make_new_item

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
STEP = 100


def news(prefix: str, count: int, words: str) -> list[NewItem]:
    return [
        make_new_item(
            f"{prefix}{n}",
            title=f"{words} {n}",
            url=f"https://example.com/{prefix}{n}",
            summary=f"{words} summary {n}",
        )
        for n in range(count)
    ]


def skipped(_item: NewItem, _source: Source) -> tuple[DeliveryState, str | None]:
    return "skipped", "history"


def posted(_item: NewItem, _source: Source) -> tuple[DeliveryState, str | None]:
    return "pending", None


def archive(path: Path, history: int) -> Storage:
    """Guild 1 follows feeds 1 and 2, guild 2 follows feed 3. `history` old items per
    feed (a month back, delivered to the guilds as skipped), then 10 fresh ones today."""
    store = Storage(path)
    for number, guild in ((1, 1), (2, 1), (3, 2)):
        store.subscribe(
            Subscription(
                guild_id=guild,
                channel_id=10 * guild,
                url=f"https://example.com/feed{number}",
                name=f"Feed {number}",
                feed_title=f"Feed {number}",
                site_url=None,
                interval_seconds=900,
                first_due_at=NOW,
            ),
            [],
            route=skipped,
            now=NOW - timedelta(days=40),
        )
    for start in range(0, history, 500):
        old = NOW - timedelta(days=30) + timedelta(seconds=start)
        for feed in (1, 2, 3):
            batch = news(f"old{feed}-{start}-", min(500, history - start), "market budget")
            store.items.store(feed, batch, now=old, route=skipped)
    for feed in (1, 2, 3):
        store.items.store(feed, news(f"new{feed}-", 10, "zebra rally"), now=NOW, route=posted)
    return store


def steps(store: Storage, call: Callable[[], object]) -> int:
    count = 0

    def tick() -> int:
        nonlocal count
        count += 1
        return 0  # go on

    store.db.conn.set_progress_handler(tick, STEP)
    try:
        call()
    finally:
        store.db.conn.set_progress_handler(None, STEP)
    return count * STEP


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Storage, Storage]]:
    small = archive(tmp_path_factory.mktemp("small") / "db.sqlite", 200)
    large = archive(tmp_path_factory.mktemp("large") / "db.sqlite", 2000)
    yield small, large
    small.close()
    large.close()


def last_delivery(store: Storage) -> int:
    return int(store.db.execute("SELECT MAX(id) FROM deliveries").fetchone()[0]) + 1


READS: dict[str, Callable[[Storage], object]] = {
    "search": lambda s: s.search.search(1, "zebra", now=NOW),
    "search of the last days": lambda s: s.search.search(1, "zebra", now=NOW, days=2),
    "a period (digest, trending)": lambda s: s.search.period(1, NOW - timedelta(days=1)),
    "the background before a period": lambda s: s.search.before(1, NOW, limit=20),
    "the latest stories": lambda s: s.search.latest(1, limit=10),
    "digest candidates": lambda s: s.digests.candidates(
        1, NOW - timedelta(days=1), NOW + timedelta(hours=1)
    ),
    "story candidates": lambda s: s.stories.candidates(
        1, last_delivery(s), NOW - timedelta(days=1)
    ),
    "waiting deliveries": lambda s: s.deliveries.waiting(1),
}


@pytest.mark.parametrize("name", READS)
def test_recent_reads_cost_the_same_with_ten_times_the_history(
    stores: tuple[Storage, Storage], name: str
) -> None:
    small, large = stores
    read = READS[name]
    found = read(small)
    assert found  # the fresh items (or, before a period, the old ones) are there
    assert found == read(large) if isinstance(found, int) else len(found) == len(read(large))
    small_steps, large_steps = steps(small, lambda: read(small)), steps(large, lambda: read(large))
    # 10x the old deliveries: a plan that reads the guild's history costs several times more.
    assert large_steps <= 2 * small_steps + 2000, (small_steps, large_steps)
