"""How commands answer, and what they answer with.

Cogs answer only through the helpers of the first part (`defer`, `answer`, `answer_pages`,
`show_progress`): private unless asked otherwise, the first response or a follow-up as the
interaction needs, text cut to Discord's limit. The rest builds the replies, pure
formatting per command group: text and embeds that fit Discord, user text escaped.
"""

from __future__ import annotations

import io
import os
import socket
from collections.abc import Sequence
from datetime import datetime

import discord
from discord.utils import MISSING

from bot import __version__
from bot.loop_monitor import LagStats
from bot.pipeline.route import split_keywords
from bot.services.sources import (
    AddResult,
    Changed,
    ImportReport,
    SettingChange,
    SourceInfo,
    setting_changes,
)
from bot.services.topics import NO_RESULTS, Trending
from bot.shell.interactions import Interaction
from bot.shell.paginate import chunk_lines
from bot.text.limits import CONTENT_LIMIT, FIELD_LIMIT, TITLE_LIMIT
from bot.text.markdown import MessagePayload, clean, link, truncate
from storage.follows import Follow
from storage.models import GuildSettings, GuildStatus, Source, SourceStatus
from storage.search import MARK_END, MARK_START, SearchHit, StoryLine

# ---------------------------------------------------------------------------------------
# Answering


async def defer(interaction: Interaction, *, public: bool = False) -> None:
    """Acknowledge now ("newsdesk is thinking…") when the work may take longer than
    Discord's 3 seconds; the answer then follows up."""
    await interaction.response.defer(ephemeral=not public, thinking=True)


async def answer(
    interaction: Interaction,
    text: str | None = None,
    *,
    embed: discord.Embed | None = None,
    file: discord.File | None = None,
    public: bool = False,
    note: str | None = None,
) -> None:
    """Answer the command: the response, or a follow-up when it was deferred or answered
    already. Private unless `public`. `note` is a line for the member alone: it leads a
    private answer, and follows a public one as its own private message."""
    if note and not public:
        text = f"{note}\n\n{text}" if text else note
    content = truncate(text, CONTENT_LIMIT) if text else None
    if interaction.response.is_done():
        await interaction.followup.send(
            content if content is not None else MISSING,
            embed=embed if embed is not None else MISSING,
            file=file if file is not None else MISSING,
            ephemeral=not public,
        )
    else:
        await interaction.response.send_message(
            content,
            embed=embed if embed is not None else MISSING,
            file=file if file is not None else MISSING,
            ephemeral=not public,
        )
    if note and public:
        await interaction.followup.send(note, ephemeral=True)


async def answer_pages(interaction: Interaction, pages: Sequence[discord.Embed]) -> None:
    """Answer privately with one embed per page: the first as the answer, the rest as
    follow-ups."""
    for page in pages:
        await answer(interaction, embed=page)


async def show_progress(interaction: Interaction, text: str) -> None:
    """Replace the deferred answer's "thinking…" with a progress line."""
    await interaction.edit_original_response(content=text)


def as_file(data: bytes, filename: str) -> discord.File:
    """Bytes as an attachment of an answer."""
    return discord.File(io.BytesIO(data), filename=filename)


# ---------------------------------------------------------------------------------------
# Formatting shared by the groups

EMBED_PAGE = 3900  # an embed description holds 4,096; leave room for the cut marker
STORY_LIST_LIMIT = 4000  # what a list of stories may fill of an embed description
SNIPPET_LIMIT = 300


def when(moment: datetime | None) -> str:
    return discord.utils.format_dt(moment, "R") if moment else "never"


def _fit(blocks: list[str]) -> str:
    """As many whole blocks as fit an embed description."""
    out: list[str] = []
    size = 0
    for block in blocks:
        block = truncate(block, 900)
        if size + len(block) + 2 > STORY_LIST_LIMIT:
            break
        out.append(block)
        size += len(block) + 2
    return "\n\n".join(out)


