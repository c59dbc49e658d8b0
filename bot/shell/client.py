"""The Discord client: loads the cogs, syncs commands when they changed, starts the app's
background work once connected, and stops it before disconnecting."""

from __future__ import annotations

import asyncio
import logging
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
        self.stopping = asyncio.Event()

    async def setup_hook(self) -> None:
        # Runs once, after login and before the gateway connects (on_ready runs on every
        # reconnect, so no work starts there).
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if not self.background:
            return
        await self._sync_commands()
        await self.app.start()

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
        await super().close()
