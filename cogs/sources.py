"""/source: moderators add, tune and remove news sources."""

from __future__ import annotations

import io
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import App
from bot.errors import InvalidOption
from bot.services.opml import MAX_OPML_BYTES, read_opml
from bot.services.sources import AddRequest, SourceChanges
from bot.shell.permissions import is_moderator, moderator_check
from bot.shell.replies import import_summary, info_pages, list_pages, md

Interaction = discord.Interaction[discord.Client]
Style = Literal["brief", "summary", "headline", "digest"]
Minutes = app_commands.Range[int, 1, 10080]

OPTION_HELP = {
    "url": "The feed's URL, or a web page that links to its feed",
    "channel": "Where new stories are posted (default: this channel)",
    "name": "A name for the source (default: the feed's title)",
    "every": "Minutes between checks (default set by the operator)",
    "include": "Comma-separated keywords; only items mentioning one are posted",
    "exclude": "Comma-separated keywords; items mentioning one are not posted",
    "style": "brief (default), summary, headline, or digest (only in the digest)",
    "backfill": "How many of the newest existing items to post now (0-10)",
    "fulltext": "Fetch each article page for a fuller brief",
    "source": "The source (name, number or URL)",
}


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class SourcesCog(commands.GroupCog, group_name="source", group_description="Manage news sources"):
    def __init__(self, app: App) -> None:
        self.app = app
        super().__init__()

    async def interaction_check(self, interaction: Interaction) -> bool:  # type: ignore[override]
        # Every command here is a moderator command, whatever the guild's overrides say.
        return await moderator_check(interaction, self.app.storage)

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
        **{
            k: OPTION_HELP[k]
            for k in (
                "url",
                "channel",
                "name",
                "every",
                "include",
                "exclude",
                "style",
                "backfill",
                "fulltext",
            )
        }
    )
    async def add(
        self,
        interaction: Interaction,
        url: str,
        channel: discord.TextChannel | None = None,
        name: str | None = None,
        every: Minutes | None = None,
        include: str | None = None,
        exclude: str | None = None,
        style: Style = "brief",
        backfill: app_commands.Range[int, 0, 10] = 0,
        fulltext: bool = False,
    ) -> None:
        assert interaction.guild_id is not None
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
                style=style,
                include=include or "",
                exclude=exclude or "",
                fulltext=fulltext,
                with_preview=True,
            )
        )
        posting = f" Posting the newest {result.posting} now." if result.posting else ""
        text = (
            f"Added **{md(result.source.name)}** (#{result.source.id}) → "
            f"<#{result.source.channel_id}>: {result.item_count} items, newest "
            f"“{md(result.newest_title or 'untitled')}”.{posting} New stories will be posted "
            "as they appear."
        )
        preview = result.preview
        if preview is not None and preview.embed is not None:
            embed = discord.Embed.from_dict(preview.embed)
            await interaction.followup.send(text, embed=embed, ephemeral=True)
        else:
            await interaction.followup.send(text, ephemeral=True)

    @app_commands.command(name="list", description="This server's sources and their state")
    async def list(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None
        rows = await self.app.sources.statuses(interaction.guild_id)
        if not rows:
            await interaction.response.send_message(
                "This server has no sources yet. Add one with /source add.", ephemeral=True
            )
            return
        await self._send_pages(interaction, list_pages(rows))

    @app_commands.command(name="info", description="One source in detail: settings, errors, items")
    @app_commands.describe(source=OPTION_HELP["source"])
    @app_commands.autocomplete(source=source_autocomplete)
    async def info(self, interaction: Interaction, source: str) -> None:
        assert interaction.guild_id is not None
        info = await self.app.sources.info(interaction.guild_id, source)
        await self._send_pages(interaction, info_pages(info))

    @app_commands.command(name="edit", description="Change a source's settings")
    @app_commands.describe(
        **{
            k: OPTION_HELP[k]
            for k in (
                "source",
                "channel",
                "name",
                "every",
                "include",
                "exclude",
                "style",
                "fulltext",
            )
        }
    )
    @app_commands.autocomplete(source=source_autocomplete)
    async def edit(
        self,
        interaction: Interaction,
        source: str,
        channel: discord.TextChannel | None = None,
        name: str | None = None,
        every: Minutes | None = None,
        include: str | None = None,
        exclude: str | None = None,
        style: Style | None = None,
        fulltext: bool | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        changes = SourceChanges(
            channel_id=channel.id if channel else None,
            name=name,
            every_minutes=every,
            include=include,
            exclude=exclude,
            style=style,
            fulltext=fulltext,
        )
        edited = await self.app.sources.edit(
            interaction.guild_id, interaction.user.id, source, changes
        )
        await interaction.response.send_message(f"Updated **{md(edited.name)}**.", ephemeral=True)

    @app_commands.command(name="pause", description="Stop polling and posting a source for now")
    @app_commands.describe(source=OPTION_HELP["source"])
    @app_commands.autocomplete(source=source_autocomplete)
    async def pause(self, interaction: Interaction, source: str) -> None:
        assert interaction.guild_id is not None
        paused = await self.app.sources.pause(interaction.guild_id, interaction.user.id, source)
        await interaction.response.send_message(
            f"Paused **{md(paused.name)}**. `/source resume` posts what arrived meanwhile.",
            ephemeral=True,
        )

    @app_commands.command(name="resume", description="Resume a paused or stopped source")
    @app_commands.describe(source=OPTION_HELP["source"])
    @app_commands.autocomplete(source=source_autocomplete)
    async def resume(self, interaction: Interaction, source: str) -> None:
        assert interaction.guild_id is not None
        resumed = await self.app.sources.resume(interaction.guild_id, interaction.user.id, source)
        await interaction.response.send_message(f"Resumed **{md(resumed.name)}**.", ephemeral=True)

    @app_commands.command(name="remove", description="Stop a source; its stories stay searchable")
    @app_commands.describe(source=OPTION_HELP["source"])
    @app_commands.autocomplete(source=source_autocomplete)
    async def remove(self, interaction: Interaction, source: str) -> None:
        assert interaction.guild_id is not None
        removed = await self.app.sources.remove(interaction.guild_id, interaction.user.id, source)
        await interaction.response.send_message(
            f"Removed **{md(removed.name)}**. Its stories stay searchable.", ephemeral=True
        )

    @app_commands.command(name="test", description="Preview a feed's newest item as it would post")
    @app_commands.describe(url=OPTION_HELP["url"], style=OPTION_HELP["style"])
    async def test(self, interaction: Interaction, url: str, style: Style = "brief") -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        payload = await self.app.sources.preview(url, style)
        note = "Preview of the newest item (nothing was saved):"
        if payload.embed is None:
            text = f"{note}\n{payload.content}"
            await interaction.followup.send(
                text if len(text) <= 2000 else payload.content or note, ephemeral=True
            )
        else:
            embed = discord.Embed.from_dict(payload.embed)
            await interaction.followup.send(note, embed=embed, ephemeral=True)

    @app_commands.command(name="import", description="Add every feed of an OPML file")
    @app_commands.describe(
        file="An OPML file (at most 1 MB, 500 feeds)",
        channel="Where their stories are posted (default: this channel)",
    )
    async def import_(
        self,
        interaction: Interaction,
        file: discord.Attachment,
        channel: discord.TextChannel | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        if file.size > MAX_OPML_BYTES:
            raise InvalidOption(f"That file is larger than {MAX_OPML_BYTES // 1024} KB.")
        feeds = read_opml(await file.read())
        await interaction.response.defer(ephemeral=True, thinking=True)
        step = max(len(feeds) // 10, 1)

        async def progress(done: int) -> None:
            if done % step == 0 and done < len(feeds):
                await interaction.edit_original_response(
                    content=f"Importing… {done} of {len(feeds)} feeds checked."
                )

        report = await self.app.sources.import_opml(
            interaction.guild_id,
            channel.id if channel else interaction.channel_id or 0,
            interaction.user.id,
            feeds,
            progress,
        )
        summary = import_summary(report)
        if len(summary) <= 2000:
            await interaction.followup.send(summary, ephemeral=True)
        else:  # every failure is named: in a file when they do not fit a message
            await interaction.followup.send(
                summary.split("\n", 1)[0] + " The failures are listed in the attached file.",
                file=discord.File(io.BytesIO(summary.encode()), filename="import-report.txt"),
                ephemeral=True,
            )

    @app_commands.command(name="export", description="This server's sources as an OPML file")
    async def export(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None
        data = await self.app.sources.export_opml(interaction.guild_id)
        await interaction.response.send_message(
            "This server's sources:",
            ephemeral=True,
            file=discord.File(io.BytesIO(data), filename="newsdesk-sources.opml"),
        )

    async def _send_pages(self, interaction: Interaction, pages: list[discord.Embed]) -> None:
        await interaction.response.send_message(embed=pages[0], ephemeral=True)
        for page in pages[1:]:
            await interaction.followup.send(embed=page, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(SourcesCog(bot.app))  # type: ignore[attr-defined]
