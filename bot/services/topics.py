"""What members ask the archive: search, the latest stories, what is trending, and the key
phrases that autocomplete a query. Every call is scoped to the calling guild.

Key phrases are computed from the stored items themselves: word n-grams (1-3 words, not
starting or ending with a function word) scored by how many of the period's items carry
them, weighted by how rare they are against the guild's older items (TF-IDF against a
background), longer phrases preferred, overlapping ones folded.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.errors import InvalidOption, user_errors
from bot.text.stopwords import SEARCH_STOPWORDS
from storage import AsyncStorage
from storage.search import SearchHit, StoryLine

MAX_QUERY_CHARS = 200
MAX_DAYS = 3650
SEARCH_RESULTS = 5
MAX_LATEST = 10
TRENDING_STORIES = 5
TRENDING_PHRASES = 10
PERIOD_ITEMS = 5000
BACKGROUND_ITEMS = 3000
SUGGEST_DAYS = 30
SUGGEST_ITEMS = 1500
SUGGEST_PHRASES = 200
SUGGEST_TTL_SECONDS = 600.0
DM_NOTE = (
    "I could not send you a direct message about new stories for your follows: your direct "
    "messages are closed. Your follows are kept; allow direct messages from this server's "
    "members (Privacy Settings) to receive them."
)
NO_RESULTS = (
    "No stored story matches “{query}”{scope}. Try fewer or broader words, another "
    "spelling, or a longer period with `days`."
)

_SEGMENTS = re.compile(r"[,;:!?()\[\]{}\"“”«»|/…–—]+|\.(?:\s|$)|\s-\s")
_WORD = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*")
_TITLE_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class TrendingStory:
    """A story of the period, with every source of the guild that carried it."""

    title: str
    url: str | None
    published: datetime
    sources: list[str]

    @property
    def coverage(self) -> int:
        return len(self.sources)


@dataclass(frozen=True, slots=True)
class Trending:
    days: int
    stories: list[TrendingStory]
    phrases: list[str]
    items: int


@dataclass
class _Suggestions:
    phrases: list[str]
    made_at: float


@dataclass
class _Counts:
    df: Counter[str] = field(default_factory=Counter)
    surface: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))


def _phrases_of(text: str) -> dict[str, str]:
    """The candidate phrases of one text: lower-case key -> the form written."""
    found: dict[str, str] = {}
    for segment in _SEGMENTS.split(text):
        tokens = _WORD.findall(segment)
        for n in (1, 2, 3):
            for start in range(len(tokens) - n + 1):
                gram = tokens[start : start + n]
                lowered = [t.lower() for t in gram]
                if lowered[0] in SEARCH_STOPWORDS or lowered[-1] in SEARCH_STOPWORDS:
                    continue
                if all(t.replace(".", "").isdigit() for t in gram):
                    continue
                if (n == 1 and len(gram[0]) < 3) or len(set(lowered)) < n:
                    continue
                found.setdefault(" ".join(lowered), " ".join(gram))
    return found


def _count(docs: Iterable[str]) -> tuple[_Counts, int]:
    counts = _Counts()
    total = 0
    for doc in docs:
        total += 1
        for key, surface in _phrases_of(doc).items():
            counts.df[key] += 1
            counts.surface[key][surface] += 1
    return counts, total


def key_phrases(
    docs: Sequence[str], background: Sequence[str] = (), *, limit: int = 10, min_docs: int = 2
) -> list[str]:
    """The key phrases of `docs` (a period's items), as written, best first: frequent in
    the period, rare in the `background` (older items) and across the period itself,
    longer phrases preferred, a phrase inside a better one left out."""
    period, total = _count(docs)
    if not total:
        return []
    back, back_total = _count(background)
    everything = total + back_total
    scored = []
    for key, df in period.df.items():
        if df < min_docs:
            continue
        words = key.count(" ") + 1
        idf = math.log((everything + 1) / (df + back.df.get(key, 0) + 0.5))
        if idf <= 0:
            continue
        scored.append((df * idf * (1 + 0.6 * (words - 1)), df, key))
    scored.sort(key=lambda entry: (-entry[0], -entry[1], entry[2]))
    chosen: list[str] = []
    for _, _, key in scored:
        padded = f" {key} "
        if any(padded in f" {c} " or f" {c} " in padded for c in chosen):
            continue
        chosen.append(key)
        if len(chosen) == limit:
            break
    return [period.surface[key].most_common(1)[0][0] for key in chosen]


def story_key(line: StoryLine) -> str:
    """Which story an item belongs to: its clustered story when known, else its title."""
    if line.story_id is not None:
        return f"story:{line.story_id}"
    return "title:" + " ".join(_TITLE_WORD.findall(line.title.lower()))


def most_covered(lines: Sequence[StoryLine], limit: int = TRENDING_STORIES) -> list[TrendingStory]:
    """The period's stories carried by the most sources (then the newest), each shown by
    its first item."""
    groups: dict[str, list[StoryLine]] = defaultdict(list)
    for line in lines:
        groups[story_key(line)].append(line)
    stories = []
    for group in groups.values():
        group.sort(key=lambda line: (line.published, line.item_id))
        first = group[0]
        names: list[str] = []
        seen_feeds: set[int] = set()
        for line in group:
            if line.feed_id not in seen_feeds:
                seen_feeds.add(line.feed_id)
                names.append(line.source_name)
        stories.append(TrendingStory(first.title, first.url, group[-1].published, names))
    stories.sort(key=lambda s: (s.coverage, s.published), reverse=True)
    return stories[:limit]


def _document(line: StoryLine) -> str:
    return f"{line.title}. {line.summary[:500]}"


class TopicService:
    def __init__(self, storage: AsyncStorage, clock: Clock) -> None:
        self._storage = storage
        self._clock = clock
        self._suggestions: dict[int, _Suggestions] = {}

    async def feed_of(self, guild_id: int, source: str | None) -> int | None:
        """The feed of a source named by id, name or URL in this guild. Raises NotFound."""
        if not source:
            return None
        with user_errors():
            found = await self._storage.run(self._storage.sync.sources.find, guild_id, source)
        return found.feed_id

    async def search(
        self,
        guild_id: int,
        query: str,
        *,
        days: int | None = None,
        feed_id: int | None = None,
        limit: int = SEARCH_RESULTS,
    ) -> list[SearchHit]:
        """The guild's best-matching stories (of one feed: see `feed_of`). Any text is
        safe: it is searched as words, and a text without words finds nothing.
        Raises InvalidOption (bad `days`)."""
        if days is not None and not 1 <= days <= MAX_DAYS:
            raise InvalidOption(f"`days` must be between 1 and {MAX_DAYS}.")
        store = self._storage.sync.search
        return await self._storage.run(
            store.search,
            guild_id,
            query[:MAX_QUERY_CHARS],
            now=self._clock(),
            days=days,
            feed_id=feed_id,
            limit=limit,
        )

    async def latest(
        self, guild_id: int, *, source: str | None = None, count: int = SEARCH_RESULTS
    ) -> list[StoryLine]:
        """The guild's newest stories. Raises InvalidOption, NotFound."""
        if not 1 <= count <= MAX_LATEST:
            raise InvalidOption(f"`count` must be between 1 and {MAX_LATEST}.")
        feed_id = await self.feed_of(guild_id, source)
        store = self._storage.sync.search
        return await self._storage.run(store.latest, guild_id, feed_id=feed_id, limit=count)

    async def trending(self, guild_id: int, *, days: int = 7) -> Trending:
        """The period's most covered stories and its key phrases. Raises InvalidOption."""
        if not 1 <= days <= MAX_DAYS:
            raise InvalidOption(f"`days` must be between 1 and {MAX_DAYS}.")
        since = self._clock() - timedelta(days=days)
        store = self._storage.sync.search
        lines = await self._storage.run(store.period, guild_id, since, limit=PERIOD_ITEMS)
        background = await self._storage.run(store.before, guild_id, since, limit=BACKGROUND_ITEMS)
        docs = [_document(line) for line in lines]
        phrases = await asyncio.to_thread(key_phrases, docs, background, limit=TRENDING_PHRASES)
        return Trending(days, most_covered(lines), phrases, len(lines))

    async def suggest(self, guild_id: int, typed: str, limit: int = 25) -> list[str]:
        """Frequent key phrases of the guild's last month that fit what is typed (cached a
        few minutes per guild, so autocomplete answers at once)."""
        cached = self._suggestions.get(guild_id)
        if cached is None or time.monotonic() - cached.made_at > SUGGEST_TTL_SECONDS:
            since = self._clock() - timedelta(days=SUGGEST_DAYS)
            store = self._storage.sync.search
            lines = await self._storage.run(store.period, guild_id, since, limit=SUGGEST_ITEMS)
            phrases = await asyncio.to_thread(
                key_phrases, [_document(line) for line in lines], limit=SUGGEST_PHRASES
            )
            cached = _Suggestions(phrases, time.monotonic())
            self._suggestions[guild_id] = cached
        typed = " ".join(typed.lower().split())
        if not typed:
            return cached.phrases[:limit]
        starts = [p for p in cached.phrases if p.lower().startswith(typed)]
        inside = [p for p in cached.phrases if typed in p.lower() and p not in starts]
        return (starts + inside)[:limit]

    async def source_names(self, guild_id: int, typed: str) -> list[tuple[str, str]]:
        """(label, value) of this guild's live sources that fit what is typed."""
        sources = await self._storage.run(self._storage.sync.sources.matching, guild_id, typed)
        return [(s.name, str(s.id)) for s in sources]

    async def dm_note(self, guild_id: int, user_id: int) -> str | None:
        """The note for a member whose DMs were found closed, once."""
        closed = await self._storage.run(self._storage.sync.follows.take_dm_note, guild_id, user_id)
        return DM_NOTE if closed is not None else None
