"""What moderators do with sources (add, list, remove), shared by the cog and the CLI."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.clock import Clock
from bot.errors import (
    Duplicate,
    InvalidOption,
    LimitReached,
    NewsdeskError,
    NotAFeed,
    NotFound,
    ParserStopped,
    explain,
    user_errors,
)
from bot.pipeline import decide
from bot.pipeline.briefing import BriefService, article_of
from bot.pipeline.fetch import Fetcher, FetchResult
from bot.pipeline.parse import ParsedFeed, discover_feed_links
from bot.pipeline.parse.workers import FeedParser
from bot.pipeline.poller import body_hash
from bot.pipeline.render import render
from bot.pipeline.route import route, split_keywords
from bot.pipeline.template import template_problem
from bot.services.opml import OpmlFeed, write_opml
from bot.settings import Settings
from bot.text.markdown import MessagePayload, safe_url
from bot.text.patterns import PatternError, compiled
from storage import AsyncStorage
from storage.deliveries import DeliveryLine
from storage.errors import StoreError
from storage.feeds import FeedError
from storage.guilds import AuditEntry
from storage.models import STYLES, Feed, Item, NewItem, Source, SourceStatus, Style
from storage.storage import Subscription
from storage.stories import MergedItem

log = logging.getLogger(__name__)

OFF = "none"  # the value that turns a pattern or a ping off in /source edit

NAME_LIMIT = 100
WEBHOOK_NAME_LIMIT = 80
FORUM_TAG_LIMIT = 20  # Discord's limit for a tag's name
KEYWORDS_LIMIT = 500
MAX_BACKFILL = 10
IMPORT_CONCURRENCY = 8


@dataclass(frozen=True, slots=True)
class SourceChanges:
    """What `/source edit` changes; None leaves a setting as it is."""

    channel_id: int | None = None
    name: str | None = None
    every_minutes: int | None = None
    style: str | None = None
    include: str | None = None
    exclude: str | None = None
    fulltext: bool | None = None
    include_regex: str | None = None
    exclude_regex: str | None = None
    ping_role_id: int | None = None
    ping_keywords: str | None = None
    template: str | None = None  # `none` turns it off
    color: str | None = None  # "#RRGGBB", or `none` for Discord's default
    show_image: bool | None = None
    webhook_name: str | None = None  # post through a webhook under this name; `none`: as the bot
    webhook_avatar: str | None = None
    forum_tag: str | None = None  # `none` turns it off
    open_threads: bool | None = None

    @property
    def wants_webhook(self) -> bool:
        return (self.webhook_name or OFF).strip().lower() != OFF


@dataclass(frozen=True, slots=True)
class SettingChange:
    """One setting of a source before and after a change (keys of `_settings_of`)."""

    setting: str
    before: object
    after: object


def setting_changes(before: object, after: object) -> list[SettingChange]:
    """The settings that differ between two snapshots (as the audit log keeps them); a
    setting missing from either side (an older entry) is left out."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    return [
        SettingChange(key, before[key], value)
        for key, value in after.items()
        if key in before and before[key] != value
    ]


@dataclass(frozen=True, slots=True)
class Changed:
    """A source after `/source edit`, `pause` or `resume`, and what changed (nothing when
    it already was so: then nothing was written or logged)."""

    source: Source
    changes: list[SettingChange]

    @property
    def changed(self) -> bool:
        return bool(self.changes)


@dataclass(frozen=True, slots=True)
class SourceInfo:
    source: Source
    feed: Feed
    errors: list[FeedError]
    items: list[DeliveryLine]
    audit: list[AuditEntry]


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    duplicate: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


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
    with_preview: bool = False  # render the newest item as it would be posted (for the reply)


@dataclass(frozen=True, slots=True)
class AddResult:
    preview: MessagePayload | None
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


