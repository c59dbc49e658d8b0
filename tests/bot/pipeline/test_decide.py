from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bot.pipeline import decide
from bot.pipeline.parse import ParsedItem

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
RNG = random.Random(7)


def parsed(key: str, published: datetime | None) -> ParsedItem:
    return ParsedItem(
        key=key,
        guid=None,
        title=key,
        link=None,
        summary="",
        content="",
        author=None,
        image_url=None,
        published=published,
        updated=None,
        tags=(),
    )


def test_new_items_are_unknown_keys_oldest_first() -> None:
    items = [
        parsed("c", NOW),
        parsed("b", NOW - timedelta(hours=1)),
        parsed("a", NOW - timedelta(hours=2)),
    ]
    assert [i.key for i in decide.new_items(items, known={"b"})] == ["a", "c"]


def test_undated_items_keep_feed_order_read_newest_first() -> None:
    items = [parsed("newest", None), parsed("middle", None), parsed("oldest", None)]
    assert [i.key for i in decide.new_items(items, set())] == ["oldest", "middle", "newest"]


def test_redated_items_are_not_new() -> None:
    items = [parsed("a", NOW + timedelta(days=3)), parsed("b", NOW - timedelta(days=300))]
    assert decide.new_items(items, known={"a", "b"}) == []


def test_next_poll_honours_the_largest_hint_capped_at_a_day() -> None:
    base = decide.next_poll(NOW, interval=600, rng=RNG)
    assert NOW + timedelta(seconds=600) <= base <= NOW + timedelta(seconds=660)
    ttl = decide.next_poll(NOW, interval=600, ttl=3600, max_age=1200, rng=RNG)
    assert ttl >= NOW + timedelta(seconds=3600)
    capped = decide.next_poll(NOW, interval=600, retry_after=10 * 86400, rng=RNG)
    assert capped <= NOW + timedelta(days=1, seconds=60)


def test_backoff_doubles_and_caps_at_a_day() -> None:
    waits = [
        (decide.backoff(NOW, interval=600, failures=n, rng=RNG) - NOW).total_seconds()
        for n in range(1, 12)
    ]
    assert 540 <= waits[0] <= 660
    assert 1080 <= waits[1] <= 1320
    assert all(w <= 86400 * 1.1 for w in waits)
    assert waits[-1] >= 86400 * 0.9
    retry = decide.backoff(NOW, interval=60, failures=1, retry_after=7200, rng=RNG)
    assert retry >= NOW + timedelta(seconds=7200 * 0.9)


def test_gone_after_410_or_a_week_of_404() -> None:
    assert decide.is_gone(410, None, NOW)
    assert not decide.is_gone(404, NOW - timedelta(days=6), NOW)
    assert decide.is_gone(404, NOW - timedelta(days=7), NOW)
    assert not decide.is_gone(500, NOW - timedelta(days=30), NOW)


def test_first_polls_are_spread_across_the_interval() -> None:
    times = {decide.first_due(NOW, interval=900, rng=RNG) for _ in range(50)}
    spread = max(times) - min(times)
    assert spread > timedelta(seconds=400)
    assert all(NOW < t <= NOW + timedelta(seconds=900) for t in times)
