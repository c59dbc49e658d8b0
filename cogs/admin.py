"""/newsdesk: health and guild settings."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import App
from bot.shell.client import NewsBot
from bot.shell.interactions import Interaction, guild_id
from bot.shell.permissions import moderator_check
from bot.shell.replies import answer, settings_text, status_embed


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class AdminCog(commands.GroupCog, group_name="newsdesk", group_description="newsdesk itself"):
    def __init__(self, app: App) -> None:
        self.app = app
        super().__init__()

    async def interaction_check(self, interaction: Interaction) -> bool:
        # Every command here is a moderator command, whatever the guild's overrides say.
        return await moderator_check(interaction, self.app.storage)

    @app_commands.command(
        name="status", description="Health: sources, items, deliveries, last poll"
    )
    async def status(self, interaction: Interaction) -> None:
        status = await self.app.guilds.status(guild_id(interaction))
        shard = (interaction.guild.shard_id if interaction.guild else 0, interaction.client)
        embed = status_embed(status, self.app.loop_monitor.stats(), shard=shard)
        await answer(interaction, embed=embed)

    @app_commands.command(name="settings", description="Show or change this server's settings")
    @app_commands.describe(
        moderator_role="Members with this role may manage newsdesk (besides Manage Server)",
        alert_channel="Where failing and recovered sources are announced",
        timezone="IANA time zone for digests, e.g. Europe/Berlin",
        merge_stories="Post a story once when several sources carry it",
    )
    async def settings(
        self,
        interaction: Interaction,
        moderator_role: discord.Role | None = None,
        alert_channel: discord.TextChannel | None = None,
        timezone: str | None = None,
        merge_stories: bool | None = None,
    ) -> None:
        changes: dict[str, object] = {}
        if moderator_role is not None:
            changes["moderator_role_id"] = moderator_role.id
        if alert_channel is not None:
            changes["alert_channel_id"] = alert_channel.id
        if timezone is not None:
            changes["timezone"] = timezone
        if merge_stories is not None:
            changes["merge_stories"] = merge_stories
        guild = guild_id(interaction)
        if changes:
            settings = await self.app.guilds.update(guild, interaction.user.id, **changes)
            heading = "Settings updated."
        else:
            settings = await self.app.guilds.settings(guild)
            heading = "Current settings:"
        await answer(interaction, f"{heading}\n{settings_text(settings)}")


async def setup(bot: NewsBot) -> None:
    await bot.add_cog(AdminCog(bot.app))
