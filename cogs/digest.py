"""/digest: a scheduled message with the period's top stories."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import App
from bot.shell.client import NewsBot
from bot.shell.interactions import Interaction, guild_id
from bot.shell.permissions import moderator_check
from bot.shell.replies import answer, defer


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class DigestCog(commands.GroupCog, group_name="digest", group_description="Scheduled digests"):
    def __init__(self, app: App) -> None:
        self.app = app
        super().__init__()

    async def interaction_check(self, interaction: Interaction) -> bool:
        # Every command here is a moderator command, whatever the guild's overrides say.
        return await moderator_check(interaction, self.app.storage)

    @app_commands.command(name="set", description="Post a digest of top stories on a schedule")
    @app_commands.describe(
        channel="Where the digest is posted",
        time="Local time, 24-hour HH:MM (e.g. 09:00)",
        frequency="daily, weekdays (Mon-Fri) or weekly (Mondays)",
        timezone="IANA time zone (default: the server's, see /newsdesk settings)",
    )
    async def set(
        self,
        interaction: Interaction,
        channel: discord.TextChannel,
        time: str,
        frequency: Literal["daily", "weekdays", "weekly"] = "daily",
        timezone: str | None = None,
    ) -> None:
        guild = guild_id(interaction)
        zone = timezone or (await self.app.guilds.settings(guild)).timezone
        schedule = await self.app.digests.set(
            guild,
            interaction.user.id,
            channel_id=channel.id,
            time=time,
            frequency=frequency,
            timezone=zone,
        )
        upcoming = self.app.digests.next_run(guild)
        when = discord.utils.format_dt(upcoming, "F") if upcoming else "soon"
        await answer(
            interaction,
            f"A {schedule.frequency} digest will be posted in <#{schedule.channel_id}> at "
            f"{schedule.time} ({schedule.timezone}); the next one {when}.",
        )

    @app_commands.command(name="off", description="Stop the scheduled digest")
    async def off(self, interaction: Interaction) -> None:
        await self.app.digests.off(guild_id(interaction), interaction.user.id)
        await answer(interaction, "The digest is off.")

    @app_commands.command(name="now", description="Post the digest now")
    async def now(self, interaction: Interaction) -> None:
        guild = guild_id(interaction)
        await defer(interaction)
        result = await self.app.digests.send(guild)
        await answer(
            interaction,
            f"Posted a digest of {result.stories} stories."
            if result.sent
            else "No new stories since the last digest, so nothing was posted.",
        )


async def setup(bot: NewsBot) -> None:
    await bot.add_cog(DigestCog(bot.app))
