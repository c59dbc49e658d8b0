"""Work shared by several processes on one database (#21): feed claims, locks, and each
process's own guilds. On SQLite there is one process, which gets all of it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from storage import Storage
from storage.models import DeliveryState, NewItem, Shards, Source
from storage.storage import Subscription
from tests.models import make_new_item

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
SHARD_0 = 0 << 22  # a guild id on shard 0 of 2
SHARD_1 = 1 << 22  # and one on shard 1


def posted(_item: NewItem, _source: Source) -> tuple[DeliveryState, str | None]:
    return "pending", None


def sub(n: int, guild: int = 1) -> Subscription:
    return Subscription(
        guild_id=guild,
        channel_id=10 + guild,
        url=f"https://example.com/feed{n}",
        name=f"Feed {n}",
        feed_title=f"Feed {n}",
        site_url=None,
        interval_seconds=900,
        first_due_at=NOW,
    )


@pytest.fixture
def stores(database: str) -> Iterator[tuple[Storage, Storage]]:
    """Two processes' connections to one database (two opens of one file on SQLite)."""
    first, second = Storage(database), Storage(database)
    yield first, second
    first.close()
    second.close()


def test_two_processes_never_claim_the_same_feed(
    stores: tuple[Storage, Storage], backend: str
) -> None:
    one, two = stores
    for n in range(6):
        one.subscribe(sub(n), [], route=posted, now=NOW)
    mine = one.feeds.claim_due(NOW, LEASE, limit=4)
    theirs = two.feeds.claim_due(NOW, LEASE, limit=4)
    if backend == "sqlite":  # one process: claiming is reading what is due
        assert len(mine) == len(theirs) == 4
        return
    assert len(mine) == 4 and len(theirs) == 2
    assert not {f.id for f in mine} & {f.id for f in theirs}
    assert two.feeds.claim_due(NOW, LEASE) == []
    # A process that died holds its claims no longer than the lease.
    later = NOW + LEASE + timedelta(seconds=1)
    assert len(two.feeds.claim_due(later, LEASE)) == 6
    # A process stopping hands its claims back: due again at once, for anyone.
    one.feeds.release([f.id for f in mine], later)
    assert sorted(f.id for f in two.feeds.claim_due(later, LEASE)) == sorted(f.id for f in mine)


def test_a_lock_is_held_by_one_process_until_released_or_gone(database: str, backend: str) -> None:
    one, two = Storage(database), Storage(database)
    try:
        assert one.locks.try_hold("follow-dms")
        assert one.locks.try_hold("follow-dms")  # asking again while holding it
        assert two.locks.try_hold("follow-dms") is (backend == "sqlite")
        assert two.locks.try_hold("command-sync")  # another lock is another matter
        one.locks.release("follow-dms")
        assert two.locks.try_hold("follow-dms")
        assert one.locks.try_hold("command-sync") is (backend == "sqlite")
    finally:
        one.close()
    three = Storage(database)
    try:
        two.close()  # a process that is gone holds nothing
        assert three.locks.try_hold("command-sync") and three.locks.try_hold("follow-dms")
    finally:
        three.close()


def test_each_process_delivers_only_its_shards_guilds(stores: tuple[Storage, Storage]) -> None:
    store, _ = stores
    for n, guild in enumerate((SHARD_0, SHARD_1)):
        source, _ = store.subscribe(sub(n, guild=guild), [], route=posted, now=NOW)
        store.items.store(source.feed_id, [make_new_item(f"i{n}")], now=NOW, route=posted)
    everything = store.deliveries.due(NOW)
    first = store.deliveries.due(NOW, shards=Shards(2, (0,)))
    second = store.deliveries.due(NOW, shards=Shards(2, (1,)))
    assert [o.delivery.guild_id for o in first] == [SHARD_0]
    assert [o.delivery.guild_id for o in second] == [SHARD_1]
    assert len(everything) == 2 == len(store.deliveries.due(NOW, shards=Shards(2, (0, 1))))
    assert Shards(2, (1,)).owns(SHARD_1) and not Shards(2, (1,)).owns(SHARD_0)
