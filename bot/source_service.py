"""What moderators do with sources (add, list, remove), shared by the cog and the CLI."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass

from bot import decide
from bot.clock import Clock
from bot.errors import InvalidOption, LimitReached, NotAFeed
from bot.fetch import Fetcher, FetchResult
from bot.parse import ParsedFeed, discover_feed_links
from bot.poller import body_hash, parse_off_loop
from bot.route import route
from bot.settings import Settings
from storage import AsyncStorage
from storage.models import STYLES, Source, SourceStatus
from storage.storage import Subscription

log = logging.getLogger(__name__)

NAME_LIMIT = 100
MAX_BACKFILL = 10


@dataclass(frozen=True, slots=True)
class AddRequest:
    guild_id: int
    channel_id: int
    user_id: int
    url: str
    name: str | None = None
    every_minutes: int | None = None
    backfill: int = 0
    style: str = "brief"
    include: str = ""
    exclude: str = ""
    fulltext: bool = False


@dataclass(frozen=True, slots=True)
class AddResult:
    source: Source
    feed_title: str
    item_count: int
    newest_title: str | None
    posting: int


@dataclass(frozen=True, slots=True)
class FetchedFeed:
    result: FetchResult
    parsed: ParsedFeed

    @property
    def url(self) -> str:
        return self.result.url


class SourceService:
    def __init__(
        self,
        storage: AsyncStorage,
        fetcher: Fetcher,
        settings: Settings,
        clock: Clock,
        *,
        on_new_deliveries: Callable[[], None] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._storage = storage
        self._fetcher = fetcher
        self._settings = settings
        self._clock = clock
        self._on_new = on_new_deliveries
        self._rng = rng or random.Random()

    def interval_seconds(self, every_minutes: int | None) -> int:
        """The polling interval for `every` (minutes). Raises InvalidOption below the floor."""
        floor = self._settings.min_interval_seconds
        if every_minutes is None:
            return self._settings.default_interval_seconds
        if every_minutes * 60 < floor:
            raise InvalidOption(
                f"`every` must be at least {max(1, -(-floor // 60))} minute(s): this bot polls a "
                f"source no more often than every {floor} seconds."
            )
        if every_minutes > 7 * 24 * 60:
            raise InvalidOption("`every` can be at most 10080 minutes (one week).")
        return every_minutes * 60

    async def fetch_feed(self, url: str) -> FetchedFeed:
        """Fetch and parse a feed URL, following a page's feed link when it is HTML.
        Raises FetchError, InvalidURL, BlockedAddress, NotAFeed."""
        result = await self._fetcher.fetch(url.strip())
        try:
            return FetchedFeed(result, await parse_off_loop(result))
        except NotAFeed:
            links = discover_feed_links(result.body, result.url)
            if not links:
                raise NotAFeed(
                    "That address is a web page that does not link to a feed. "
                    "Give the feed's own URL (RSS, Atom or JSON Feed)."
                ) from None
        linked: FetchResult = await self._fetcher.fetch(links[0])
        try:
            parsed = await parse_off_loop(linked)
        except NotAFeed:
            raise NotAFeed(
                f"The page links to {links[0]}, but that is not a feed either."
            ) from None
        return FetchedFeed(linked, parsed)

    async def add(self, request: AddRequest) -> AddResult:
        """Validate, fetch, and save a new source; mark what the feed holds as seen but the
        newest `backfill`. Raises UserError subclasses with one clear sentence."""
        if not 0 <= request.backfill <= MAX_BACKFILL:
            raise InvalidOption(f"`backfill` must be between 0 and {MAX_BACKFILL}.")
        if request.style not in STYLES:
            raise InvalidOption(f"`style` must be one of: {', '.join(STYLES)}.")
        name = (request.name or "").strip()
        if len(name) > NAME_LIMIT:
            raise InvalidOption(f"A source name can be at most {NAME_LIMIT} characters.")
        interval = self.interval_seconds(request.every_minutes)
        count = await self._storage.run(self._storage.sync.sources.count, request.guild_id)
        if count >= self._settings.max_sources_per_guild:
            raise LimitReached(
                f"This server has reached its limit of {self._settings.max_sources_per_guild} "
                "sources. Remove one with /source remove first."
            )
        fetched = await self.fetch_feed(request.url)
        parsed = fetched.parsed
        if not parsed.items:
            raise NotAFeed(
                "That feed has no items yet. Add it again once it has published something."
            )
        now = self._clock()
        items = decide.new_items(parsed.items, known=set())
        subscription = Subscription(
            guild_id=request.guild_id,
            channel_id=request.channel_id,
            url=fetched.url,
            name=(name or parsed.title or fetched.url)[:NAME_LIMIT],
            feed_title=parsed.title,
            site_url=parsed.link,
            interval_seconds=interval,
            first_due_at=decide.first_due(now, interval=interval, rng=self._rng),
            backfill=request.backfill,
            style=request.style,
            include_keywords=request.include,
            exclude_keywords=request.exclude,
            fulltext=request.fulltext,
            created_by=request.user_id,
            etag=fetched.result.etag,
            last_modified=fetched.result.last_modified,
            body_hash=body_hash(fetched.result.body),
        )
        source, stored = await self._storage.run(
            self._storage.sync.subscribe, subscription, items, route=route, now=now
        )
        await self._storage.run(
            self._storage.sync.guilds.audit,
            request.guild_id,
            request.user_id,
            "source add",
            target=str(source.id),
            before=None,
            after=_settings_of(source),
            now=now,
        )
        if stored.pending and self._on_new is not None:
            self._on_new()
        return AddResult(
            source=source,
            feed_title=parsed.title or fetched.url,
            item_count=len(parsed.items),
            newest_title=items[-1].title if items else None,
            posting=stored.pending,
        )

    async def statuses(self, guild_id: int) -> list[SourceStatus]:
        return await self._storage.run(self._storage.sync.sources.statuses, guild_id)

    async def find(self, guild_id: int, text: str) -> Source:
        """Raises NotFound."""
        return await self._storage.run(self._storage.sync.sources.find, guild_id, text)

    async def matching(self, guild_id: int, typed: str) -> list[Source]:
        return await self._storage.run(self._storage.sync.sources.matching, guild_id, typed)

    async def remove(self, guild_id: int, user_id: int, text: str) -> Source:
        """Remove a source by id, name or URL; its history stays searchable. Raises NotFound."""
        source = await self.find(guild_id, text)
        now = self._clock()
        await self._storage.run(self._storage.sync.unsubscribe, guild_id, source.id, now)
        await self._storage.run(
            self._storage.sync.guilds.audit,
            guild_id,
            user_id,
            "source remove",
            target=str(source.id),
            before=_settings_of(source),
            after=None,
            now=now,
        )
        return source


def _settings_of(source: Source) -> dict[str, object]:
    return {
        "name": source.name,
        "url": source.feed_url,
        "channel_id": source.channel_id,
        "interval_seconds": source.interval_seconds,
        "style": source.style,
        "include": source.include_keywords,
        "exclude": source.exclude_keywords,
        "fulltext": source.fulltext,
    }