@dataclass(frozen=True, slots=True)
class _SourceOptions:
    """A new source's options, checked and normalized."""

    style: str
    name: str
    include: str
    exclude: str
    interval_seconds: int


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
        briefs: BriefService | None = None,
        parser: FeedParser | None = None,
    ) -> None:
        self._storage = storage
        self._parser = parser or FeedParser()
        self._fetcher = fetcher
        self._settings = settings
        self._clock = clock
        self._on_new = on_new_deliveries
        self._rng = rng or random.Random()
        self._briefs = briefs

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
            return FetchedFeed(result, await self._parser.parse(result))
        except ParserStopped:
            raise
        except NotAFeed:
            # A page's links are read off the event loop: the body can be 10 MB.
            links = await asyncio.to_thread(discover_feed_links, result.body, result.url)
            if not links:
                raise NotAFeed(
                    "That address is a web page that does not link to a feed. "
                    "Give the feed's own URL (RSS, Atom or JSON Feed)."
                ) from None
        linked: FetchResult = await self._fetcher.fetch(links[0])
        try:
            parsed = await self._parser.parse(linked)
        except NotAFeed:
            raise NotAFeed(
                f"The page links to {links[0]}, but that is not a feed either."
            ) from None
        return FetchedFeed(linked, parsed)

    async def add(self, request: AddRequest) -> AddResult:
        """Validate, fetch, and save a new source; mark what the feed holds as seen but the
        newest `backfill`. Raises UserError subclasses with one clear sentence."""
        options = self._valid_options(request)
        await self._check_room(request.guild_id)
        fetched = await self._fetch_with_items(request.url)
        now = self._clock()
        items = decide.new_items(fetched.parsed.items, known=set())
        subscription = self._subscription(request, options, fetched, now)
        with user_errors():
            source, stored = await self._storage.run(
                self._storage.sync.subscribe, subscription, items, route=route, now=now
            )
        await self._audit(request.guild_id, request.user_id, "source add", None, source)
        if stored.pending and self._on_new is not None:
            self._on_new()
        return await self._added(request, fetched, items, source, stored.pending)

    def _valid_options(self, request: AddRequest) -> _SourceOptions:
        """The request's options, checked and normalized. Raises InvalidOption."""
        if not 0 <= request.backfill <= MAX_BACKFILL:
            raise InvalidOption(f"`backfill` must be between 0 and {MAX_BACKFILL}.")
        return _SourceOptions(
            style=self._valid_style(request.style),
            name=self._valid_name(request.name or ""),
            include=self._valid_keywords(request.include),
            exclude=self._valid_keywords(request.exclude),
            interval_seconds=self.interval_seconds(request.every_minutes),
        )

    async def _check_room(self, guild_id: int) -> None:
        """Raises LimitReached when the guild has as many sources as it may."""
        count = await self._storage.run(self._storage.sync.sources.count, guild_id)
        if count >= self._settings.max_sources_per_guild:
            raise LimitReached(
                f"This server has reached its limit of {self._settings.max_sources_per_guild} "
                "sources. Remove one with /source remove first."
            )

    async def _fetch_with_items(self, url: str) -> FetchedFeed:
        """The feed at `url`, which must hold at least one item. Raises what `fetch_feed`
        raises, and NotAFeed for an empty feed."""
        fetched = await self.fetch_feed(url)
        if not fetched.parsed.items:
            raise NotAFeed(
                "That feed has no items yet. Add it again once it has published something."
            )
        return fetched

    def _subscription(
        self, request: AddRequest, options: _SourceOptions, fetched: FetchedFeed, now: datetime
    ) -> Subscription:
        """What to store for a new source of a fetched feed."""
        parsed, result = fetched.parsed, fetched.result
        interval = options.interval_seconds
        return Subscription(
            guild_id=request.guild_id,
            channel_id=request.channel_id,
            url=fetched.url,
            name=(options.name or parsed.title or fetched.url)[:NAME_LIMIT],
            feed_title=parsed.title,
            site_url=parsed.link,
            interval_seconds=interval,
            first_due_at=decide.first_due(now, interval=interval, rng=self._rng),
            backfill=request.backfill,
            style=options.style,
            include_keywords=options.include,
            exclude_keywords=options.exclude,
            fulltext=request.fulltext,
            created_by=request.user_id,
            etag=result.etag,
            last_modified=result.last_modified,
            body_hash=body_hash(result.body),
            answer_seconds=result.elapsed,
        )

    async def _added(
        self,
        request: AddRequest,
        fetched: FetchedFeed,
        items: list[NewItem],
        source: Source,
        posting: int,
    ) -> AddResult:
        """The reply to a source just added, with the preview it asked for."""
        return AddResult(
            preview=(
                # The reply's preview never spends an LLM call; /source test shows the real one.
                await self._post_of(items[-1], source.name, source.style, use_llm=False)
                if request.with_preview and items
                else None
            ),
            source=source,
            feed_title=fetched.parsed.title or fetched.url,
            item_count=len(fetched.parsed.items),
            newest_title=items[-1].title if items else None,
            posting=posting,
        )

    async def edit(self, guild_id: int, user_id: int, text: str, changes: SourceChanges) -> Changed:
        """Change a source's settings; only the given options change, and a setting given
        as it already is changes nothing (no write, no audit entry). Raises NotFound,
        InvalidOption, Duplicate."""
        source = await self.find(guild_id, text)
        columns: dict[str, object] = {}
        if changes.channel_id is not None:
            columns["channel_id"] = changes.channel_id
        if changes.name is not None:
            columns["name"] = self._valid_name(changes.name) or source.name
        if changes.every_minutes is not None:
            columns["interval_seconds"] = self.interval_seconds(changes.every_minutes)
        if changes.style is not None:
            columns["style"] = self._valid_style(changes.style)
        if changes.include is not None:
            columns["include_keywords"] = self._valid_keywords(changes.include)
        if changes.exclude is not None:
            columns["exclude_keywords"] = self._valid_keywords(changes.exclude)
        if changes.fulltext is not None:
            columns["fulltext"] = changes.fulltext
        columns |= self._pattern_and_ping_columns(guild_id, changes)
        columns |= _look_columns(changes)
        if not columns:
            raise InvalidOption("Give at least one option to change.")
        if "channel_id" in columns:
            columns["channel_error"] = None  # a new channel gets a fresh chance
        columns = {k: v for k, v in columns.items() if getattr(source, k) != v}
        if not columns:
            return Changed(source, [])
        with user_errors():  # the new channel may already get this feed
            updated = await self._storage.run(
                self._storage.sync.edit_source, guild_id, source.id, columns
            )
        return await self._changed(guild_id, user_id, "source edit", source, updated)

    async def pause(self, guild_id: int, user_id: int, text: str) -> Changed:
        """Stop polling and posting; what arrives meanwhile is kept. Pausing a paused
        source changes nothing. Raises NotFound."""
        source = await self.find(guild_id, text)
        with user_errors():
            before, after = await self._storage.run(
                self._storage.sync.sources.pause,
                guild_id,
                source.id,
                self._clock(),
                "paused by a moderator",
            )
        return await self._changed(guild_id, user_id, "source pause", before, after)

    async def resume(self, guild_id: int, user_id: int, text: str) -> Changed:
        """Poll again now and post what waits. Resuming a source that is neither paused
        nor stopped changes nothing. Raises NotFound."""
        source = await self.find(guild_id, text)
        with user_errors():
            before, after = await self._storage.run(
                self._storage.sync.sources.resume, guild_id, source.id
            )
        result = await self._changed(guild_id, user_id, "source resume", before, after)
        if result.changed:
            await self._storage.run(self._storage.sync.feeds.revive, source.feed_id, self._clock())
            if self._on_new is not None:
                self._on_new()
        return result

    async def _changed(
        self, guild_id: int, user_id: int, action: str, before: Source, after: Source
    ) -> Changed:
        """What changed between two states of a source; logged when anything did."""
        changes = setting_changes(_settings_of(before), _settings_of(after))
        if changes:
            await self._audit(guild_id, user_id, action, before, after)
        return Changed(after, changes)

    async def info(self, guild_id: int, text: str) -> SourceInfo:
        """Everything about one source. Raises NotFound."""
        source = await self.find(guild_id, text)
        store = self._storage.sync
        feed = await self._storage.run(store.feeds.get, source.feed_id)
        errors = await self._storage.run(store.feeds.recent_errors, source.feed_id, 5)
        items = await self._storage.run(store.deliveries.recent_for_source, source.id, 10)
        audit = await self._storage.run(store.guilds.audit_log, guild_id, str(source.id), 5)
        return SourceInfo(source=source, feed=feed, errors=errors, items=items, audit=audit)

    async def preview(
        self, url: str, style: Style = "brief", *, template: str = "", guild_id: int | None = None
    ) -> MessagePayload:
        """The newest item of a URL exactly as it would be posted (with `template`, as that
        template would post it, dates in the guild's time zone); saves nothing.
        Raises FetchError, NotAFeed, InvalidOption (a template that cannot be used)."""
        problem = template_problem(template)
        if problem:
            raise InvalidOption(problem)
        fetched = await self.fetch_feed(url)
        if not fetched.parsed.items:
            raise NotAFeed("That feed has no items yet, so there is nothing to preview.")
        newest = decide.new_items(fetched.parsed.items, known=set())[-1]
        timezone = "UTC"
        if template and guild_id is not None:
            settings = await self._storage.run(self._storage.sync.guilds.settings, guild_id)
            timezone = settings.timezone
        name = fetched.parsed.title or fetched.url
        return await self._post_of(newest, name, style, template=template, timezone=timezone)

    async def _post_of(
        self,
        new: NewItem,
        name: str,
        style: Style,
        *,
        use_llm: bool = True,
        template: str = "",
        timezone: str = "UTC",
    ) -> MessagePayload:
        """An item not stored (or not yet briefed) rendered as the source would post it."""
        now = self._clock()
        item = Item.unsaved(new, now)
        source = replace(Source.unsaved(name[:NAME_LIMIT], style, now), template=template)
        brief = None
        if self._briefs is not None and (style in ("brief", "summary") or template):
            brief = await self._briefs.make(article_of(item), use_llm=use_llm)
        return render(item, source, name, brief, timezone=timezone)

    async def import_opml(
        self,
        guild_id: int,
        channel_id: int,
        user_id: int,
        feeds: Sequence[OpmlFeed],
        progress: Callable[[int], Awaitable[None]] | None = None,
        *,
        concurrency: int = IMPORT_CONCURRENCY,
        for_operator: bool = False,
    ) -> ImportReport:
        """Add every feed, `concurrency` at a time; count added, duplicate and failed (with
        the reason: the error's own message `for_operator`, else the sentence for a member)."""
        report = ImportReport()
        limit = asyncio.Semaphore(concurrency)
        first: dict[str, OpmlFeed] = {}
        for feed in feeds:  # a feed listed twice is a duplicate, as one already followed is
            if feed.url in first:
                report.duplicate.append(feed.url)
            else:
                first[feed.url] = feed
        done = len(report.duplicate)

        async def add(feed: OpmlFeed) -> None:
            nonlocal done
            async with limit:
                try:
                    await self.add(
                        AddRequest(
                            guild_id=guild_id,
                            channel_id=channel_id,
                            user_id=user_id,
                            url=feed.url,
                            name=feed.title or None,
                        )
                    )
                    report.added.append(feed.url)
                except Duplicate:
                    report.duplicate.append(feed.url)
                except (NewsdeskError, StoreError) as exc:
                    error = explain(exc)
                    reason = error.message if for_operator else error.user_message
                    report.failed.append((feed.url, reason))
                except Exception as exc:  # a bug must cost one line of the report, not all
                    log.exception("importing %s failed unexpectedly", feed.url)
                    report.failed.append((feed.url, f"an unexpected error ({type(exc).__name__})"))
                done += 1
                if progress is not None:
                    await progress(done)

        await asyncio.gather(*(add(feed) for feed in first.values()))
        return report

    async def export_opml(self, guild_id: int) -> bytes:
        """This guild's sources as OPML. Raises NotFound when there are none."""
        rows = await self.statuses(guild_id)
        if not rows:
            raise NotFound("This server has no sources to export.")
        return write_opml(OpmlFeed(url=r.source.feed_url, title=r.source.name) for r in rows)

    async def _audit(
        self, guild_id: int, user_id: int, action: str, before: Source | None, after: Source | None
    ) -> None:
        subject = after or before
        target = str(subject.id) if subject else None
        await self._storage.run(
            self._storage.sync.guilds.audit,
            guild_id,
            user_id,
            action,
            target=target,
            before=_settings_of(before) if before else None,
            after=_settings_of(after) if after else None,
            now=self._clock(),
        )

    def _pattern_and_ping_columns(self, guild_id: int, changes: SourceChanges) -> dict[str, object]:
        """The regex filters and the keyword ping: `none` turns one off. Raises InvalidOption."""
        columns: dict[str, object] = {}
        for option in ("include_regex", "exclude_regex"):
            value = getattr(changes, option)
            if value is not None:
                columns[option] = _valid_pattern(option, value)
        if changes.ping_role_id is not None:
            if changes.ping_role_id == guild_id:  # the @everyone role has the guild's id
                raise InvalidOption("newsdesk never pings @everyone; choose a role.")
            columns["ping_role_id"] = changes.ping_role_id
        if changes.ping_keywords is not None:
            off = changes.ping_keywords.strip().lower() == OFF
            columns["ping_keywords"] = "" if off else self._valid_keywords(changes.ping_keywords)
        return columns

    def _valid_name(self, name: str) -> str:
        name = name.strip()
        if len(name) > NAME_LIMIT:
            raise InvalidOption(f"A source name can be at most {NAME_LIMIT} characters.")
        return name

    @staticmethod
    def _valid_style(style: str) -> str:
        if style not in STYLES:
            raise InvalidOption(f"`style` must be one of: {', '.join(STYLES)}.")
        return style

    @staticmethod
    def _valid_keywords(text: str) -> str:
        if len(text) > KEYWORDS_LIMIT:
            raise InvalidOption(f"Keywords can be at most {KEYWORDS_LIMIT} characters in all.")
        return ", ".join(split_keywords(text))

    async def statuses(self, guild_id: int) -> list[SourceStatus]:
        return await self._storage.run(self._storage.sync.sources.statuses, guild_id)

    async def find(self, guild_id: int, text: str) -> Source:
        """Raises NotFound."""
        with user_errors():
            return await self._storage.run(self._storage.sync.sources.find, guild_id, text)

    async def matching(self, guild_id: int, typed: str) -> list[Source]:
        return await self._storage.run(self._storage.sync.sources.matching, guild_id, typed)

    async def merged_items(self, guild_id: int, source_text: str, typed: str) -> list[MergedItem]:
        """A source's items merged into another post's story (for autocomplete); none when
        the source is not found."""
        try:
            source = await self.find(guild_id, source_text)
        except NotFound:
            return []
        return await self._storage.run(self._storage.sync.stories.merged_items, source.id, typed)

    async def unmerge(
        self, guild_id: int, user_id: int, source_text: str, item_text: str
    ) -> tuple[Source, MergedItem]:
        """Post a merged item of a source on its own after all: its delivery goes back to
        the outbox (posted once, with its nonce, like any post) and never merges again.
        `item_text`: the item's id or (part of) its title. Raises NotFound."""
        source = await self.find(guild_id, source_text)
        store = self._storage.sync.stories
        found = await self._storage.run(store.merged_items, source.id, item_text, 2)
        exact = [m for m in found if str(m.item_id) == item_text.strip()]
        if exact:
            found = exact
        if not found:
            raise NotFound(f"{source.name} has no merged item matching {item_text!r}.")
        if len(found) > 1:
            raise NotFound(f"More than one merged item of {source.name} matches; pick one.")
        item = found[0]
        if not await self._storage.run(store.unmerge, source.id, item.item_id):
            raise NotFound(f"{item.title!r} is no longer merged.")  # pragma: no cover - a race
        await self._storage.run(
            self._storage.sync.guilds.audit,
            guild_id,
            user_id,
            "source unmerge",
            target=str(source.id),
            before={"item": item.item_id, "state": "merged"},
            after={"item": item.item_id, "state": "posted on its own"},
            now=self._clock(),
        )
        if self._on_new is not None:
            self._on_new()
        return source, item

    async def remove(self, guild_id: int, user_id: int, text: str) -> Source:
        """Remove a source by id, name or URL; its history stays searchable. Raises NotFound."""
        source = await self.find(guild_id, text)
        now = self._clock()
        await self._storage.run(self._storage.sync.unsubscribe, guild_id, source.id, now)
        await self._audit(guild_id, user_id, "source remove", source, None)
        return source


