"""/newsdesk: health and guild settings."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import __version__
from bot.app import App
from storage.models import GuildStatus


def status_embed(status: GuildStatus) -> discord.Embed:
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
    embed.set_footer(text=f"newsdesk {__version__}")
    return embed


@app_commands.guild_only()
class AdminCog(commands.GroupCog, group_name="newsdesk", group_description="newsdesk itself"):
    def __init__(self, app: App) -> None:
        self.app = app
        super().__init__()

    @app_commands.command(
        name="status", description="Health: sources, items, deliveries, last poll"
    )
    async def status(self, interaction: discord.Interaction[discord.Client]) -> None:
        assert interaction.guild_id is not None  # guild_only
        storage = self.app.storage
        status = await storage.run(
            storage.sync.guilds.status, interaction.guild_id, self.app.clock()
        )
        await interaction.response.send_message(embed=status_embed(status), ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(AdminCog(bot.app))  # type: ignore[attr-defined]
