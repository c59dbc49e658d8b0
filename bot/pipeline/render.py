"""Rendering, purely: an item becomes a Discord message payload within every limit.

Feed text is untrusted: it is escaped for markdown and mentions, cut at word boundaries,
and sent with no allowed mentions (the deliverer does that part).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from bot.brief.model import DETAIL_NAMES, Brief
from bot.pipeline.route import pings
from bot.pipeline.template import fill
from bot.text.limits import (
    AUTHOR_LIMIT,
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_LIMIT,
    FOOTER_LIMIT,
    TITLE_LIMIT,
)
from bot.text.markdown import (
    MessagePayload,
    Persona,
    clean,
    embed_length,
    first_sentences,
    truncate,
)
from storage.models import Item, Source

INTRO_LIMIT = 700
THREAD_NAME_LIMIT = 100
MISMATCH_NOTE = "Note: the headline does not match the article text."

_MENTION_IN_URL = re.compile(r"@(?:everyone|here)|<[@#]")


def render(
    item: Item,
    source: Source,
    feed_title: str,
    brief: Brief | None = None,
    *,
    timezone: str = "UTC",
) -> MessagePayload:
    """The post for one item: the source's template when it has one, else its style.
    Without a brief, `brief` falls back to the summary style. Dates in a template are in
    `timezone` (the server's)."""
    name = source.name or feed_title
    if source.template:
        payload = templated(item, source, brief, source_name=name, timezone=timezone)
    elif source.style == "headline":
        payload = headline(item)
    elif source.style == "brief" and brief is not None:
        payload = brief_post(item, brief, source_name=name)
    else:
        payload = summary(item, source_name=name, brief=brief)
    payload = replace(
        _styled(payload, source),
        thread_name=" ".join(item.title.split())[:THREAD_NAME_LIMIT] or "Untitled",
        tags=item.categories,
        fallback_tag=source.forum_tag,
        open_thread=source.open_threads,
    )
    return with_ping(payload, pings(f"{item.title}\n{item.summary}", source))


def templated(
    item: Item, source: Source, brief: Brief | None, *, source_name: str, timezone: str
) -> MessagePayload:
    """Title and link as the embed's, the filled template as its text."""
    embed = _base_embed(item, source_name)
    text = fill(
        source.template,
        item,
        brief,
        source_name=source_name,
        timezone=timezone,
        limit=DESCRIPTION_LIMIT,
    )
    if text.strip():
        embed["description"] = text
    _fit_total(embed)
    return MessagePayload(embed=embed)


def _styled(payload: MessagePayload, source: Source) -> MessagePayload:
    """The source's embed colour, no picture when it asked for none, and the webhook
    persona it posts as."""
    if source.webhook_name:
        persona = Persona(source.webhook_name, source.webhook_avatar or None)
        payload = replace(payload, persona=persona)
    if payload.embed is None or (source.embed_color is None and source.show_image):
        return payload
    embed = dict(payload.embed)
    if source.embed_color is not None:
        embed["color"] = source.embed_color
    if not source.show_image:
        embed.pop("thumbnail", None)
    return replace(payload, embed=embed)


def with_ping(payload: MessagePayload, role_id: int | None) -> MessagePayload:
    """The post with its role mention in front; the sender allows that role alone."""
    if role_id is None:
        return payload
    mention = f"<@&{role_id}>"
    content = f"{mention} {payload.content}" if payload.content else mention
    return replace(payload, content=content[:CONTENT_LIMIT], ping_role_id=role_id)


def headline(item: Item) -> MessagePayload:
    """Title and bare link as plain content, so Discord unfurls the article."""
    url = item.url if item.url and _is_http(item.url) else ""
    if _MENTION_IN_URL.search(url):  # the bare link is message text: keep it from mentioning
        url = url.replace("@", "%40").replace("<", "%3C").replace(">", "%3E")
    room = CONTENT_LIMIT - len(url) - 1
    title = truncate(clean(item.title) or "Untitled", min(400, room))
    return MessagePayload(content=f"{title}\n{url}" if url else title)


def summary(item: Item, *, source_name: str, brief: Brief | None = None) -> MessagePayload:
    """Title, introduction (the brief's when there is one) and link."""
    embed = _base_embed(item, source_name)
    intro = brief.introduction if brief and brief.introduction else None
    intro = intro or first_sentences(item.summary or item.content)
    if intro:
        embed["description"] = truncate(clean(intro), INTRO_LIMIT)
    return MessagePayload(embed=embed)


def brief_post(item: Item, brief: Brief, *, source_name: str) -> MessagePayload:
    """The house format (product.md section 1): Introduction, Key details, Why it matters,
    Takeaway; every part escaped and within its limit, the whole within 6,000."""
    embed = _base_embed(item, source_name)
    intro = brief.introduction or first_sentences(item.summary or item.content)
    description = truncate(clean(intro), INTRO_LIMIT) if intro else ""
    if brief.title_mismatch:
        note = f"*{MISMATCH_NOTE}*"
        description = f"{truncate(description, INTRO_LIMIT - len(note) - 2)}\n\n{note}".strip()
    if description:
        embed["description"] = description
    fields: list[dict[str, Any]] = []
    details = key_details_text(brief)
    if details:
        fields.append({"name": "Key details", "value": details, "inline": False})
    bullets = [truncate(clean(b), 300) for b in brief.why_it_matters if clean(b)]
    if bullets:
        fields.append(
            {"name": "Why it matters", "value": _lines_within(bullets, "• "), "inline": False}
        )
    if brief.takeaway and clean(brief.takeaway):
        fields.append(
            {
                "name": "Takeaway",
                "value": truncate(clean(brief.takeaway), FIELD_LIMIT),
                "inline": False,
            }
        )
    if fields:
        embed["fields"] = fields
    _fit_total(embed)
    return MessagePayload(embed=embed)


def key_details_text(brief: Brief) -> str:
    """The Key details field: one bold-labelled line per detail the article gives."""
    lines = []
    for name in DETAIL_NAMES:
        value = getattr(brief.key_details, name)
        if value and clean(value):
            lines.append((f"**{name.capitalize()}:** ", truncate(clean(value), 400)))
    return _lines_within([value for _, value in lines], "", labels=[label for label, _ in lines])


def _lines_within(
    values: list[str], prefix: str, *, labels: list[str] | None = None, limit: int = FIELD_LIMIT
) -> str:
    """Lines joined within `limit`: later lines are shortened, then dropped, never cut
    mid-markup."""
    labels = labels or [prefix] * len(values)
    out: list[str] = []
    for label, value in zip(labels, values, strict=True):
        room = limit - len("\n".join(out)) - (1 if out else 0) - len(label)
        if room < 20:
            break
        out.append(label + truncate(value, room))
    return "\n".join(out)


def _fit_total(embed: dict[str, Any]) -> None:
    """Drop fields from the end (then shorten the description) until within 6,000."""
    while embed_length(embed) > EMBED_TOTAL_LIMIT and embed.get("fields"):
        embed["fields"].pop()
    if embed_length(embed) > EMBED_TOTAL_LIMIT and "description" in embed:
        over = embed_length(embed) - EMBED_TOTAL_LIMIT
        embed["description"] = truncate(embed["description"], len(embed["description"]) - over)
    if not embed.get("fields"):
        embed.pop("fields", None)


def _base_embed(item: Item, source_name: str) -> dict[str, Any]:
    embed: dict[str, Any] = {
        "type": "rich",
        "title": truncate(clean(item.title) or "Untitled", TITLE_LIMIT),
        "author": {"name": truncate(clean(source_name) or "newsdesk", AUTHOR_LIMIT)},
        "footer": {"text": truncate(clean(source_name) or "newsdesk", FOOTER_LIMIT)},
        "timestamp": (item.published_at or item.first_seen_at).isoformat(),
    }
    if item.url and _is_http(item.url):
        embed["url"] = item.url
    if item.image_url and _is_http(item.image_url):
        embed["thumbnail"] = {"url": item.image_url}
    return embed


def _is_http(url: str) -> bool:
    return url.startswith(("http://", "https://")) and len(url) <= 1500