def _valid_pattern(option: str, value: str) -> str:
    """A regular expression RE2 reads, or "" for `none`. Raises InvalidOption."""
    pattern = value.strip()
    if pattern.lower() == OFF:
        return ""
    try:
        compiled(pattern)
    except PatternError as exc:
        raise InvalidOption(f"`{option}` is not a pattern newsdesk can use: {exc}.") from None
    return pattern


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
        "paused": source.paused_at is not None,
        "channel_error": source.channel_error,
        "include_regex": source.include_regex,
        "exclude_regex": source.exclude_regex,
        "ping_role_id": source.ping_role_id,
        "ping_keywords": source.ping_keywords,
        "template": source.template,
        "embed_color": source.embed_color,
        "show_image": source.show_image,
        "webhook_name": source.webhook_name,
        "webhook_avatar": source.webhook_avatar,
        "forum_tag": source.forum_tag,
        "open_threads": source.open_threads,
    }


def _look_columns(changes: SourceChanges) -> dict[str, object]:
    """The template, embed colour and picture: `none` turns the first two off. Raises
    InvalidOption with the nearest valid placeholder for an unknown one."""
    columns: dict[str, object] = {}
    if changes.template is not None:
        template = "" if changes.template.strip().lower() == OFF else changes.template
        problem = template_problem(template)
        if problem:
            raise InvalidOption(problem)
        columns["template"] = template
    if changes.color is not None:
        columns["embed_color"] = _valid_color(changes.color)
    if changes.show_image is not None:
        columns["show_image"] = changes.show_image
    if changes.webhook_name is not None:
        columns["webhook_name"] = _valid_webhook_name(changes.webhook_name)
    if changes.webhook_avatar is not None:
        columns["webhook_avatar"] = _valid_avatar(changes.webhook_avatar)
    if changes.forum_tag is not None:
        tag = " ".join(changes.forum_tag.split())
        if len(tag) > FORUM_TAG_LIMIT:
            raise InvalidOption(f"A forum tag is at most {FORUM_TAG_LIMIT} characters.")
        columns["forum_tag"] = "" if tag.lower() == OFF else tag
    if changes.open_threads is not None:
        columns["open_threads"] = changes.open_threads
    return columns


