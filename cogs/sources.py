"""/source: moderators add, list and remove news sources."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import App
from bot.paginate import chunk_lines
from bot.permissions import is_moderator, require_moderator
from bot.source_service import AddRequest
from storage.models import SourceStatus

Interaction = discord.Interaction[discord.Client]


def _when(moment: object) -> str:
    return discord.utils.format_dt(moment, "R") if moment else "never"  # type: ignore[arg-type]


def status_line(row: SourceStatus) -> str:
    source, feed = row.source, row.feed
    if source.paused_at:
        state = f"paused ({source.pause_reason})" if source.pause_reason else "paused"
    elif source.channel_error:
        state = f"stopped: {source.channel_error}"
    elif feed.failing_since:
        state = f"failing since {_when(feed.failing_since)}: {feed.last_error or 'error'}"
    else:
        state = "ok"
    name = discord.utils.escape_markdown(source.name)
    return (
        f"**{name}** (#{source.id}) → <#{source.channel_id}> · {state}\n"
        f"  last poll {_when(feed.last_polled_at)} · next poll {_when(feed.next_due_at)} · "
        f"{row.posted} posted"
    )


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class SourcesCog(commands.GroupCog, group_name="source", group_description="Manage news sources"):
    def __init__(self, app: App) -> None:
        self.app = app
        super().__init__()

    async def source_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None or not await is_moderator(interaction, self.app.storage):
            return []
        sources = await self.app.sources.matching(interaction.guild_id, current)
        return [
            app_commands.Choice(name=f"{s.name} — {s.feed_url}"[:100], value=str(s.id))
            for s in sources[:25]
        ]

    @app_commands.command(name="add", description="Follow a feed (or a page that links to one)")
    @app_commands.describe(
        url="The feed's URL, or a web page that links to its feed",
        channel="Where new stories are posted (default: this channel)",
        name="A name for the source (default: the feed's title)",
        every="Minutes between checks (default set by the operator)",
        backfill="How many of the newest existing items to post now (0-10)",
    )
    async def add(
        self,
        interaction: Interaction,
        url: str,
        channel: discord.TextChannel | None = None,
        name: str | None = None,
        every: app_commands.Range[int, 1, 10080] | None = None,
        backfill: app_commands.Range[int, 0, 10] = 0,
    ) -> None:
        assert interaction.guild_id is not None
        await require_moderator(interaction, self.app.storage)
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.app.sources.add(
            AddRequest(
                guild_id=interaction.guild_id,
                channel_id=channel.id if channel else interaction.channel_id or 0,
                user_id=interaction.user.id,
                url=url,
                name=name,
                every_minutes=every,
                backfill=backfill,
            )
        )
        posting = f" Posting the newest {result.posting} now." if result.posting else ""
        newest = discord.utils.escape_markdown(result.newest_title or "untitled")
        await interaction.followup.send(
            f"Added **{discord.utils.escape_markdown(result.source.name)}** "
            f"(#{result.source.id}) → <#{result.source.channel_id}>: "
            f"{result.item_count} items, newest “{newest}”.{posting} New stories will be posted "
            f"as they appear.",
            ephemeral=True,
        )

    @app_commands.command(name="list", description="This server's sources and their state")
    async def list(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None
        await require_moderator(interaction, self.app.storage)
        rows = await self.app.sources.statuses(interaction.guild_id)
        if not rows:
            await interaction.response.send_message(
                "This server has no sources yet. Add one with /source add.", ephemeral=True
            )
            return
        pages = chunk_lines(status_line(row) for row in rows)
        for number, page in enumerate(pages, start=1):
            embed = discord.Embed(title=f"Sources ({len(rows)})", description=page)
            if len(pages) > 1:
                embed.set_footer(text=f"Page {number} of {len(pages)}")
            if number == 1:
                await interaction.response.send_message(embed=embed, ephemeral=True)
            else:
                await interaction.followup.send(embed=embed, ephemeral=True)

    @app_commands.command(
        name="remove", description="Stop a source (its posted history stays searchable)"
    )
    @app_commands.describe(source="The source to remove")
    @app_commands.autocomplete(source=source_autocomplete)
    async def remove(self, interaction: Interaction, source: str) -> None:
        assert interaction.guild_id is not None
        await require_moderator(interaction, self.app.storage)
        removed = await self.app.sources.remove(interaction.guild_id, interaction.user.id, source)
        await interaction.response.send_message(
            f"Removed **{discord.utils.escape_markdown(removed.name)}**. Its stories stay "
            "searchable.",
            ephemeral=True,
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(SourcesCog(bot.app))  # type: ignore[attr-defined]
