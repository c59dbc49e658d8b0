"""One place builds everything: storage, the HTTP session, the scheduler and the services."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot import __version__
from bot.brief.llm import LlmSummarizer
from bot.clock import Clock, system_clock
from bot.loop_monitor import LoopMonitor
from bot.pipeline.briefing import BriefService
from bot.pipeline.fetch import USER_AGENT_TEMPLATE, Fetcher, make_session
from bot.pipeline.netguard import AddressGuard
from bot.pipeline.parse.workers import FeedParser, default_processes
from bot.pipeline.poller import Poller
from bot.scheduler import make_scheduler, wake
from bot.services.follows import FollowService
from bot.services.guilds import GuildService
from bot.services.sources import SourceService
from bot.services.topics import TopicService
from bot.settings import Settings
from storage import AsyncStorage, Storage

POLL_JOB = "poll-due-feeds"
DELIVER_JOB = "deliver-outbox"
ALERT_JOB = "send-alerts"


@dataclass
class App:
    settings: Settings
    clock: Clock
    storage: AsyncStorage
    session: aiohttp.ClientSession
    fetcher: Fetcher
    scheduler: AsyncIOScheduler
    poller: Poller
    sources: SourceService
    guilds: GuildService
    loop_monitor: LoopMonitor
    instance: str
    topics: TopicService
    follows: FollowService
    briefs: BriefService

    def wake_deliverer(self) -> None:
        wake(self.scheduler, DELIVER_JOB)

    @property
    def poll_tick_seconds(self) -> float:
        """How often due feeds are looked for: a tenth of the floor, between 0.5 s and 30 s."""
        return min(max(self.settings.min_interval_seconds / 10, 0.5), 30.0)


async def _instance_id(storage: AsyncStorage) -> str:
    """A short random id of this database, so delivery nonces differ between installations."""
    meta = storage.sync.meta
    instance = await storage.run(meta.get, "instance")
    if instance is None:
        instance = secrets.token_hex(4)
        await storage.run(meta.set, "instance", instance)
    return instance


def make_llm(settings: Settings) -> LlmSummarizer | None:
    """The LLM summarizer when NEWSDESK_LLM_URL is set. The endpoint is the operator's own
    (often on localhost), so it has its own session, not the feed fetcher's guarded one."""
    if not settings.llm_url:
        return None
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return LlmSummarizer(settings.llm_url, model=settings.llm_model, api_key=key)


@asynccontextmanager
async def open_app(settings: Settings, clock: Clock = system_clock) -> AsyncIterator[App]:
    """Open storage (migrating it), the HTTP session and the scheduler; close them all."""
    storage = AsyncStorage(await asyncio.to_thread(Storage, settings.database))
    scheduler = make_scheduler()
    guard = AddressGuard(settings.allow_private_hosts)
    parser = FeedParser(default_processes())
    try:
        async with make_session(
            guard, user_agent=USER_AGENT_TEMPLATE.format(version=__version__)
        ) as session:
            fetcher = Fetcher(session, guard)

            def on_new() -> None:
                wake(scheduler, DELIVER_JOB)

            def on_state_change() -> None:
                wake(scheduler, ALERT_JOB)

            poller = Poller(
                storage,
                fetcher,
                clock,
                on_new_deliveries=on_new,
                on_state_change=on_state_change,
                parser=parser,
            )
            briefs = BriefService(storage, fetcher, make_llm(settings))
            sources = SourceService(
                storage,
                fetcher,
                settings,
                clock,
                on_new_deliveries=on_new,
                briefs=briefs,
                parser=parser,
            )
            app = App(
                settings=settings,
                clock=clock,
                storage=storage,
                session=session,
                fetcher=fetcher,
                scheduler=scheduler,
                poller=poller,
                sources=sources,
                guilds=GuildService(storage, clock),
                loop_monitor=LoopMonitor(),
                instance=await _instance_id(storage),
                topics=TopicService(storage, clock),
                follows=FollowService(storage, settings, clock),
                briefs=briefs,
            )
            try:
                yield app
            finally:
                if scheduler.running:
                    scheduler.shutdown(wait=False)
                await poller.close()
                await briefs.close()
    finally:
        parser.close()
        await storage.close()
