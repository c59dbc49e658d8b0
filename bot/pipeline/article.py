"""Full text: the article page's main text, fetched through the guarded fetcher and
extracted with trafilatura (navigation, share prompts, comments and bios removed)."""

from __future__ import annotations

import asyncio
import importlib
import logging
from dataclasses import dataclass

from bot.errors import FetchError
from bot.pipeline.fetch import Fetcher

log = logging.getLogger(__name__)

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
MIN_TEXT = 200
"""Less main text than this is taken as an extraction failure (a paywall, a script page)."""


def fulltext_unavailable() -> str | None:
    """Why full-text extraction cannot run here (a missing piece of the install), or None."""
    try:
        # trafilatura needs lxml.html.clean, a separate project (lxml_html_clean) since lxml
        # 5.2: an install that missed it fails here, not on every article.
        importlib.import_module("lxml.html.clean")
        importlib.import_module("trafilatura")
    except ImportError as exc:
        return f"full-text extraction is unavailable ({exc}); reinstall newsdesk with pip"
    return None


def extract_main_text(html: str | bytes, url: str | None = None) -> str | None:
    """The main text of an HTML page, paragraphs separated by blank lines; None when the
    page has no article text. Pure; CPU-bound (run it off the event loop)."""
    import trafilatura  # imported on first use: it is slow to import and rarely needed

    try:
        text = trafilatura.extract(
            html,
            url=url,
            include_comments=False,
            include_tables=False,
            include_links=False,
            include_images=False,
            favor_precision=True,
            deduplicate=True,
        )
    except Exception:  # trafilatura and lxml raise many things on hostile markup
        log.debug("extraction failed for %s", url, exc_info=True)
        return None
    if not text or len(text) < MIN_TEXT:
        return None
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())


@dataclass(frozen=True, slots=True)
class ArticleText:
    """The article's main text, or why there is none (the brief then uses the feed's text)."""

    text: str | None
    problem: str | None = None


async def fetch_article_text(fetcher: Fetcher, url: str) -> ArticleText:
    """The article's main text, or why not: never raises for a fetch or extraction failure."""
    unavailable = fulltext_unavailable()
    if unavailable:
        return ArticleText(None, unavailable)
    try:
        result = await fetcher.fetch(url, accept=PAGE_ACCEPT)
    except FetchError as exc:
        return ArticleText(None, f"the article page was not fetched: {exc.message}")
    text = (
        await asyncio.to_thread(extract_main_text, result.body, result.url) if result.body else None
    )
    if text is None:
        return ArticleText(None, "the article page has no article text newsdesk can read")
    return ArticleText(text)
