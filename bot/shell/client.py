"""The Discord client: loads the cogs, syncs commands when they changed, starts the app's
background work once connected, and stops it before disconnecting."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta

import discord
from discord.ext import commands

from bot.app import App
from bot.scheduler import guarded
from bot.shell.command_sync import sync_commands
from bot.shell.tree import NewsTree

log = logging.getLogger(__name__)

EXTENSIONS = ("cogs.admin", "cogs.sources", "cogs.topics", "cogs.digest")
COMMAND_SYNC_RETRY = 60

# newsdesk never joins voice: no "PyNaCl is not installed" warning on every start.
discord.VoiceClient.warn_nacl = False


IDENTIFY_WINDOW = 5.0  # Discord: max_concurrency identifies per 5 seconds, one per bucket
IDENTIFY_POLL = 0.5  # seconds between tries for another process's identify turn
COMMAND_SYNC_LOCK = "command-sync"


class NewsBot(commands.AutoShardedBot):
    """The client, always sharded (one shard of one below 2,500 servers): the shard count is
    NEWSDESK_SHARD_COUNT or Discord's recommendation, the shards NEWSDESK_SHARD_IDS or all."""

    def __init__(self, app: App, *, background: bool = True, **options: object) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        settings = app.settings
        if settings.shard_ids:
            options["shard_ids"] = settings.shard_ids
        super().__init__(
            shard_count=settings.shard_count,
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=NewsTree,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            **options,  # type: ignore[arg-type]
        )
        self.app = app
        self.background = background
        self.stopping = asyncio.Event()
        self.max_concurrency = 1
        self._identified: dict[int, float] = {}
        self._identify_lock = asyncio.Lock()

    async def setup_hook(self) -> None:
        # Runs once, after login and before the gateway connects (on_ready runs on every
        # reconnect, so no work starts there).
        self.max_concurrency = (await self.fetch_session_start_limits()).max_concurrency
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if not self.background:
            return
        await self._sync_commands()
        await self.app.start()

    async def _sync_commands(self) -> None:
        """Sync when the commands changed; a Discord error must not stop the bot: retry later.
        Of several processes on one database, the one holding the lock syncs."""
        storage = self.app.storage
        if not await storage.run(storage.sync.locks.try_hold, COMMAND_SYNC_LOCK):
            log.info("another newsdesk process syncs the commands")
            return
        try:
            await sync_commands(
                self.tree, self.app.storage, dev_guild_id=self.app.settings.dev_guild_id
            )
        except discord.HTTPException as exc:
            log.warning("command sync failed (%s); retrying in %d s", exc, COMMAND_SYNC_RETRY)
            self.app.scheduler.add_job(
                guarded("sync-commands", self._sync_commands),
                "date",
                id="sync-commands",
                replace_existing=True,
                run_date=self.app.clock() + timedelta(seconds=COMMAND_SYNC_RETRY),
            )

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Identify as fast as Discord allows: shards of different buckets (shard id modulo
        max_concurrency) at once, each bucket once per 5 seconds."""
        bucket = (shard_id or 0) % max(self.max_concurrency, 1)
        loop = asyncio.get_running_loop()
        async with self._identify_lock:
            last = self._identified.get(bucket)
            if last is not None and (wait := last + IDENTIFY_WINDOW - loop.time()) > 0:
                await asyncio.sleep(wait)
            await self._identify_turn(bucket)
            self._identified[bucket] = loop.time()

    async def _identify_turn(self, bucket: int) -> None:
        """Processes sharing a PostgreSQL database take turns: a bucket identifies once per
        window across all of them (the last time is kept in the database, under a lock)."""
        storage = self.app.storage
        if storage.sync.db.dialect != "postgresql":
            return
        name = f"identify-{bucket}"
        # The lock is another process's to free: nothing in this one can signal it.
        while not await storage.run(storage.sync.locks.try_hold, name):  # noqa: ASYNC110
            await asyncio.sleep(IDENTIFY_POLL)
        try:
            last = await storage.run(storage.sync.meta.get, name)
            wait = IDENTIFY_WINDOW - (time.time() - float(last)) if last else 0.0
            if wait > 0:
                await asyncio.sleep(min(wait, IDENTIFY_WINDOW))
            await storage.run(storage.sync.meta.set, name, str(time.time()))
        finally:
            await storage.run(storage.sync.locks.release, name)

    async def on_ready(self) -> None:
        log.info(
            "connected as %s (%s) to %d guild(s)",
            self.user,
            getattr(self.user, "id", "?"),
            len(self.guilds),
        )

    async def close(self) -> None:
        self.stopping.set()
        await self.app.stop()  # no job may post while the connection closes
        if self.http.token is None:
            # Never logged in (Discord unreachable, or a command check): discord.py's sharded
            # close needs the shard queue that login creates.
            await discord.Client.close(self)
            return
        await super().close()