# ---------------------------------------------------------------------------------------
# /newsdesk


def status_embed(
    status: GuildStatus,
    lag: LagStats | None = None,
    *,
    shard: tuple[int, discord.Client] | None = None,
) -> discord.Embed:
    """The health of a guild, and (for the operator) which shard and process answered."""
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
    footer = f"newsdesk {__version__}"
    if shard is not None:
        shard_id, client = shard
        count = client.shard_count or 1
        footer += f" · shard {shard_id} of {count} · process {socket.gethostname()}:{os.getpid()}"
    embed.set_footer(text=footer)
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


# ---------------------------------------------------------------------------------------
# /source


def payload_embed(payload: MessagePayload | None) -> discord.Embed | None:
    """The embed of a rendered post (a preview), if it has one."""
    if payload is None or payload.embed is None:
        return None
    return discord.Embed.from_dict(payload.embed)


def added_text(result: AddResult) -> str:
    posting = f" Posting the newest {result.posting} now." if result.posting else ""
    return (
        f"Added **{clean(result.source.name)}** (#{result.source.id}) → "
        f"<#{result.source.channel_id}>: {result.item_count} items, newest "
        f"“{truncate(clean(result.newest_title or 'untitled'), 200)}”.{posting} New stories "
        "will be posted "
        "as they appear."
    )


PREVIEW_NOTE = "Preview of the newest item (nothing was saved):"


def preview_reply(payload: MessagePayload) -> tuple[str, discord.Embed | None]:
    """/source test: the note and the post as it would look (an embed, or its text)."""
    embed = payload_embed(payload)
    if embed is not None:
        return PREVIEW_NOTE, embed
    text = f"{PREVIEW_NOTE}\n{payload.content}"
    return (text if len(text) <= CONTENT_LIMIT else payload.content or PREVIEW_NOTE), None


def state_of(source: Source, failing_since: datetime | None, last_error: str | None) -> str:
    if source.paused_at:
        return f"paused ({clean(source.pause_reason)})" if source.pause_reason else "paused"
    if source.channel_error:
        return f"stopped: {clean(source.channel_error)}"
    if failing_since:
        return f"failing since {when(failing_since)}: {clean(last_error or 'error')}"
    return "ok"


def status_line(row: SourceStatus) -> str:
    source, feed = row.source, row.feed
    state = state_of(source, feed.failing_since, feed.last_error)
    return (
        f"**{clean(source.name)}** (#{source.id}) → <#{source.channel_id}> · {state}\n"
        f"  last poll {when(feed.last_polled_at)} · next poll {when(feed.next_due_at)} · "
        f"{row.posted} posted"
    )


def list_pages(rows: list[SourceStatus]) -> list[discord.Embed]:
    pages = chunk_lines((status_line(row) for row in rows), EMBED_PAGE)
    embeds = []
    for number, page in enumerate(pages, start=1):
        embed = discord.Embed(title=f"Sources ({len(rows)})", description=page)
        if len(pages) > 1:
            embed.set_footer(text=f"Page {number} of {len(pages)}")
        embeds.append(embed)
    return embeds


def settings_lines(source: Source) -> list[str]:
    every = source.interval_seconds // 60 or 1
    return [
        f"**URL:** {clean(source.feed_url)}",
        f"**Channel:** <#{source.channel_id}> · **style:** {source.style} · "
        f"**every:** {every} min · **full text:** {'on' if source.fulltext else 'off'}",
        f"**Include:** {clean(', '.join(split_keywords(source.include_keywords)) or '—')} · "
        f"**Exclude:** {clean(', '.join(split_keywords(source.exclude_keywords)) or '—')}",
        *_pattern_and_ping_lines(source),
    ]


