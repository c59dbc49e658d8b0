"""The update pipeline for one feed: fetch → parse → decide → store.

Only fetch touches the network and only storage touches SQLite; parse runs in a worker
process or thread (bot/parse_workers.py) so a big feed never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.errors import FetchError, NotAFeed
from bot.pipeline import decide
from bot.pipeline.fetch import Fetcher, FetchResult
from bot.pipeline.parse import ParsedFeed
from bot.pipeline.parse.workers import FeedParser
from bot.pipeline.route import route
from storage import AsyncStorage
from storage.errors import StorageError
from storage.items import StoreResult
from storage.models import Feed

log = logging.getLogger(__name__)

SLOW_ANSWER_MS = 3000
DATABASE_DOWN = "the database cannot be written"
DATABASE_RETRY = 5.0  # seconds, doubled on each failure
# How long a claimed feed is this process's to poll (PostgreSQL, several processes): longer
# than any poll (fetch, parse limit, store); a process that dies holds it no longer.
POLL_LEASE = timedelta(minutes=5)
DATABASE_RETRY_MAX = 300.0


@dataclass(frozen=True, slots=True)
class PollOutcome:
    feed_id: int
    status: str  # "new", "unchanged", "not-modified", "failed", "gone"
    new_items: int = 0
    pending: int = 0
    error: str | None = None
    recovered: bool = False


def is_slow(feed: Feed) -> bool:
    """Slow to answer last time, or failing (timeouts are failures): fetched in the slow
    lane, so such feeds never hold the slots everybody else's feeds need."""
    return feed.failure_count > 0 or (feed.answer_ms or 0) >= SLOW_ANSWER_MS


