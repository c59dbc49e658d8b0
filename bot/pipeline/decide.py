"""Deciding, purely: which items are new, in what order, and when to poll next.

Every function takes `now` (and randomness) as arguments: no clock, no I/O.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from bot.pipeline.parse import ParsedItem
from storage.models import NewItem

DAY = 24 * 3600.0
SUMMARY_LIMIT = 4_000  # stored and indexed; the brief needs far less
CONTENT_LIMIT = 200_000  # a 9 MB item is kept to what a brief could use
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def new_items(items: Iterable[ParsedItem], known: set[str]) -> list[NewItem]:
    """The items whose key is not known yet, oldest first.

    Order is by published time; undated items keep the feed's order, read as newest first
    (the convention of nearly every feed), so they sort by reversed position.
    """
    fresh = [(index, item) for index, item in enumerate(items) if item.key not in known]
    fresh.sort(key=lambda pair: (pair[1].published or _EPOCH, -pair[0]))
    return [to_new_item(item) for _, item in fresh]


# Enough for a template line and a forum post's tags; feeds that list dozens add nothing.
CATEGORIES_KEPT = 10
CATEGORY_LIMIT = 100


def to_new_item(item: ParsedItem) -> NewItem:
    return NewItem(
        key=item.key,
        guid=item.guid,
        title=item.title,
        url=item.link,
        summary=item.summary[:SUMMARY_LIMIT],
        content=item.content[:CONTENT_LIMIT],
        author=item.author,
        image_url=item.image_url,
        published_at=item.published,
        categories=tuple(tag[:CATEGORY_LIMIT] for tag in item.tags[:CATEGORIES_KEPT]),
    )


def next_poll(
    now: datetime,
    *,
    interval: float,
    ttl: float | None = None,
    max_age: float | None = None,
    retry_after: float | None = None,
    rng: random.Random,
) -> datetime:
    """After a good poll: never sooner than the largest of the interval, the feed's ttl,
    Cache-Control max-age and Retry-After (those capped at a day), plus up to 10% jitter so
    feeds of one interval stay spread out."""
    hints = [min(value, DAY) for value in (ttl, max_age, retry_after) if value]
    wait = max([interval, *hints])
    return now + timedelta(seconds=wait + rng.uniform(0, 0.1 * interval))


def backoff(
    now: datetime,
    *,
    interval: float,
    failures: int,
    retry_after: float | None = None,
    rng: random.Random,
) -> datetime:
    """After the `failures`-th failure in a row: the interval doubled per failure, capped at
    a day, with jitter; a Retry-After that asks for longer wins (up to a day)."""
    wait = min(interval * 2 ** max(failures - 1, 0), DAY)
    wait = max(wait, min(retry_after or 0, DAY))
    return now + timedelta(seconds=wait * rng.uniform(0.9, 1.1))


def first_due(now: datetime, *, interval: float, rng: random.Random) -> datetime:
    """A new feed's first scheduled poll, spread at random across its interval."""
    return now + timedelta(seconds=rng.uniform(0.1, 1.0) * interval)


NOT_FOUND_GRACE = timedelta(days=7)


def is_gone(status: int | None, not_found_since: datetime | None, now: datetime) -> bool:
    """410 Gone at once, or 404 for a week: the feed is paused."""
    if status == 410:
        return True
    return (
        status == 404 and not_found_since is not None and now - not_found_since >= NOT_FOUND_GRACE
    )
