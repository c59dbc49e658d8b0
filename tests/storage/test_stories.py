"""storage.stories: candidates of one channel, and coverage that names each other source
once and never the post's own (#19)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from storage import Storage
from storage.models import DeliveryState, NewItem, Source
from storage.storage import Subscription
from tests.models import make_new_item

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def posted(_item: NewItem, _source: Source) -> tuple[DeliveryState, str | None]:
    return "pending", None


@pytest.fixture
def store(database: str) -> Iterator[Storage]:
    """Guild 1: feeds 1-3 ("Wire", "Daily", "Wire" again: two feeds, one name) post to
    channel 10, feed 4 to channel 20; one item each."""
    store = Storage(database)
    for number, (name, channel) in enumerate(
        (("Wire", 10), ("Daily", 10), ("Wire", 10), ("Other", 20)), start=1
    ):
        store.subscribe(
            Subscription(
                guild_id=1,
                channel_id=channel,
                url=f"https://example.com/feed{number}",
                name=name,
                feed_title=name,
                site_url=None,
                interval_seconds=900,
                first_due_at=NOW,
            ),
            [],
            route=posted,
            now=NOW - timedelta(days=1),
        )
        item = make_new_item(f"i{number}", title=f"t{number}", url=f"https://e.com/{number}")
        store.items.store(number, [item], now=NOW, route=posted)
    yield store
    store.close()


def deliveries(store: Storage) -> dict[int, int]:
    """Feed number to its delivery id."""
    rows = store.db.execute(
        "SELECT i.feed_id, d.id FROM deliveries d JOIN items i ON i.id = d.item_id"
    ).fetchall()
    return {int(feed): int(delivery) for feed, delivery in rows}


def test_candidates_of_one_channel_carry_their_story(store: Storage) -> None:
    d = deliveries(store)
    since = NOW - timedelta(days=2)
    everything = store.stories.candidates(1, max(d.values()) + 1, since)
    assert {c.delivery_id for c in everything} == set(d.values())
    mine = store.stories.candidates(1, max(d.values()) + 1, since, 10)
    assert {c.delivery_id for c in mine} == {d[1], d[2], d[3]}
    assert all(c.story_delivery_id == c.delivery_id for c in mine)
    store.stories.merge(d[2], d[1], 1, NOW)
    merged = {c.delivery_id: c for c in store.stories.candidates(1, d[4] + 1, since, 10)}
    assert merged[d[2]].story_delivery_id == d[1] == merged[d[1]].story_delivery_id


def test_coverage_names_each_other_source_once_never_its_own(store: Storage) -> None:
    d = deliveries(store)
    store.stories.merge(d[2], d[1], 1, NOW)
    store.stories.merge(d[3], d[1], 1, NOW)  # another feed that goes by the post's name
    assert [c.source_name for c in store.stories.coverage(d[1])] == ["Daily"]


def test_an_unmerged_item_goes_back_to_the_outbox_once(store: Storage) -> None:
    from storage.stories import UNMERGED

    d = deliveries(store)
    store.stories.merge(d[2], d[1], 1, NOW)
    store.stories.edited(1)
    source_id, item_id = store.db.execute(
        "SELECT source_id, item_id FROM deliveries WHERE id = ?", [d[2]]
    ).fetchone()
    found = store.stories.merged_items(source_id, "T2")
    assert [m.item_id for m in found] == [item_id]
    assert store.stories.merged_items(source_id, str(item_id)) == found
    assert store.stories.merged_items(source_id, "nothing like it") == []
    assert store.stories.unmerge(source_id, item_id)
    state, reason, story = store.db.execute(
        "SELECT state, reason, story_id FROM deliveries WHERE id = ?", [d[2]]
    ).fetchone()
    assert (state, reason, story) == ("pending", UNMERGED, None)
    assert store.stories.coverage(d[1]) == []
    # The first post is edited again (its footer loses the source), and only once unmerged.
    assert store.db.execute("SELECT needs_edit FROM stories").fetchone()[0] == 1
    assert not store.stories.unmerge(source_id, item_id)
    assert store.stories.merged_items(source_id, "") == []
