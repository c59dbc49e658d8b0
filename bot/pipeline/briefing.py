"""BriefService: the brief of an item, made once and stored with it.

The stored brief is returned when there is one. Otherwise the article text is gathered
(the feed's, or the page's main text when the source has full text on), the LLM is asked
when one is configured, the embedded summarizer is used otherwise or on any LLM failure
(counted as `llm_fallbacks`), and the result is stored and indexed. Summarizing runs on a
worker thread, never on the event loop."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from pydantic import ValidationError

from bot.brief.embedded import Article, summarize
from bot.brief.llm import LlmFailed, LlmSummarizer
from bot.brief.model import Brief
from bot.clock import Clock, system_clock
from bot.pipeline.article import fetch_article_text
from bot.pipeline.fetch import Fetcher
from storage import AsyncStorage
from storage.models import Item

log = logging.getLogger(__name__)

RECENT = 512


def article_of(item: Item, text: str | None = None) -> Article:
    body = text or item.content or item.summary
    return Article(title=item.title, text=body, published=item.published_at or item.first_seen_at)


class BriefService:
    def __init__(
        self,
        storage: AsyncStorage,
        fetcher: Fetcher | None = None,
        llm: LlmSummarizer | None = None,
        *,
        workers: int = 1,
        clock: Clock = system_clock,
    ) -> None:
        self._storage = storage
        self._clock = clock
        self._fetcher = fetcher
        self._llm = llm
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="brief")
        self._pending: dict[int, asyncio.Future[Brief]] = {}
        # Briefs made lately: a delivery row loaded before the brief was stored still
        # carries brief_json = None.
        self._recent: OrderedDict[int, Brief] = OrderedDict()

    async def brief_for(self, item: Item, *, fulltext: bool) -> Brief:
        """The item's brief: the stored one, or a new one (stored before it is returned).
        Raises StorageError when it cannot be stored."""
        if item.brief_json:
            try:
                return Brief.model_validate_json(item.brief_json)
            except ValidationError:
                log.warning("stored brief of item %d is invalid; making it again", item.id)
        if item.id in self._recent:
            return self._recent[item.id]
        pending = self._pending.get(item.id)
        if pending is not None:  # another delivery of the same item is making it
            return await asyncio.shield(pending)
        future: asyncio.Future[Brief] = asyncio.get_running_loop().create_future()
        self._pending[item.id] = future
        try:
            brief = await self._make(item, fulltext=fulltext)
            await self._storage.run(
                self._storage.sync.items.set_brief, item.id, brief.model_dump_json(), brief.text()
            )
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody waits
            raise
        else:
            future.set_result(brief)
            self._recent[item.id] = brief
            while len(self._recent) > RECENT:
                self._recent.popitem(last=False)
            return brief
        finally:
            self._pending.pop(item.id, None)

    async def brief_waiting(self, now: datetime) -> int:
        """Brief every item waiting to be posted in a style that shows a brief (what
        `newsdesk poll --once` does before the bot posts them); return how many were made.
        A failure is logged and the item posted later without a brief."""
        made = 0
        due = await self._storage.run(self._storage.sync.deliveries.due, now, 100_000)
        for outgoing in due:
            item = outgoing.item
            if outgoing.source.style not in ("brief", "summary") or item.brief_json:
                continue
            if item.id in self._recent:
                continue
            try:
                await self.brief_for(item, fulltext=outgoing.source.fulltext)
            except Exception:
                log.exception("could not brief item %d", item.id)
                continue
            made += 1
        return made

    async def make(self, article: Article, *, use_llm: bool = True) -> Brief:
        """A brief of an article (LLM first when configured and wanted), without storing it."""
        if self._llm is not None and use_llm:
            try:
                return await self._llm.summarize(article)
            except LlmFailed as exc:
                log.warning("LLM brief failed (%s); using the embedded summarizer", exc)
                await self._storage.run(self._storage.sync.meta.increment, "llm_fallbacks")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, summarize, article)

    async def _make(self, item: Item, *, fulltext: bool) -> Brief:
        text = None
        if fulltext and item.url and self._fetcher is not None:
            article = await fetch_article_text(self._fetcher, item.url)
            text = article.text
            if article.problem:  # shown in /source info: the moderator asked for full text
                log.info("full text of item %d: %s", item.id, article.problem)
                await self._storage.run(
                    self._storage.sync.feeds.record_warning,
                    item.feed_id,
                    now=self._clock(),
                    message=f"Full text of “{item.title[:80]}”: {article.problem}; "
                    "the feed's text was used.",
                )
        return await self.make(article_of(item, text))

    async def close(self) -> None:
        if self._llm is not None:
            await self._llm.close()
        self._executor.shutdown(wait=False, cancel_futures=True)
