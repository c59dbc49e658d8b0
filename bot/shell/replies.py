"""Reply text for moderator commands: pure formatting, pages that fit Discord."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.pipeline.route import split_keywords
from bot.services.sources import ImportReport, SourceInfo
from bot.shell.paginate import chunk_lines
from storage.models import Source, SourceStatus

EMBED_PAGE = 3900  # an embed description holds 4,096; leave room for the cut marker


def when(moment: datetime | None) -> str:
    return discord.utils.format_dt(moment, "R") if moment else "never"


def md(text: str) -> str:
    return discord.utils.escape_markdown(discord.utils.escape_mentions(text))


def state_of(source: Source, failing_since: datetime | None, last_error: str | None) -> str:
    if source.paused_at:
        return f"paused ({md(source.pause_reason)})" if source.pause_reason else "paused"
    if source.channel_error:
        return f"stopped: {md(source.channel_error)}"
    if failing_since:
        return f"failing since {when(failing_since)}: {md(last_error or 'error')}"
    return "ok"


def status_line(row: SourceStatus) -> str:
    source, feed = row.source, row.feed
    state = state_of(source, feed.failing_since, feed.last_error)
    return (
        f"**{md(source.name)}** (#{source.id}) → <#{source.channel_id}> · {state}\n"
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
        f"**URL:** {source.feed_url}",
        f"**Channel:** <#{source.channel_id}> · **style:** {source.style} · "
        f"**every:** {every} min · **full text:** {'on' if source.fulltext else 'off'}",
        f"**Include:** {md(', '.join(split_keywords(source.include_keywords)) or '—')} · "
        f"**Exclude:** {md(', '.join(split_keywords(source.exclude_keywords)) or '—')}",
    ]


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
        *(f"• {when(e.at)}: {md(e.message)}" for e in info.errors),
    ]
    if not info.errors:
        lines.append("• none")
    lines += ["", "**Last items**"]
    for line in info.items:
        state = _STATE_WORDS.get(line.delivery.state, line.delivery.state)
        why = f" ({md(line.delivery.reason)})" if line.delivery.reason else ""
        title = md(line.title or "untitled")[:150]
        lines.append(f"• {title}: {state}{why}")
    if not info.items:
        lines.append("• none yet")
    lines += ["", "**Changes**"]
    for entry in info.audit:
        lines.append(f"• {when(entry.at)} <@{entry.user_id}> {entry.action}")
    if not info.audit:
        lines.append("• none")
    pages = chunk_lines(lines, EMBED_PAGE)
    return [
        discord.Embed(title=f"{md(source.name)} (#{source.id})"[:256], description=page)
        for page in pages
    ]


def import_summary(report: ImportReport) -> str:
    text = (
        f"Import finished: {len(report.added)} added, {len(report.duplicate)} duplicate, "
        f"{len(report.failed)} failed."
    )
    if report.failed:
        text += "\n" + "\n".join(f"• {url}: {md(why)}" for url, why in report.failed)
    return text