def body_hash(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


class Poller:
    def __init__(
        self,
        storage: AsyncStorage,
        fetcher: Fetcher,
        clock: Clock,
        *,
        concurrency: int = 500,
        on_new_deliveries: Callable[[], None] | None = None,
        on_state_change: Callable[[], None] | None = None,
        rng: random.Random | None = None,
        parser: FeedParser | None = None,
    ) -> None:
        self._storage = storage
        self._fetcher = fetcher
        self._parser = parser or FeedParser()
        self._clock = clock
        # Bounds the feeds in hand (bodies in memory); the fetcher bounds the requests. A
        # feed waiting for a busy host holds one of these, so it is well above the fetcher's.
        self._limit = asyncio.Semaphore(concurrency)
        self._on_new = on_new_deliveries
        self._on_state_change = on_state_change
        self._rng = rng or random.Random()
        self._inflight: dict[int, asyncio.Task[PollOutcome]] = {}
        self._database_failures = 0
        self._paused_until: datetime | None = None

    async def poll_once(self) -> list[PollOutcome | BaseException]:
        """Poll every feed due now, each at most once, and wait for them all (`newsdesk poll
        --once`). A feed whose interval is shorter than the pass is not polled again."""
        start = self._clock()
        outcomes: list[PollOutcome | BaseException] = []
        # Batches of the soonest due as of the start: a polled feed is next due after it.
        while tasks := await self.poll_due(limit=10_000, as_of=start):
            outcomes.extend(await asyncio.gather(*tasks, return_exceptions=True))
        return outcomes

    async def poll_due(
        self, limit: int = 500, *, as_of: datetime | None = None
    ) -> list[asyncio.Task[PollOutcome]]:
        """Start a poll of the `limit` soonest feeds due at `as_of` (default: now) not already
        being polled; return the tasks.

        Returns at once: a slow feed never holds up the next tick or the other feeds."""
        now = as_of or self._clock()
        if self._paused_until is not None and self._clock() < self._paused_until:
            return []
        try:
            due = await self._storage.run(
                self._storage.sync.feeds.claim_due, now, POLL_LEASE, limit
            )
        except StorageError as exc:
            self._database_failed(exc)
            return []
        started = []
        for feed in due:
            if feed.id in self._inflight:
                continue
            task = asyncio.create_task(self._poll_bounded(feed), name=f"poll-feed-{feed.id}")
            self._inflight[feed.id] = task
            task.add_done_callback(functools.partial(self._forget, feed.id))
            started.append(task)
        return started

    def _forget(self, feed_id: int, _task: object) -> None:
        self._inflight.pop(feed_id, None)

    async def close(self) -> None:
        """Stop the polls under way and hand their feeds back to any process."""
        unfinished = list(self._inflight)
        for task in list(self._inflight.values()):
            task.cancel()
        await asyncio.gather(*self._inflight.values(), return_exceptions=True)
        try:
            await self._storage.run(self._storage.sync.feeds.release, unfinished, self._clock())
        except StorageError:
            log.warning(
                "could not hand %d feeds back; they are due again within %s",
                len(unfinished),
                POLL_LEASE,
            )

    async def _poll_bounded(self, feed: Feed) -> PollOutcome:
        async with self._limit:
            try:
                outcome = await self._poll_guarded(feed)
            except StorageError as exc:
                # Nothing of this poll was kept: the feed stays due and is fetched again
                # once the database can be written.
                self._database_failed(exc)
                return PollOutcome(feed.id, "failed", error=DATABASE_DOWN)
        self._database_works()
        if outcome.pending and self._on_new is not None:
            self._on_new()
        if (outcome.status in {"failed", "gone"} or outcome.recovered) and self._on_state_change:
            self._on_state_change()
        return outcome

    async def _poll_guarded(self, feed: Feed) -> PollOutcome:
        """poll_feed, with any error but the database's taking the feed's failure path:
        backoff, `failing since`, the error in /source info; a traceback once, not per poll."""
        try:
            return await self.poll_feed(feed)
        except (StorageError, asyncio.CancelledError):
            raise
        except Exception as exc:
            if feed.failure_count == 0:
                log.exception("polling feed %d (%s) failed unexpectedly", feed.id, feed.url)
            reason = f"newsdesk could not read this feed ({type(exc).__name__})"
            return await self._failed(feed, reason, None, None)

    def _database_failed(self, exc: StorageError) -> None:
        """Pause polling with a growing delay; one log line when the trouble starts."""
        self._database_failures += 1
        delay = min(DATABASE_RETRY * 2 ** (self._database_failures - 1), DATABASE_RETRY_MAX)
        self._paused_until = self._clock() + timedelta(seconds=delay)
        if self._database_failures == 1:
            log.error("%s (%s); polling paused, retrying with backoff", DATABASE_DOWN, exc)

    def _database_works(self) -> None:
        if self._database_failures:
            log.warning("the database can be written again; polling resumed")
        self._database_failures = 0
        self._paused_until = None

    async def poll_feed(self, feed: Feed) -> PollOutcome:
        try:
            result = await self._fetcher.fetch(
                feed.url, etag=feed.etag, last_modified=feed.last_modified, slow=is_slow(feed)
            )
        except FetchError as exc:
            return await self._failed(
                feed, exc.message, exc.status, getattr(exc, "retry_after", None)
            )
        now = self._clock()
        digest = None if result.not_modified else body_hash(result.body)
        if result.not_modified or digest == feed.body_hash:
            return await self._unchanged(feed, result, now, digest)
        try:
            parsed = await self._parser.parse(result)
        except NotAFeed as exc:
            return await self._failed(feed, exc.message, None, None)
        return await self._changed(feed, result, parsed, now, digest)

    def _next_due(
        self, feed: Feed, result: FetchResult, now: datetime, ttl: int | None = None
    ) -> datetime:
        """When to poll a feed again after a good answer."""
        return decide.next_poll(
            now,
            interval=feed.interval_seconds,
            ttl=ttl,
            max_age=result.max_age or result.expires_in,
            retry_after=result.retry_after,
            rng=self._rng,
        )

    async def _unchanged(
        self, feed: Feed, result: FetchResult, now: datetime, digest: str | None
    ) -> PollOutcome:
        """A 304, or the same bytes again: nothing to parse, only the feed's state to keep."""
        before = await self._storage.run(
            self._storage.sync.feeds.record_success,
            feed.id,
            now=now,
            next_due_at=self._next_due(feed, result, now),
            etag=result.etag or feed.etag,
            last_modified=result.last_modified or feed.last_modified,
            body_hash=digest,
            answer_seconds=result.elapsed,
            new_url=result.permanent_url,
        )
        status = "not-modified" if result.not_modified else "unchanged"
        return PollOutcome(feed.id, status, recovered=before.failing_since is not None)

    async def _changed(
        self,
        feed: Feed,
        result: FetchResult,
        parsed: ParsedFeed,
        now: datetime,
        digest: str | None,
    ) -> PollOutcome:
        """A new body that parsed: store its new items, then the feed's state."""
        stored = await self._store_items(feed, parsed)
        feeds = self._storage.sync.feeds
        before = await self._storage.run(
            feeds.record_success,
            feed.id,
            now=now,
            next_due_at=self._next_due(feed, result, now, ttl=parsed.ttl_seconds),
            etag=result.etag,
            last_modified=result.last_modified,
            body_hash=digest,
            answer_seconds=result.elapsed,
            title=parsed.title,
            site_url=parsed.link,
            new_url=result.permanent_url,
        )
        if parsed.warning:
            log.info("feed %d parsed with a warning: %s", feed.id, parsed.warning)
            await self._storage.run(feeds.record_warning, feed.id, now=now, message=parsed.warning)
        return PollOutcome(
            feed.id,
            "new" if stored.new_items else "unchanged",
            new_items=stored.new_items,
            pending=stored.pending,
            recovered=before.failing_since is not None,
        )

    async def _store_items(self, feed: Feed, parsed: ParsedFeed) -> StoreResult:
        """Store the items of a parsed feed not seen before, with their deliveries."""
        items = self._storage.sync.items
        known = await self._storage.run(
            items.known_keys, feed.id, [item.key for item in parsed.items]
        )
        fresh = decide.new_items(parsed.items, known)
        return await self._storage.run(items.store, feed.id, fresh, now=self._clock(), route=route)

    async def _failed(
        self, feed: Feed, message: str, status: int | None, retry_after: float | None
    ) -> PollOutcome:
        now = self._clock()
        not_found_since = (feed.not_found_since or now) if status == 404 else None
        gone = decide.is_gone(status, not_found_since, now)
        next_due = decide.backoff(
            now,
            interval=feed.interval_seconds,
            failures=feed.failure_count + 1,
            retry_after=retry_after,
            rng=self._rng,
        )
        # One line when a feed starts failing (or its error changes), not one per retry.
        if feed.failure_count == 0 or feed.last_error != message:
            log.info("feed %d (%s) failed: %s", feed.id, feed.url, message)
        await self._storage.run(
            self._storage.sync.feeds.record_failure,
            feed.id,
            now=now,
            next_due_at=next_due,
            message=message,
            status=status,
            not_found=status == 404,
            gone=gone,
        )
        return PollOutcome(
            feed.id,
            "gone" if gone else "failed",
            error=message,
        )
