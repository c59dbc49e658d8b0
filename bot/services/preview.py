"""`newsdesk preview URL_OR_FILE`: the brief the bot would post for a feed's newest item or
for an article, as rich terminal output or as JSON."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot import __version__
from bot.brief.embedded import Article, summarize
from bot.brief.llm import LlmFailed, LlmSummarizer
from bot.brief.model import DETAIL_NAMES, Brief
from bot.errors import BlockedAddress, NewsdeskError, NotAFeed
from bot.pipeline.article import extract_main_text, fulltext_unavailable
from bot.pipeline.fetch import USER_AGENT_TEMPLATE, Fetcher, make_session
from bot.pipeline.netguard import AddressGuard
from bot.pipeline.parse import parse_feed
from bot.settings import Settings
from bot.text.from_html import html_to_text
from bot.text.markdown import truncate

PREVIEW_ACCEPT = "application/rss+xml, application/atom+xml, text/html;q=0.9, */*;q=0.5"
TITLE_WORDS = 15
TITLE_CHARS = 120
_LINE_MARK = re.compile(r"^(?:[-*•]\s+|#+\s*)")
_FIRST_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'])")


@dataclass(frozen=True)
class Preview:
    title: str
    url: str | None
    source: str
    published: datetime | None
    brief: Brief

    def as_json(self) -> dict[str, Any]:
        """Exactly the fields product.md names for `preview --json`."""
        public = self.brief.public()
        return {
            "title": self.title,
            "url": self.url,
            "source": self.source,
            "published": self.published.isoformat() if self.published else None,
            "introduction": public["introduction"],
            "key_details": public["key_details"],
            "why_it_matters": public["why_it_matters"],
            "takeaway": public["takeaway"],
        }


@dataclass(frozen=True)
class Document:
    title: str
    text: str
    url: str | None
    source: str
    published: datetime | None


def read_document(body: bytes, location: str, content_type: str | None = None) -> Document:
    """A feed's newest item, an HTML article's main text, or a plain-text article (first
    line the title). Raises NewsdeskError when there is nothing to brief."""
    try:
        feed = parse_feed(body, location, content_type)
    except NotAFeed:
        feed = None
    if feed is not None and feed.items:
        newest = max(
            feed.items,
            key=lambda i: i.published or datetime.min.replace(tzinfo=UTC),
        )
        return Document(
            title=newest.title,
            text=newest.content or newest.summary,
            url=newest.link,
            source=feed.title or location,
            published=newest.published,
        )
    if feed is not None:
        raise NewsdeskError(f"The feed at {location} has no items.")
    text = body.decode("utf-8", "replace")
    if "<" in text and "</" in text:
        return _html_document(text, location)
    title, body_text = title_and_text(text)
    if not title:
        raise NewsdeskError(f"{location} is empty.")
    return Document(
        title=title,
        text=body_text,
        url=location if location.startswith(("http://", "https://")) else None,
        source=Path(location).name if not location.startswith("http") else location,
        published=None,
    )


def title_and_text(text: str) -> tuple[str, str]:
    """A plain-text article's title and body: the first line when it reads as a title (short,
    no full stop), else the first sentence, cut at a word; list and heading marks dropped."""
    lines = [_LINE_MARK.sub("", line).strip() for line in text.strip().splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return "", ""
    first = lines[0]
    if len(first.split()) <= TITLE_WORDS and not first.endswith((".", "!", "?")):
        return first, "\n".join(lines[1:])
    sentence = _FIRST_SENTENCE.split(first, maxsplit=1)[0]
    return truncate(sentence, TITLE_CHARS), "\n".join(lines)


def _html_document(html: str, location: str) -> Document:
    url = location if location.startswith(("http://", "https://")) else None
    unavailable = fulltext_unavailable()
    meta = None if unavailable else _metadata(html, url)
    text = (None if unavailable else extract_main_text(html, url)) or html_to_text(html)
    published = None
    if meta is not None and meta.date:
        try:
            published = datetime.fromisoformat(meta.date).replace(tzinfo=UTC)
        except ValueError:
            published = None
    title = (meta.title if meta is not None else None) or title_and_text(text)[0]
    source = (meta.sitename if meta is not None else None) or (url or Path(location).name)
    return Document(title=title, text=text, url=url, source=source, published=published)


def _metadata(html: str, url: str | None) -> Any:
    import trafilatura  # slow to import; only HTML articles need it

    return trafilatura.extract_metadata(html, default_url=url)


async def _fetch(location: str, settings: Settings) -> tuple[bytes, str, str | None]:
    guard = AddressGuard(settings.allow_private_hosts)
    async with make_session(
        guard, user_agent=USER_AGENT_TEMPLATE.format(version=__version__)
    ) as session:
        try:
            result = await Fetcher(session, guard).fetch(location, accept=PREVIEW_ACCEPT)
        except BlockedAddress as exc:
            raise BlockedAddress(
                f"{exc.message} To preview a local address, add its host to "
                "NEWSDESK_ALLOW_PRIVATE_HOSTS.",
                url=exc.url,
            ) from None
        return result.body, result.url, result.content_type


async def make_preview(location: str, settings: Settings) -> Preview:
    """Read or fetch `location` and brief it. Raises NewsdeskError (FetchError included)
    and OSError for an unreadable file."""
    if location.startswith(("http://", "https://")):
        body, url, content_type = await _fetch(location, settings)
    else:
        body = await asyncio.to_thread(Path(location).read_bytes)
        url, content_type = location, None
    document = read_document(body, url, content_type)
    article = Article(
        title=document.title,
        text=document.text,
        published=document.published,
        source=document.source,
    )
    brief = await _brief(article, settings)
    return Preview(document.title, document.url, document.source, document.published, brief)


async def _brief(article: Article, settings: Settings) -> Brief:
    if settings.llm_url:
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        llm = LlmSummarizer(settings.llm_url, model=settings.llm_model, api_key=key)
        try:
            return await llm.summarize(article)
        except LlmFailed:
            pass
        finally:
            await llm.close()
    return await asyncio.to_thread(summarize, article)


def local_time(moment: datetime | None) -> str:
    """A date and time as the reader reads them: in this machine's time zone."""
    return moment.astimezone().strftime("%a %d %b %Y, %H:%M %Z") if moment else ""


def print_preview(preview: Preview, console: Console) -> None:
    brief = preview.brief
    parts: list[Any] = []
    if brief.title_mismatch:
        parts.append(Text("Note: the headline does not match the article text.", "yellow"))
    parts.append(Text(brief.introduction or "(no introduction)"))
    details = Table.grid(padding=(0, 1))
    details.add_column(style="bold")
    details.add_column()
    for name in DETAIL_NAMES:
        value = getattr(brief.key_details, name)
        if value:
            details.add_row(f"{name.capitalize()}:", value)
    if details.row_count:
        parts += [Text("\nKey details", "bold cyan"), details]
    if brief.why_it_matters:
        parts.append(Text("\nWhy it matters", "bold cyan"))
        parts += [Text(f"• {bullet}") for bullet in brief.why_it_matters]
    if brief.takeaway:
        parts += [Text("\nTakeaway", "bold cyan"), Text(brief.takeaway)]
    subtitle = " · ".join(p for p in (preview.source, local_time(preview.published)) if p)
    console.print(
        Panel(
            Group(*parts),
            title=Text(preview.title, "bold"),
            subtitle=subtitle,
            subtitle_align="right",
        )
    )
    if preview.url:
        console.print(preview.url, highlight=False)
