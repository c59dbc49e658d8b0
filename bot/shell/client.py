"""The Discord client: loads the cogs, syncs commands when they changed, starts the jobs."""

from __future__ import annotations

import logging
from datetime import timedelta

import discord
from discord.ext import commands

from bot.app import ALERT_JOB, DELIVER_JOB, POLL_JOB, App
from bot.pipeline.deliver import Deliverer, DiscordSender
from bot.scheduler import add_interval_job, guarded
from bot.services.alerts import Alerts
from bot.services.digests import Digests
from bot.services.follows import FOLLOW_JOB, notifier_job, notify_tick_seconds
from bot.shell.command_sync import sync_commands
from bot.shell.tree import NewsTree
from bot.stories.desk import StoryDesk

log = logging.getLogger(__name__)

EXTENSIONS = ("cogs.admin", "cogs.sources", "cogs.topics", "cogs.digest")
DELIVERY_SWEEP_SECONDS = 5.0
COMMAND_SYNC_RETRY = 60
ALERT_SWEEP_SECONDS = 60.0  # alerts are also woken by every failed or recovered poll


class NewsBot(commands.Bot):
    def __init__(self, app: App, *, background: bool = True, **options: object) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=NewsTree,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            **options,  # type: ignore[arg-type]
        )
        self.app = app
        self.background = background
        sender = DiscordSender(self)
        self.alerts = Alerts(app.storage, sender, app.clock)
        self.digests = Digests(app.storage, sender, app.clock, app.scheduler)
        self.deliverer = Deliverer(
            app.storage,
            sender,
            app.clock,
            instance=app.instance,
            on_channel_blocked=self.alerts.channel_blocked,
            briefs=app.briefs,
            stories=StoryDesk(app.storage, app.clock),
        )

    async def setup_hook(self) -> None:
        # Runs once, after login and before the gateway connects (on_ready runs on every
        # reconnect, so no work starts there).
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if not self.background:
            return
        scheduler = self.app.scheduler
        await self._sync_commands()
        add_interval_job(scheduler, POLL_JOB, self._poll_tick, self.app.poll_tick_seconds)
        add_interval_job(scheduler, DELIVER_JOB, self._deliver, DELIVERY_SWEEP_SECONDS)
        add_interval_job(
            scheduler,
            FOLLOW_JOB,
            notifier_job(self, self.app.storage, self.app.clock, self.app.instance),
            notify_tick_seconds(self.app.settings),
        )
        add_interval_job(scheduler, ALERT_JOB, self._send_alerts, ALERT_SWEEP_SECONDS)
        scheduler.start()
        self.app.loop_monitor.start()
        await self.digests.start()

    async def _sync_commands(self) -> None:
        """Sync when the commands changed; a Discord error must not stop the bot: retry later."""
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

    async def _poll_tick(self) -> None:
        await self.app.poller.poll_due()

    async def _deliver(self) -> None:
        posted = await self.deliverer.deliver_due()
        if posted:
            log.info("posted %d item(s)", posted)

    async def _send_alerts(self) -> None:
        await self.alerts.send_due()

    async def on_ready(self) -> None:
        log.info(
            "connected as %s (%s) to %d guild(s)",
            self.user,
            getattr(self.user, "id", "?"),
            len(self.guilds),
        )

    async def close(self) -> None:
        if self.app.scheduler.running:
            self.app.scheduler.shutdown(wait=False)
        await self.app.poller.close()
        await self.app.loop_monitor.stop()
        await super().close()
