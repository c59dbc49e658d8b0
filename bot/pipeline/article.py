"""Full text: the article page's main text, fetched through the guarded fetcher and
extracted with trafilatura (navigation, share prompts, comments and bios removed)."""

from __future__ import annotations

import asyncio
import logging

from bot.errors import FetchError
from bot.pipeline.fetch import Fetcher

log = logging.getLogger(__name__)

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
MIN_TEXT = 200
"""Less main text than this is taken as an extraction failure (a paywall, a script page)."""


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


async def fetch_article_text(fetcher: Fetcher, url: str) -> str | None:
    """The article's main text, or None on any fetch or extraction failure (the caller
    falls back to the feed's text)."""
    try:
        result = await fetcher.fetch(url, accept=PAGE_ACCEPT)
    except FetchError as exc:
        log.info("full text of %s not fetched: %s", url, exc)
        return None
    if not result.body:
        return None
    return await asyncio.to_thread(extract_main_text, result.body, result.url)
