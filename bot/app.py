"""One place builds everything: storage, the HTTP session, the scheduler, the services and
the jobs; and closes them all. The Discord client is not built here: the shell hands in
the `Sender` it posts through."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot import __version__
from bot.brief.llm import LlmSummarizer
from bot.clock import Clock, system_clock
from bot.errors import SendError
from bot.loop_monitor import LoopMonitor
from bot.pipeline.briefing import BriefService
from bot.pipeline.deliver import Deliverer, Sender
from bot.pipeline.fetch import USER_AGENT_TEMPLATE, Fetcher, make_session
from bot.pipeline.netguard import AddressGuard
from bot.pipeline.parse.workers import FeedParser, default_processes
from bot.pipeline.poller import Poller
from bot.scheduler import add_interval_job, make_scheduler, wake
from bot.services.alerts import Alerts
from bot.services.digests import Digests
from bot.services.follows import DMSender, FollowNotifier, FollowService, notify_tick_seconds
from bot.services.guilds import GuildService
from bot.services.sources import SourceService
from bot.services.topics import TopicService
from bot.settings import Settings
from bot.stories.desk import StoryDesk
from bot.text.markdown import MessagePayload
from storage import AsyncStorage, Storage

log = logging.getLogger(__name__)

POLL_JOB = "poll-due-feeds"
DELIVER_JOB = "deliver-outbox"
ALERT_JOB = "send-alerts"
FOLLOW_JOB = "notify-follows"
DELIVERY_SWEEP_SECONDS = 5.0
ALERT_SWEEP_SECONDS = 60.0  # alerts are also woken by every failed or recovered poll


class Messenger(Sender, DMSender, Protocol):
    """What newsdesk sends through on its own: posts, edits, alerts, digests and DMs."""


class Offline:
    """The sender of a process that does not connect to Discord (the CLI's verbs): what
    they queue waits in the outbox for the bot."""

    async def send(self, channel_id: int, payload: MessagePayload, nonce: str) -> int:
        raise SendError("retry", "not connected to Discord")

    async def edit(self, channel_id: int, message_id: int, payload: MessagePayload) -> None:
        raise SendError("retry", "not connected to Discord")

    def idempotent(self, channel_id: int, payload: MessagePayload) -> bool:
        return True

    async def find_marked(self, channel_id: int, nonce: str) -> int | None:
        raise SendError("retry", "not connected to Discord")

    async def send_dm(self, user_id: int, embed: dict[str, Any], nonce: str) -> None:
        raise SendError("retry", "not connected to Discord")

    def guild_name(self, guild_id: int) -> str:
        return "your server"


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
    deliverer: Deliverer
    alerts: Alerts
    digests: Digests
    notifier: FollowNotifier

    @property
    def poll_tick_seconds(self) -> float:
        """How often due feeds are looked for: a tenth of the floor, between 0.5 s and 30 s."""
        return min(max(self.settings.min_interval_seconds / 10, 0.5), 30.0)

    async def start(self) -> None:
        """Start the background work: polling, delivery, follow DMs, alerts and digests."""
        jobs = (
            (POLL_JOB, self._poll, self.poll_tick_seconds),
            (DELIVER_JOB, self._deliver, DELIVERY_SWEEP_SECONDS),
            (FOLLOW_JOB, self._notify, notify_tick_seconds(self.settings)),
            (ALERT_JOB, self._send_alerts, ALERT_SWEEP_SECONDS),
        )
        for job_id, job, seconds in jobs:
            add_interval_job(self.scheduler, job_id, job, seconds)
        self.scheduler.start()
        self.loop_monitor.start()
        await self.digests.start()

    async def stop(self) -> None:
        """Stop the background work (safe to call twice)."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.poller.close()
        await self.loop_monitor.stop()

    async def _poll(self) -> None:
        await self.poller.poll_due()

    async def _deliver(self) -> None:
        posted = await self.deliverer.deliver_due()
        if posted:
            log.info("posted %d item(s)", posted)

    async def _notify(self) -> None:
        await self.notifier.run_once()

    async def _send_alerts(self) -> None:
        await self.alerts.send_due()


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
async def open_app(
    settings: Settings, clock: Clock = system_clock, sender: Messenger | None = None
) -> AsyncIterator[App]:
    """Open storage (migrating it), the HTTP session and the scheduler, build the services
    around them, and close them all. `sender` posts to Discord (the shell's DiscordSender);
    without one, nothing is posted."""
    storage = AsyncStorage(await asyncio.to_thread(Storage, settings.database))
    scheduler = make_scheduler()
    guard = AddressGuard(settings.allow_private_hosts)
    parser = FeedParser(default_processes())
    try:
        async with make_session(
            guard, user_agent=USER_AGENT_TEMPLATE.format(version=__version__)
        ) as session:
            app = await _build(
                settings, clock, storage, session, scheduler, guard, parser, sender or Offline()
            )
            try:
                yield app
            finally:
                await app.stop()
                await app.briefs.close()
    finally:
        parser.close()
        await storage.close()


async def _build(
    settings: Settings,
    clock: Clock,
    storage: AsyncStorage,
    session: aiohttp.ClientSession,
    scheduler: AsyncIOScheduler,
    guard: AddressGuard,
    parser: FeedParser,
    sender: Messenger,
) -> App:
    fetcher = Fetcher(session, guard)
    instance = await _instance_id(storage)

    def on_new() -> None:
        wake(scheduler, DELIVER_JOB)

    def on_state_change() -> None:
        wake(scheduler, ALERT_JOB)

    briefs = BriefService(storage, fetcher, make_llm(settings), clock=clock)
    shards = settings.shards
    alerts = Alerts(storage, sender, clock, shards=shards)
    return App(
        settings=settings,
        clock=clock,
        storage=storage,
        session=session,
        fetcher=fetcher,
        scheduler=scheduler,
        poller=Poller(
            storage,
            fetcher,
            clock,
            on_new_deliveries=on_new,
            on_state_change=on_state_change,
            parser=parser,
        ),
        sources=SourceService(
            storage,
            fetcher,
            settings,
            clock,
            on_new_deliveries=on_new,
            briefs=briefs,
            parser=parser,
        ),
        guilds=GuildService(storage, clock),
        loop_monitor=LoopMonitor(),
        instance=instance,
        topics=TopicService(storage, clock),
        follows=FollowService(storage, settings, clock),
        briefs=briefs,
        deliverer=Deliverer(
            storage,
            sender,
            clock,
            instance=instance,
            on_channel_blocked=alerts.channel_blocked,
            briefs=briefs,
            stories=StoryDesk(storage, clock),
            shards=shards,
        ),
        alerts=alerts,
        digests=Digests(storage, sender, clock, scheduler, shards=shards),
        notifier=FollowNotifier(storage, sender, clock, instance=instance),
    )
