"""Follows: matching new items through the cursor, the DM outbox, DM state, isolation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.pipeline.route import route
from storage import Storage
from storage.errors import RecordExists, RecordLimit, RecordNotFound
from storage.models import NewItem
from storage.storage import Subscription
from tests.models import make_new_item

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
EVERY = timedelta(minutes=10)
ALICE, BOB, CAROL = 101, 102, 103


def item(key: str, title: str, summary: str = "", content: str = "") -> NewItem:
    return make_new_item(key, title=title, summary=summary, content=content, published_at=NOW)


def sub(guild: int, url: str) -> Subscription:
    return Subscription(
        guild_id=guild,
        channel_id=10 * guild,
        url=url,
        name=f"Feed {guild}",
        feed_title="Feed",
        site_url=None,
        interval_seconds=900,
        first_due_at=NOW,
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Storage]:
    s = Storage(tmp_path / "f.db")
    yield s
    s.close()


def feed(store: Storage, guild: int, url: str, backlog: list[NewItem]) -> int:
    source, _ = store.subscribe(sub(guild, url), backlog, route=route, now=NOW)
    return source.feed_id


def titles(batch: object) -> list[str]:
    return [m.title for m in batch.matches]  # type: ignore[attr-defined]


def test_new_items_match_follows_once_and_the_backlog_never(store: Storage) -> None:
    feed_id = feed(store, 1, "https://a.example/f", [item("old", "Old chip news")])
    store.follows.add(1, ALICE, "chip", limit=20, now=NOW - timedelta(minutes=1))
    store.follows.add(1, BOB, "open-weight models", limit=20, now=NOW - timedelta(minutes=1))
    assert store.follows.match_new(NOW) == 0  # the backlog was there before: not new
    store.items.store(
        feed_id,
        [
            item("n1", "New chip plant opens"),
            item("n2", "Open-weight models get a licence", summary="Weights for everyone"),
            item("n3", "Weather today", content="a chip mentioned only deep in the text"),
        ],
        now=NOW + timedelta(seconds=1),
        route=route,
    )
    assert store.follows.match_new(NOW) == 2
    assert store.follows.match_new(NOW) == 0  # the cursor moved: nothing twice
    batches = {b.user_id: b for b in store.follows.claim_batches(NOW, every=EVERY)}
    assert titles(batches[ALICE]) == ["New chip plant opens"]
    assert titles(batches[BOB]) == ["Open-weight models get a licence"]
    assert batches[BOB].matches[0].keywords == "open-weight models"
    for batch in batches.values():
        store.follows.mark_sent(batch, NOW)
    assert store.follows.claim_batches(NOW, every=EVERY) == []


def test_one_dm_per_member_per_interval_with_everything_that_waited(store: Storage) -> None:
    feed_id = feed(store, 1, "https://a.example/f", [])
    store.follows.add(1, ALICE, "chip", limit=20, now=NOW)
    store.items.store(feed_id, [item("1", "Chip one")], now=NOW, route=route)
    store.follows.match_new(NOW)
    (first,) = store.follows.claim_batches(NOW, every=EVERY)
    store.follows.mark_sent(first, NOW)
    for n in (2, 3):
        store.items.store(feed_id, [item(str(n), f"Chip {n}")], now=NOW, route=route)
        store.follows.match_new(NOW)
        assert store.follows.claim_batches(NOW + timedelta(minutes=n), every=EVERY) == []
    (second,) = store.follows.claim_batches(NOW + timedelta(minutes=10), every=EVERY)
    assert titles(second) == ["Chip 2", "Chip 3"]


def test_a_batch_interrupted_by_a_crash_is_sent_again_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    store = Storage(path)
    feed_id = feed(store, 1, "https://a.example/f", [])
    store.follows.add(1, ALICE, "chip", limit=20, now=NOW)
    store.items.store(feed_id, [item("1", "Chip one")], now=NOW, route=route)
    store.follows.match_new(NOW)
    (claimed,) = store.follows.claim_batches(NOW, every=EVERY)
    store.close()  # crash before mark_sent
    store = Storage(path)
    store.items.store(feed_id, [item("2", "Chip two")], now=NOW, route=route)
    store.follows.match_new(NOW)
    (again,) = store.follows.claim_batches(NOW, every=EVERY)
    assert again.ids == claimed.ids and again.first_id == claimed.first_id
    store.follows.mark_sent(again, NOW)
    (later,) = store.follows.claim_batches(NOW + EVERY, every=EVERY)
    assert titles(later) == ["Chip two"]
    store.close()


def test_closed_dms_keep_follows_and_are_noted_once(store: Storage) -> None:
    feed_id = feed(store, 1, "https://a.example/f", [])
    store.follows.add(1, CAROL, "chip", limit=20, now=NOW)
    store.items.store(feed_id, [item("1", "Chip one")], now=NOW, route=route)
    store.follows.match_new(NOW)
    (batch,) = store.follows.claim_batches(NOW, every=EVERY)
    store.follows.mark_dms_closed(batch, NOW)
    store.items.store(feed_id, [item("2", "Chip two")], now=NOW, route=route)
    assert store.follows.match_new(NOW) == 0  # not piled up while DMs are closed
    assert [f.keywords for f in store.follows.of_member(1, CAROL)] == ["chip"]
    assert store.follows.take_dm_note(1, CAROL) == NOW
    assert store.follows.take_dm_note(1, CAROL) is None
    store.items.store(feed_id, [item("3", "Chip three")], now=NOW, route=route)
    assert store.follows.match_new(NOW) == 1  # tried again after the note


def test_follows_are_per_guild(store: Storage) -> None:
    feed_a = feed(store, 1, "https://a.example/f", [])
    feed(store, 2, "https://b.example/f", [])
    store.follows.add(2, ALICE, "chip", limit=20, now=NOW)
    store.items.store(feed_a, [item("1", "Chip in guild 1 only")], now=NOW, route=route)
    assert store.follows.match_new(NOW) == 0
    assert store.follows.of_member(1, ALICE) == []
    with pytest.raises(RecordNotFound):
        store.follows.remove(1, ALICE, "chip")


def test_limits_duplicates_and_unfollow(store: Storage) -> None:
    for n in range(3):
        store.follows.add(1, ALICE, f"topic {n}", limit=3, now=NOW)
    with pytest.raises(RecordLimit):
        store.follows.add(1, ALICE, "one more", limit=3, now=NOW)
    with pytest.raises(RecordExists):
        store.follows.add(1, ALICE, "topic 1", limit=30, now=NOW)
    store.follows.remove(1, ALICE, "topic 1")
    assert [f.keywords for f in store.follows.of_member(1, ALICE)] == ["topic 0", "topic 2"]


def test_unfollow_withdraws_waiting_matches_unless_another_follow_matches(
    store: Storage,
) -> None:
    feed_id = feed(store, 1, "https://a.example/f", [])
    store.follows.add(1, ALICE, "chip", limit=20, now=NOW)
    store.follows.add(1, ALICE, "plant", limit=20, now=NOW)
    store.items.store(
        feed_id,
        [item("1", "Chip only"), item("2", "Chip plant")],
        now=NOW,
        route=route,
    )
    store.follows.match_new(NOW)
    store.follows.remove(1, ALICE, "chip")
    (batch,) = store.follows.claim_batches(NOW, every=EVERY)
    assert titles(batch) == ["Chip plant"] and batch.matches[0].keywords == "plant"
