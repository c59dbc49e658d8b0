"""The update pipeline in process (`pipeline` fixture): real feed server, fetcher and SQLite,
a manual clock."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.pipeline import poller as poller_module
from bot.pipeline.fetch import Fetcher, make_session
from bot.pipeline.netguard import AddressGuard
from bot.pipeline.poller import Poller
from bot.services.sources import AddRequest, SourceService
from bot.settings import Settings
from storage import AsyncStorage, Storage
from storage.models import Source
from tests.feed_server import FeedServer


class ManualClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Pipeline:
    storage: AsyncStorage
    poller: Poller
    sources: SourceService
    clock: ManualClock
    srv: FeedServer

    async def add(self, path: str, **kw: object) -> Source:
        request = AddRequest(guild_id=1, channel_id=10, user_id=5, url=self.srv.url(path), **kw)  # type: ignore[arg-type]
        return (await self.sources.add(request)).source

    async def poll(self) -> list[poller_module.PollOutcome]:
        """Move the clock past every due time, then poll what is due."""
        self.clock.advance(2 * 86400 + 60)
        tasks = await self.poller.poll_due()
        return [await task for task in tasks]

    def pending_titles(self) -> list[str]:
        return [o.item.title for o in self.storage.sync.deliveries.due(self.clock.now)]


@pytest.fixture
async def pipeline(tmp_path: Path, feed_server: FeedServer) -> AsyncIterator[Pipeline]:
    clock = ManualClock()
    storage = AsyncStorage(Storage(tmp_path / "db.sqlite"))
    guard = AddressGuard(["127.0.0.1"])
    settings = Settings(
        database=tmp_path / "db.sqlite", min_interval_seconds=60, default_interval_seconds=60
    )
    async with make_session(guard, user_agent="newsdesk-test") as session:
        fetcher = Fetcher(session, guard)
        rng = random.Random(1)
        yield Pipeline(
            storage,
            Poller(storage, fetcher, clock, rng=rng),
            SourceService(storage, fetcher, settings, clock, rng=rng),
            clock,
            feed_server,
        )
    await storage.close()
