"""/source: moderators add, tune and remove news sources."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import App
from bot.errors import InvalidOption
from bot.services.opml import MAX_OPML_BYTES, read_opml
from bot.services.sources import AddRequest, SourceChanges
from bot.shell.client import NewsBot
from bot.shell.interactions import (
    Interaction,
    PostChannel,
    PostChannelOption,
    channel_name,
    guild_id,
)
from bot.shell.permissions import is_moderator, moderator_check
from bot.shell.replies import (
    added_text,
    answer,
    answer_pages,
    as_file,
    defer,
    edited_text,
    import_reply,
    info_pages,
    list_pages,
    paused_text,
    payload_embed,
    preview_reply,
    resumed_text,
    show_progress,
)
from bot.text.markdown import clean

Style = Literal["brief", "summary", "headline", "digest"]
ChannelOption = app_commands.Transform[PostChannel, PostChannelOption]
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
ADD_HELP = {k: v for k, v in OPTION_HELP.items() if k != "source"}
EDIT_HELP = {
    **{k: v for k, v in OPTION_HELP.items() if k not in ("url", "backfill")},
    "include_regex": "Only items matching this regular expression are posted (none: off)",
    "exclude_regex": "Items matching this regular expression are not posted (none: off)",
    "ping_role": "A role to mention when an item matches the ping keywords",
    "ping_keywords": "Comma-separated keywords that ping the role (none: no pings)",
    "template": "Post text with placeholders such as {title} {introduction} {who} (none: off)",
    "color": "Embed colour as #RRGGBB (none: Discord's default)",
    "image": "Show the item's picture (default: yes)",
    "webhook_name": "Post through a channel webhook under this name (none: as newsdesk)",
    "webhook_avatar": "The webhook posts' picture, an https:// URL (none: the default)",
    "forum_tag": "In a forum: the tag for posts whose categories match no tag (none: off)",
    "threads": "Open a discussion thread on each post (text channels)",
}


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class SourcesCog(commands.GroupCog, group_name="source", group_description="Manage news sources"):
    def __init__(self, app: App) -> None:
        self.app = app
        super().__init__()

    async def interaction_check(self, interaction: Interaction) -> bool:
        # Every command here is a moderator command, whatever the guild's overrides say.
        return await moderator_check(interaction, self.app.storage)

    async def source_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None or not await is_moderator(interaction, self.app.storage):
            return []
        sources = await self.app.sources.matching(interaction.guild_id, current)
        return [
            app_commands.Choice(
                name=f"{s.name} — #{channel_name(interaction, s.channel_id)} — {s.feed_url}"[:100],
                value=str(s.id),
            )
            for s in sources[:25]
        ]

    async def merged_autocomplete(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        source = getattr(interaction.namespace, "source", None)
        if interaction.guild_id is None or not source:
            return []
        if not await is_moderator(interaction, self.app.storage):
            return []
        found = await self.app.sources.merged_items(interaction.guild_id, str(source), current)
        return [
            app_commands.Choice(name=f"{m.title or 'untitled'}"[:100], value=str(m.item_id))
            for m in found[:25]
        ]

    @app_commands.command(name="add", description="Follow a feed (or a page that links to one)")
    @app_commands.describe(**ADD_HELP)
    async def add(
        self,
        interaction: Interaction,
        url: str,
        channel: ChannelOption | None = None,
        name: str | None = None,
        every: Minutes | None = None,
        include: str | None = None,
        exclude: str | None = None,
        style: Style = "brief",
        backfill: app_commands.Range[int, 0, 10] = 0,
        fulltext: bool = False,
    ) -> None:
        guild = guild_id(interaction)
        await defer(interaction)
        result = await self.app.sources.add(
            AddRequest(
                guild_id=guild,
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
        await answer(interaction, added_text(result), embed=payload_embed(result.preview))

    @app_commands.command(name="list", description="This server's sources and their state")
    async def list(self, interaction: Interaction) -> None:
        rows = await self.app.sources.statuses(guild_id(interaction))
        if not rows:
            await answer(interaction, "This server has no sources yet. Add one with /source add.")
            return
        await answer_pages(interaction, list_pages(rows))

    @app_commands.command(name="info", description="One source in detail: settings, errors, items")
    @app_commands.describe(source=OPTION_HELP["source"])
    @app_commands.autocomplete(source=source_autocomplete)
    async def info(self, interaction: Interaction, source: str) -> None:
        info = await self.app.sources.info(guild_id(interaction), source)
        await answer_pages(interaction, info_pages(info))

    @app_commands.command(name="edit", description="Change a source's settings")
    @app_commands.describe(**EDIT_HELP)
    @app_commands.autocomplete(source=source_autocomplete)
    async def edit(
        self,
        interaction: Interaction,
        source: str,
        channel: ChannelOption | None = None,
        name: str | None = None,
        every: Minutes | None = None,
        include: str | None = None,
        exclude: str | None = None,
        style: Style | None = None,
        fulltext: bool | None = None,
        include_regex: str | None = None,
        exclude_regex: str | None = None,
        ping_role: discord.Role | None = None,
        ping_keywords: str | None = None,
        template: str | None = None,
        color: str | None = None,
        image: bool | None = None,
        webhook_name: str | None = None,
        webhook_avatar: str | None = None,
        forum_tag: str | None = None,
        threads: bool | None = None,
    ) -> None:
        changes = SourceChanges(
            channel_id=channel.id if channel else None,
            name=name,
            every_minutes=every,
            include=include,
            exclude=exclude,
            style=style,
            fulltext=fulltext,
            include_regex=include_regex,
            exclude_regex=exclude_regex,
            ping_role_id=ping_role.id if ping_role else None,
            ping_keywords=ping_keywords,
            template=template,
            color=color,
            show_image=image,
            webhook_name=webhook_name,
            webhook_avatar=webhook_avatar,
            forum_tag=forum_tag,
            open_threads=threads,
        )
        if changes.wants_webhook:
            await self._check_webhooks_allowed(interaction, source, channel)
        edited = await self.app.sources.edit(
            guild_id(interaction), interaction.user.id, source, changes
        )
        await answer(interaction, edited_text(edited))

    async def _check_webhooks_allowed(
        self, interaction: Interaction, source: str, channel: PostChannel | None
    ) -> None:
        """Raises InvalidOption when newsdesk may not manage webhooks where the source posts."""
        guild = interaction.guild
        if guild is None:
            return
        if channel is None:
            found = await self.app.sources.find(guild.id, source)
            where = guild.get_channel(found.channel_id)
        else:
            where = channel
        if isinstance(where, discord.ForumChannel):
            raise InvalidOption(
                "Webhook posts work in text channels; in a forum newsdesk posts as itself."
            )
        if (
            isinstance(where, discord.TextChannel)
            and not where.permissions_for(guild.me).manage_webhooks
        ):
            raise InvalidOption(
                f"newsdesk needs the Manage Webhooks permission in <#{where.id}> to post "
                "there as a webhook. Grant it, then set `webhook_name` again."
            )

    @app_commands.command(name="pause", description="Stop polling and posting a source for now")
    @app_commands.describe(source=OPTION_HELP["source"])
    @app_commands.autocomplete(source=source_autocomplete)
    async def pause(self, interaction: Interaction, source: str) -> None:
        paused = await self.app.sources.pause(guild_id(interaction), interaction.user.id, source)
        await answer(interaction, paused_text(paused))

    @app_commands.command(name="resume", description="Resume a paused or stopped source")
    @app_commands.describe(source=OPTION_HELP["source"])
    @app_commands.autocomplete(source=source_autocomplete)
    async def resume(self, interaction: Interaction, source: str) -> None:
        resumed = await self.app.sources.resume(guild_id(interaction), interaction.user.id, source)
        await answer(interaction, resumed_text(resumed))

    @app_commands.command(name="remove", description="Stop a source; its stories stay searchable")
    @app_commands.describe(source=OPTION_HELP["source"])
    @app_commands.autocomplete(source=source_autocomplete)
    async def remove(self, interaction: Interaction, source: str) -> None:
        removed = await self.app.sources.remove(guild_id(interaction), interaction.user.id, source)
        await answer(
            interaction, f"Removed **{clean(removed.name)}**. Its stories stay searchable."
        )

    @app_commands.command(name="unmerge", description="Post an item that was merged on its own")
    @app_commands.describe(
        source=OPTION_HELP["source"], item="The merged item (its title or number)"
    )
    @app_commands.autocomplete(source=source_autocomplete, item=merged_autocomplete)
    async def unmerge(self, interaction: Interaction, source: str, item: str) -> None:
        found, unmerged = await self.app.sources.unmerge(
            guild_id(interaction), interaction.user.id, source, item
        )
        title = clean(unmerged.title or "untitled")[:150]
        await answer(interaction, f"**{title}** ({clean(found.name)}) will be posted on its own.")

    @app_commands.command(name="test", description="Preview a feed's newest item as it would post")
    @app_commands.describe(
        url=OPTION_HELP["url"], style=OPTION_HELP["style"], template=EDIT_HELP["template"]
    )
    async def test(
        self, interaction: Interaction, url: str, style: Style = "brief", template: str = ""
    ) -> None:
        await defer(interaction)
        payload = await self.app.sources.preview(
            url, style, template=template, guild_id=interaction.guild_id
        )
        text, embed = preview_reply(payload)
        await answer(interaction, text, embed=embed)

    @app_commands.command(name="import", description="Add every feed of an OPML file")
    @app_commands.describe(
        file="An OPML file (at most 1 MB, 500 feeds)",
        channel="Where their stories are posted (default: this channel)",
    )
    async def import_(
        self,
        interaction: Interaction,
        file: discord.Attachment,
        channel: ChannelOption | None = None,
    ) -> None:
        guild = guild_id(interaction)
        if file.size > MAX_OPML_BYTES:
            raise InvalidOption(f"That file is larger than {MAX_OPML_BYTES // 1024} KB.")
        feeds = read_opml(await file.read())
        await defer(interaction)
        step = max(len(feeds) // 10, 1)

        async def progress(done: int) -> None:
            if done % step == 0 and done < len(feeds):
                await show_progress(
                    interaction, f"Importing… {done} of {len(feeds)} feeds checked."
                )

        report = await self.app.sources.import_opml(
            guild,
            channel.id if channel else interaction.channel_id or 0,
            interaction.user.id,
            feeds,
            progress,
        )
        await show_progress(interaction, f"Import finished: {len(feeds)} of {len(feeds)} checked.")
        text, report_file = import_reply(report)
        await answer(interaction, text, file=report_file)

    @app_commands.command(name="export", description="This server's sources as an OPML file")
    async def export(self, interaction: Interaction) -> None:
        data = await self.app.sources.export_opml(guild_id(interaction))
        await answer(
            interaction, "This server's sources:", file=as_file(data, "newsdesk-sources.opml")
        )


async def setup(bot: NewsBot) -> None:
    await bot.add_cog(SourcesCog(bot.app))