def _valid_webhook_name(text: str) -> str:
    """A name Discord takes for a webhook post (1-80 characters, no "discord" or "clyde");
    `none` as empty. Raises InvalidOption."""
    name = " ".join(text.split())
    if name.lower() == OFF:
        return ""
    if not 1 <= len(name) <= WEBHOOK_NAME_LIMIT:
        raise InvalidOption(f"`webhook_name` is 1 to {WEBHOOK_NAME_LIMIT} characters.")
    if "discord" in name.lower() or "clyde" in name.lower():
        raise InvalidOption("Discord refuses webhook names with “discord” or “clyde” in them.")
    return name


def _valid_avatar(text: str) -> str:
    """An http(s) picture URL, or `none` as empty. Raises InvalidOption."""
    url = text.strip()
    if url.lower() == OFF:
        return ""
    if safe_url(url) != url:
        raise InvalidOption("`webhook_avatar` is the http:// or https:// address of a picture.")
    return url


def _valid_color(text: str) -> int | None:
    """`#1e90ff` (or without the #) as a number; `none` as None. Raises InvalidOption."""
    text = text.strip().lower()
    if text == OFF:
        return None
    digits = text.removeprefix("#")
    if len(digits) != 6 or any(c not in "0123456789abcdef" for c in digits):
        raise InvalidOption("`color` is a hex colour such as #1e90ff (or none).")
    return int(digits, 16)
