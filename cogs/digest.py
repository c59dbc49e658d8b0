"""/digest: a scheduled message with the period's top stories."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import App
from bot.services.digests import Digests
from bot.shell.permissions import moderator_check

Interaction = discord.Interaction[discord.Client]


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class DigestCog(commands.GroupCog, group_name="digest", group_description="Scheduled digests"):
    def __init__(self, app: App, digests: Digests) -> None:
        self.app = app
        self.digests = digests
        super().__init__()

    async def interaction_check(self, interaction: Interaction) -> bool:  # type: ignore[override]
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
        assert interaction.guild_id is not None
        zone = timezone or (await self.app.guilds.settings(interaction.guild_id)).timezone
        schedule = await self.digests.set(
            interaction.guild_id,
            interaction.user.id,
            channel_id=channel.id,
            time=time,
            frequency=frequency,
            timezone=zone,
        )
        upcoming = self.digests.next_run(interaction.guild_id)
        when = discord.utils.format_dt(upcoming, "F") if upcoming else "soon"
        await interaction.response.send_message(
            f"A {schedule.frequency} digest will be posted in <#{schedule.channel_id}> at "
            f"{schedule.time} ({schedule.timezone}); the next one {when}.",
            ephemeral=True,
        )

    @app_commands.command(name="off", description="Stop the scheduled digest")
    async def off(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None
        await self.digests.off(interaction.guild_id, interaction.user.id)
        await interaction.response.send_message("The digest is off.", ephemeral=True)

    @app_commands.command(name="now", description="Post the digest now")
    async def now(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.digests.send(interaction.guild_id)
        text = (
            f"Posted a digest of {result.stories} stories."
            if result.sent
            else "No new stories since the last digest, so nothing was posted."
        )
        await interaction.followup.send(text, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(DigestCog(bot.app, bot.digests))  # type: ignore[attr-defined]
