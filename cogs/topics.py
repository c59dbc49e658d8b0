"""/topic: members look topics up in the archive and follow them."""

from __future__ import annotations

from discord import app_commands
from discord.ext import commands

from bot.app import App
from bot.services.topics import MAX_DAYS, MAX_LATEST
from bot.shell.client import NewsBot
from bot.shell.interactions import Interaction, guild_id
from bot.shell.replies import (
    answer,
    defer,
    following_embed,
    latest_embed,
    no_results_text,
    search_embed,
    trending_embed,
)
from bot.text.markdown import clean


@app_commands.guild_only()
class TopicsCog(commands.GroupCog, group_name="topic", group_description="Look topics up"):
    def __init__(self, app: App) -> None:
        self.app = app
        super().__init__()

    async def _note(self, interaction: Interaction) -> str | None:
        """The member's pending note (their DMs were found closed), taken once."""
        return await self.app.topics.dm_note(guild_id(interaction), interaction.user.id)

    async def query_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        phrases = await self.app.topics.suggest(interaction.guild_id, current)
        return [app_commands.Choice(name=p[:100], value=p[:100]) for p in phrases[:25]]

    async def source_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        names = await self.app.topics.source_names(interaction.guild_id, current)
        return [app_commands.Choice(name=n[:100], value=v) for n, v in names[:25]]

    async def followed_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        follows = await self.app.follows.following(interaction.guild_id, interaction.user.id)
        typed = current.lower().strip()
        return [
            app_commands.Choice(name=f.keywords[:100], value=f.keywords[:100])
            for f in follows
            if typed in f.keywords
        ][:25]

    @app_commands.command(name="search", description="Search this server's stored stories")
    @app_commands.describe(
        query="Words to look for; the last word also matches as a prefix",
        days="Only stories of the last N days",
        source="Only stories of this source",
        public="Show the results to the channel (default: only you)",
    )
    @app_commands.autocomplete(query=query_autocomplete, source=source_autocomplete)
    async def search(
        self,
        interaction: Interaction,
        query: app_commands.Range[str, 1, 200],
        days: app_commands.Range[int, 1, MAX_DAYS] | None = None,
        source: str | None = None,
        public: bool = False,
    ) -> None:
        guild = guild_id(interaction)
        feed_id = await self.app.topics.feed_of(guild, source)
        await defer(interaction, public=public)
        hits = await self.app.topics.search(guild, query, days=days, feed_id=feed_id)
        note = await self._note(interaction)
        if not hits:
            text = no_results_text(query, days, from_source=source is not None)
            await answer(interaction, text, public=public, note=note)
            return
        await answer(interaction, embed=search_embed(query, hits), public=public, note=note)

    @app_commands.command(name="latest", description="The newest stories")
    @app_commands.describe(
        source="Only stories of this source", count="How many stories (1-10, default 5)"
    )
    @app_commands.autocomplete(source=source_autocomplete)
    async def latest(
        self,
        interaction: Interaction,
        source: str | None = None,
        count: app_commands.Range[int, 1, MAX_LATEST] = 5,
    ) -> None:
        lines = await self.app.topics.latest(guild_id(interaction), source=source, count=count)
        note = await self._note(interaction)
        if not lines:
            text = "No stories are stored yet. Moderators add sources with /source add."
            await answer(interaction, text, note=note)
            return
        await answer(interaction, embed=latest_embed(lines, source), note=note)

    @app_commands.command(
        name="trending", description="The most covered stories and key phrases of a period"
    )
    @app_commands.describe(days="How many days back (default 7)")
    async def trending(
        self, interaction: Interaction, days: app_commands.Range[int, 1, MAX_DAYS] = 7
    ) -> None:
        guild = guild_id(interaction)
        await defer(interaction)
        trending = await self.app.topics.trending(guild, days=days)
        note = await self._note(interaction)
        await answer(interaction, embed=trending_embed(trending), note=note)

    @app_commands.command(name="follow", description="Get new stories about keywords by DM")
    @app_commands.describe(keywords="Words that must all be in a story, e.g. open-weight models")
    async def follow(
        self, interaction: Interaction, keywords: app_commands.Range[str, 1, 100]
    ) -> None:
        stored = await self.app.follows.follow(guild_id(interaction), interaction.user.id, keywords)
        note = await self._note(interaction)
        await answer(
            interaction,
            f"You now follow “{clean(stored)}”. New matching stories reach you by direct "
            "message, at most one message every 10 minutes.",
            note=note,
        )

    @app_commands.command(name="unfollow", description="Stop following keywords")
    @app_commands.describe(keywords="Keywords you follow")
    @app_commands.autocomplete(keywords=followed_autocomplete)
    async def unfollow(
        self, interaction: Interaction, keywords: app_commands.Range[str, 1, 100]
    ) -> None:
        removed = await self.app.follows.unfollow(
            guild_id(interaction), interaction.user.id, keywords
        )
        note = await self._note(interaction)
        await answer(interaction, f"You no longer follow “{clean(removed)}”.", note=note)

    @app_commands.command(name="following", description="The keywords you follow")
    async def following(self, interaction: Interaction) -> None:
        follows = await self.app.follows.following(guild_id(interaction), interaction.user.id)
        note = await self._note(interaction)
        if not follows:
            text = "You follow nothing yet. Start with /topic follow keywords."
            await answer(interaction, text, note=note)
            return
        limit = self.app.settings.max_follows_per_member
        await answer(interaction, embed=following_embed(follows, limit), note=note)


async def setup(bot: NewsBot) -> None:
    await bot.add_cog(TopicsCog(bot.app))
