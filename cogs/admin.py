"""/newsdesk: health and guild settings."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import __version__
from bot.app import App
from bot.loop_monitor import LagStats
from bot.shell.permissions import require_moderator
from storage.models import GuildSettings, GuildStatus

Interaction = discord.Interaction[discord.Client]


def status_embed(status: GuildStatus, lag: LagStats | None = None) -> discord.Embed:
    last_poll = (
        discord.utils.format_dt(status.last_poll_at, "R") if status.last_poll_at else "never"
    )
    embed = discord.Embed(title="newsdesk status")
    embed.add_field(
        name="Sources",
        value=f"{status.sources_ok} ok · {status.sources_failing} failing · "
        f"{status.sources_paused} paused",
        inline=False,
    )
    embed.add_field(name="Items stored", value=str(status.items_stored))
    embed.add_field(name="Items today", value=str(status.items_today))
    embed.add_field(name="Deliveries waiting", value=str(status.deliveries_waiting))
    embed.add_field(name="Last poll", value=last_poll)
    fallbacks = status.counters.get("llm_fallbacks", 0)
    if fallbacks:
        embed.add_field(name="Summarizer fallbacks", value=str(fallbacks))
    if lag is not None:
        embed.add_field(
            name="Event loop lag", value=f"p99 {lag.p99_ms:.0f} ms · max {lag.max_ms:.0f} ms"
        )
    embed.set_footer(text=f"newsdesk {__version__}")
    return embed


def settings_text(settings: GuildSettings) -> str:
    role = f"<@&{settings.moderator_role_id}>" if settings.moderator_role_id else "none"
    alerts = (
        f"<#{settings.alert_channel_id}>" if settings.alert_channel_id else "each source's channel"
    )
    return (
        f"**Moderator role:** {role}\n**Alert channel:** {alerts}\n"
        f"**Time zone:** {settings.timezone}\n"
        f"**Merge stories:** {'on' if settings.merge_stories else 'off'}"
    )


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class AdminCog(commands.GroupCog, group_name="newsdesk", group_description="newsdesk itself"):
    def __init__(self, app: App) -> None:
        self.app = app
        super().__init__()

    @app_commands.command(
        name="status", description="Health: sources, items, deliveries, last poll"
    )
    async def status(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None  # guild_only
        await require_moderator(interaction, self.app.storage)
        status = await self.app.guilds.status(interaction.guild_id)
        await interaction.response.send_message(
            embed=status_embed(status, self.app.loop_monitor.stats()), ephemeral=True
        )

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
        assert interaction.guild_id is not None
        await require_moderator(interaction, self.app.storage)
        changes: dict[str, object] = {}
        if moderator_role is not None:
            changes["moderator_role_id"] = moderator_role.id
        if alert_channel is not None:
            changes["alert_channel_id"] = alert_channel.id
        if timezone is not None:
            changes["timezone"] = timezone
        if merge_stories is not None:
            changes["merge_stories"] = merge_stories
        if changes:
            settings = await self.app.guilds.update(
                interaction.guild_id, interaction.user.id, **changes
            )
            heading = "Settings updated."
        else:
            settings = await self.app.guilds.settings(interaction.guild_id)
            heading = "Current settings:"
        await interaction.response.send_message(
            f"{heading}\n{settings_text(settings)}", ephemeral=True
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(AdminCog(bot.app))  # type: ignore[attr-defined]