def _pattern_and_ping_lines(source: Source) -> list[str]:
    lines = []
    if source.include_regex or source.exclude_regex:
        lines.append(
            f"**Include pattern:** {_shown(source.include_regex)} · "
            f"**Exclude pattern:** {_shown(source.exclude_regex)}"
        )
    if source.ping_role_id and source.ping_keywords:
        keywords = clean(", ".join(split_keywords(source.ping_keywords)))
        lines.append(f"**Ping:** <@&{source.ping_role_id}> on {keywords}")
    if source.template:
        lines.append(f"**Template:** {_shown(source.template)}")
    if source.webhook_name:
        lines.append(f"**Posts as:** {_shown(source.webhook_name)} (through a channel webhook)")
    if source.forum_tag or source.open_threads:
        threads = "on" if source.open_threads else "off"
        lines.append(f"**Forum tag:** {_shown(source.forum_tag)} · **threads:** {threads}")
    if source.embed_color is not None or not source.show_image:
        picture = "shown" if source.show_image else "hidden"
        lines.append(f"**Colour:** {_color(source.embed_color)} · **picture:** {picture}")
    return lines


def _minutes(seconds: object) -> str:
    return str(int(seconds) // 60 or 1) if isinstance(seconds, int) else "?"


def _shown(value: object) -> str:
    text = "" if value is None else str(value)
    return truncate(clean(text), 100) if text else "—"


def change_text(change: SettingChange) -> str:
    """One changed setting, as "every 15 → 30 min"."""
    before, after = change.before, change.after
    match change.setting:
        case "interval_seconds":
            return f"every {_minutes(before)} → {_minutes(after)} min"
        case "channel_id":
            return f"channel <#{before}> → <#{after}>"
        case "fulltext":
            return f"full text {'on' if before else 'off'} → {'on' if after else 'off'}"
        case "paused":
            return f"{'paused' if before else 'active'} → {'paused' if after else 'active'}"
        case "channel_error":
            return f"stopped {_shown(before)} → {_shown(after)}"
        case "ping_role_id":
            return f"ping role {_role(before)} → {_role(after)}"
        case "embed_color":
            return f"colour {_color(before)} → {_color(after)}"
        case "show_image":
            return f"picture {'shown' if before else 'hidden'} → {'shown' if after else 'hidden'}"
        case "name" | "url" | "include" | "exclude" as setting:
            label = "URL" if setting == "url" else setting
            return f"{label} {_shown(before)} → {_shown(after)}"
        case setting:
            return f"{setting} {_shown(before)} → {_shown(after)}"


def _color(value: object) -> str:
    return f"#{value:06x}" if isinstance(value, int) else "default"


def _role(role_id: object) -> str:
    return f"<@&{role_id}>" if role_id else "—"


def changes_text(changes: Sequence[SettingChange]) -> str:
    return ", ".join(change_text(change) for change in changes)


def edited_text(result: Changed) -> str:
    """/source edit: what changed, or that nothing did."""
    name = clean(result.source.name)
    if not result.changed:
        return f"Nothing changed: **{name}** already has those settings."
    return f"Updated **{name}**: {changes_text(result.changes)}."


def paused_text(result: Changed) -> str:
    name = clean(result.source.name)
    if not result.changed:
        return f"**{name}** is already paused. `/source resume` starts it again."
    return f"Paused **{name}**. `/source resume` posts what arrived meanwhile."


def resumed_text(result: Changed) -> str:
    name = clean(result.source.name)
    if not result.changed:
        return f"**{name}** is not paused: it is already running."
    return f"Resumed **{name}**."


_STATE_WORDS = {
    "sent": "posted",
    "pending": "waiting",
    "skipped": "not posted",
    "filtered": "filtered out",
    "failed": "failed",
    "merged": "merged into an earlier post",
    "digest": "kept for the digest",
}


def info_pages(info: SourceInfo) -> list[discord.Embed]:
    source, feed = info.source, info.feed
    lines = [
        *settings_lines(source),
        f"**State:** {state_of(source, feed.failing_since, feed.last_error)}",
        f"**Last poll:** {when(feed.last_polled_at)} · **next:** {when(feed.next_due_at)}",
        "",
        "**Recent errors**",
        *(f"• {when(e.at)}: {clean(e.message)}" for e in info.errors),
    ]
    if not info.errors:
        lines.append("• none")
    lines += ["", "**Last items**"]
    for line in info.items:
        state = _STATE_WORDS.get(line.delivery.state, line.delivery.state)
        if line.merged_into is not None:
            channel, message = line.merged_into
            link = f"https://discord.com/channels/{source.guild_id}/{channel}/{message}"
            state = f"merged into an earlier post: {link}"
        why = f" ({clean(line.delivery.reason)})" if line.delivery.reason else ""
        title = clean(line.title or "untitled")[:150]
        lines.append(f"• {title}: {state}{why}")
    if not info.items:
        lines.append("• none yet")
    lines += ["", "**Changes**"]
    for entry in info.audit:
        changes = changes_text(setting_changes(entry.before, entry.after))
        lines.append(
            f"• {when(entry.at)} <@{entry.user_id}> {entry.action}"
            + (f": {changes}" if changes else "")
        )
    if not info.audit:
        lines.append("• none")
    pages = chunk_lines(lines, EMBED_PAGE)
    return [
        discord.Embed(title=f"{clean(source.name)} (#{source.id})"[:TITLE_LIMIT], description=page)
        for page in pages
    ]


def import_summary(report: ImportReport) -> str:
    text = (
        f"Import finished: {len(report.added)} added, {len(report.duplicate)} duplicate, "
        f"{len(report.failed)} failed."
    )
    if report.failed:
        text += "\n" + "\n".join(f"• {clean(url)}: {clean(why)}" for url, why in report.failed)
    return text


def import_reply(report: ImportReport) -> tuple[str, discord.File | None]:
    """The import's summary; every failure is named, in a file when they do not fit."""
    summary = import_summary(report)
    if len(summary) <= CONTENT_LIMIT:
        return summary, None
    first = summary.split("\n", 1)[0]
    return (
        f"{first} The failures are listed in the attached file.",
        as_file(summary.encode(), "import-report.txt"),
    )


# ---------------------------------------------------------------------------------------
# /topic


def snippet_markdown(snippet: str) -> str:
    """A snippet escaped for Discord, its matched words in bold."""
    text = truncate(clean(snippet), SNIPPET_LIMIT)
    if text.count(MARK_START) != text.count(MARK_END) or "**" in text:
        return text.replace(MARK_START, "").replace(MARK_END, "")
    return text.replace(MARK_START, "**").replace(MARK_END, "**")


def no_results_text(query: str, days: int | None, *, from_source: bool) -> str:
    scope = f" in the last {days} day(s)" if days else ""
    scope += " from that source" if from_source else ""
    return NO_RESULTS.format(query=truncate(clean(query), 100), scope=scope)


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
        title=truncate(f"Search: {clean(query)}", TITLE_LIMIT),
        description=_fit(blocks),
    )


def latest_embed(lines: list[StoryLine], source: str | None) -> discord.Embed:
    blocks = [
        f"**{n}.** {link(line.title, line.url)}\n"
        f"{truncate(clean(line.source_name), 80)} · {_date(line)}"
        for n, line in enumerate(lines, start=1)
    ]
    title = "Latest stories" + (f" from {lines[0].source_name}" if source and lines else "")
    return discord.Embed(title=truncate(clean(title), TITLE_LIMIT), description=_fit(blocks))


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
        embed.add_field(name="Key phrases", value=truncate(phrases, FIELD_LIMIT), inline=False)
    embed.set_footer(text=f"{trending.items} stories in the period")
    return embed


def following_embed(follows: list[Follow], limit: int) -> discord.Embed:
    embed = discord.Embed(
        title=f"You follow {len(follows)} of at most {limit} topics",
        description=_fit([f"• {clean(f.keywords)}" for f in follows]).replace("\n\n", "\n"),
    )
    embed.set_footer(text="New matching stories reach you by DM; /topic unfollow stops one.")
    return embed
