"""Message templates (#22): a source's own post text with `{placeholders}`, checked when a
moderator saves it and filled at delivery. Pure functions.

The moderator's text is kept as written (their markdown); every value from the feed is
escaped like any other post, and posts go out with no allowed mentions whatever the text
says. Placeholders are exact names: `{title.__class__}` or `{title!r}` are refused, never
evaluated.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from datetime import datetime
from string import Formatter
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.brief.model import DETAIL_NAMES, Brief
from bot.text.markdown import clean, first_sentences, safe_url, truncate
from storage.models import Item

PLACEHOLDERS = (
    "title",
    "link",
    "source",
    "published",
    "introduction",
    *DETAIL_NAMES,
    "why_it_matters",
    "takeaway",
    "summary",
    "image",
    "categories",
    "author",
)
TEMPLATE_LIMIT = 2000  # the template as typed; what it expands to is fitted at delivery
DATE_FORMAT = "%d %b %Y, %H:%M %Z"  # {published} without a format: "03 Dec 2026, 14:05 CET"
_FORMAT_LIMIT = 60
_VALUE_LIMIT = 1024  # one value, before the whole is fitted


def template_problem(text: str) -> str | None:
    """Why `text` cannot be a template, as one sentence for the moderator; None when it can."""
    if len(text) > TEMPLATE_LIMIT:
        return f"A template can be at most {TEMPLATE_LIMIT} characters (this one has {len(text)})."
    try:
        fields = [
            (name, spec or "", conv)
            for _, name, spec, conv in Formatter().parse(text)
            if name is not None
        ]
    except ValueError as exc:
        return f"The template cannot be read ({exc}); write a literal brace as {{{{ or }}}}."
    for name, spec, conversion in fields:
        if not name:
            return "Every {} in a template needs a name, as in {title}."
        if name not in PLACEHOLDERS:
            near = difflib.get_close_matches(name, PLACEHOLDERS, n=1, cutoff=0.5)
            hint = f"did you mean {{{near[0]}}}?" if near else "see /source edit's help."
            return f"The template has no placeholder {{{name[:50]}}}: {hint}"
        if conversion:
            return f"Write {{{name}}} without !{conversion}: values are shown as text."
        if spec and name != "published":
            return (
                f"Only {{published}} takes a format (as in {{published:%d %b %Y}}), not {{{name}}}."
            )
        if len(spec) > _FORMAT_LIMIT or "{" in spec:
            return f"The date format of {{published}} can be at most {_FORMAT_LIMIT} characters."
    return None


def fill(
    template: str,
    item: Item,
    brief: Brief | None,
    *,
    source_name: str,
    timezone: str,
    limit: int,
) -> str:
    """The template with every placeholder replaced, within `limit` characters: the
    moderator's text is kept whole and the values share the room left, in order."""
    parts = list(Formatter().parse(template))
    room = limit - sum(len(literal) for literal, *_ in parts)
    out: list[str] = []
    for literal, name, spec, _ in parts:
        out.append(literal)
        if name:
            value = truncate(
                _value(name, spec or "", item, brief, source_name, timezone), _VALUE_LIMIT
            )
            value = truncate(value, room) if room > 0 else ""
            room -= len(value)
            out.append(value)
    return "".join(out)[:limit]


def _value(
    name: str, spec: str, item: Item, brief: Brief | None, source_name: str, timezone: str
) -> str:
    match name:
        case "title":
            return clean(item.title)
        case "link":
            return safe_url(item.url) or ""
        case "image":
            return safe_url(item.image_url) or ""
        case "source":
            return clean(source_name)
        case "published":
            return _local(item.published_at or item.first_seen_at, timezone).strftime(
                spec or DATE_FORMAT
            )
        case "summary":
            return clean(first_sentences(item.summary or item.content, 5))
        case "categories":
            return clean(", ".join(item.categories))
        case "author":
            return clean(item.author or "")
        case _:
            return "\n".join(_brief_lines(name, item, brief))


def _brief_lines(name: str, item: Item, brief: Brief | None) -> Iterator[str]:
    if name == "introduction":
        intro = brief.introduction if brief and brief.introduction else None
        yield clean(intro or first_sentences(item.summary or item.content))
    elif brief is None:
        return
    elif name == "why_it_matters":
        yield from (f"• {clean(bullet)}" for bullet in brief.why_it_matters if clean(bullet))
    elif name == "takeaway":
        yield clean(brief.takeaway or "")
    else:
        yield clean(getattr(brief.key_details, name) or "")


def _local(moment: datetime, timezone: str) -> datetime:
    try:
        return moment.astimezone(ZoneInfo(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        return moment
