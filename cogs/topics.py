"""/topic: members look topics up in the archive and follow them."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import App
from bot.pipeline.render import clean, truncate
from bot.services.follows import link
from bot.services.topics import MAX_DAYS, MAX_LATEST, NO_RESULTS, Trending
from storage.search import MARK_END, MARK_START, SearchHit, StoryLine

Interaction = discord.Interaction[discord.Client]
DESCRIPTION_LIMIT = 4000
SNIPPET_LIMIT = 300


def snippet_markdown(snippet: str) -> str:
    """A snippet escaped for Discord, its matched words in bold."""
    text = truncate(clean(snippet), SNIPPET_LIMIT)
    if text.count(MARK_START) != text.count(MARK_END) or "**" in text:
        return text.replace(MARK_START, "").replace(MARK_END, "")
    return text.replace(MARK_START, "**").replace(MARK_END, "**")


def _date(line: SearchHit | StoryLine) -> str:
    return discord.utils.format_dt(line.published, "d")


def search_embed(query: str, hits: list[SearchHit]) -> discord.Embed:
    blocks = []
    for number, hit in enumerate(hits, start=1):
        source = f"{truncate(clean(hit.source_name), 80)} · " if hit.source_name else ""
        also = f" · {hit.coverage} sources" if hit.coverage > 1 else ""
        block = f"**{number}.** {link(hit.title, hit.url)}\n{source}{_date(hit)}{also}"
        if hit.snippet:
            block += f"\n> {snippet_markdown(hit.snippet)}"
        blocks.append(block)
    return discord.Embed(
        title=truncate(f"Search: {clean(query)}", 256),
        description=_fit(blocks),
    )


def latest_embed(lines: list[StoryLine], source: str | None) -> discord.Embed:
    blocks = [
        f"**{n}.** {link(line.title, line.url)}\n"
        f"{truncate(clean(line.source_name), 80)} · {_date(line)}"
        for n, line in enumerate(lines, start=1)
    ]
    title = "Latest stories" + (f" from {lines[0].source_name}" if source and lines else "")
    return discord.Embed(title=truncate(clean(title), 256), description=_fit(blocks))


def trending_embed(trending: Trending) -> discord.Embed:
    embed = discord.Embed(title=f"Trending in the last {trending.days} day(s)")
    stories = [
        f"**{n}.** {link(story.title, story.url)}\n"
        f"{story.coverage} source(s): {truncate(clean(', '.join(story.sources)), 200)}"
        for n, story in enumerate(trending.stories, start=1)
    ]
    embed.description = _fit(stories) or "No stories in this period."
    if trending.phrases:
        phrases = " · ".join(clean(p) for p in trending.phrases)
        embed.add_field(name="Key phrases", value=truncate(phrases, 1024), inline=False)
    embed.set_footer(text=f"{trending.items} stories in the period")
    return embed


def _fit(blocks: list[str]) -> str:
    """As many whole blocks as fit an embed description."""
    out: list[str] = []
    size = 0
    for block in blocks:
        block = truncate(block, 900)
        if size + len(block) + 2 > DESCRIPTION_LIMIT:
            break
        out.append(block)
        size += len(block) + 2
    return "\n\n".join(out)


@app_commands.guild_only()
class TopicsCog(commands.GroupCog, group_name="topic", group_description="Look topics up"):
    def __init__(self, app: App) -> None:
        self.app = app
        super().__init__()

    async def _note(self, interaction: Interaction) -> str | None:
        assert interaction.guild_id is not None
        return await self.app.topics.dm_note(interaction.guild_id, interaction.user.id)

    async def _reply(
        self,
        interaction: Interaction,
        text: str | None = None,
        *,
        embed: discord.Embed | None = None,
        public: bool = False,
    ) -> None:
        """Answer (or follow up a deferral); a pending DM note goes along, always private."""
        note = await self._note(interaction)
        if note and not public:
            text = f"{note}\n\n{text}" if text else note
        kwargs: dict[str, object] = {"ephemeral": not public}
        if text:
            kwargs["content"] = truncate(text, 2000)
        if embed is not None:
            kwargs["embed"] = embed
        if interaction.response.is_done():
            await interaction.followup.send(**kwargs)  # type: ignore[call-overload]
        else:
            await interaction.response.send_message(**kwargs)  # type: ignore[arg-type]
        if note and public:
            await interaction.followup.send(note, ephemeral=True)

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
        assert interaction.guild_id is not None
        feed_id = await self.app.topics.feed_of(interaction.guild_id, source)
        await interaction.response.defer(ephemeral=not public, thinking=True)
        hits = await self.app.topics.search(interaction.guild_id, query, days=days, feed_id=feed_id)
        if not hits:
            scope = f" in the last {days} day(s)" if days else ""
            scope += " from that source" if source else ""
            text = NO_RESULTS.format(query=truncate(clean(query), 100), scope=scope)
            await self._reply(interaction, text, public=public)
            return
        await self._reply(interaction, embed=search_embed(query, hits), public=public)

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
        assert interaction.guild_id is not None
        lines = await self.app.topics.latest(interaction.guild_id, source=source, count=count)
        if not lines:
            await self._reply(
                interaction, "No stories are stored yet. Moderators add sources with /source add."
            )
            return
        await self._reply(interaction, embed=latest_embed(lines, source))

    @app_commands.command(
        name="trending", description="The most covered stories and key phrases of a period"
    )
    @app_commands.describe(days="How many days back (default 7)")
    async def trending(
        self, interaction: Interaction, days: app_commands.Range[int, 1, MAX_DAYS] = 7
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        trending = await self.app.topics.trending(interaction.guild_id, days=days)
        await self._reply(interaction, embed=trending_embed(trending))

    @app_commands.command(name="follow", description="Get new stories about keywords by DM")
    @app_commands.describe(keywords="Words that must all be in a story, e.g. open-weight models")
    async def follow(
        self, interaction: Interaction, keywords: app_commands.Range[str, 1, 100]
    ) -> None:
        assert interaction.guild_id is not None
        stored = await self.app.follows.follow(interaction.guild_id, interaction.user.id, keywords)
        await self._reply(
            interaction,
            f"You now follow “{clean(stored)}”. New matching stories reach you by direct "
            "message, at most one message every 10 minutes.",
        )

    @app_commands.command(name="unfollow", description="Stop following keywords")
    @app_commands.describe(keywords="Keywords you follow")
    @app_commands.autocomplete(keywords=followed_autocomplete)
    async def unfollow(
        self, interaction: Interaction, keywords: app_commands.Range[str, 1, 100]
    ) -> None:
        assert interaction.guild_id is not None
        removed = await self.app.follows.unfollow(
            interaction.guild_id, interaction.user.id, keywords
        )
        await self._reply(interaction, f"You no longer follow “{clean(removed)}”.")

    @app_commands.command(name="following", description="The keywords you follow")
    async def following(self, interaction: Interaction) -> None:
        assert interaction.guild_id is not None
        follows = await self.app.follows.following(interaction.guild_id, interaction.user.id)
        if not follows:
            await self._reply(
                interaction, "You follow nothing yet. Start with /topic follow keywords."
            )
            return
        limit = self.app.settings.max_follows_per_member
        embed = discord.Embed(
            title=f"You follow {len(follows)} of at most {limit} topics",
            description=_fit([f"• {clean(f.keywords)}" for f in follows]).replace("\n\n", "\n"),
        )
        embed.set_footer(text="New matching stories reach you by DM; /topic unfollow stops one.")
        await self._reply(interaction, embed=embed)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(TopicsCog(bot.app))  # type: ignore[attr-defined]
