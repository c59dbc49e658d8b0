"""Full-text search over a guild's stored items (SQLite FTS5, BM25), and the newest items.

A guild sees an item only through its sources (live or removed: removed history stays
searchable). Search covers every item of those feeds; the latest stories and a period's
(trending) only the items the guild was shown: posted, waiting, kept for its digest or
merged into a post, never a source's back catalogue (first sight) or what a filter left
out.

User text never reaches FTS5 as syntax: it is cut into words, each quoted as an FTS5
string, so quotes, `*`, `-`, `NEAR`, `AND`, `OR` and parentheses are searched as words (or
dropped when they hold no letters or digits), never parsed as operators.

Ranking: BM25 with column weights (title first), then a mild boost for recent stories and
for stories several of the guild's sources covered. On a large archive BM25 ranks one
window of the newest item ids: at least FIRST_WINDOW ids, reaching back to the POOL-th newest
match in the guild's scope (found by rowid order without BM25, so BM25's table-wide term
statistics are read once per query). The last word is a prefix only while it is short or
not yet a whole word in the guild's items (a long prefix merges many doclists).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from storage.connection import wrapped
from storage.database import Database
from storage.deliveries import SHOWN_SQL
from storage.stopwords import SEARCH_STOPWORDS
from storage.timeutil import from_db, from_db_required, to_db

MARK_START = "\ue000"
"""Snippets mark matched words between MARK_START and MARK_END (private-use characters:
the renderer escapes the text for Discord first, then turns the marks into bold)."""
MARK_END = "\ue001"

MAX_WORDS = 12
MAX_WORD_CHARS = 64
CANDIDATES = 50
"""Matches ranked by BM25 before the boosts re-rank them."""
FIRST_WINDOW = 25_000
"""Newest item ids always in the ranked window on a large archive."""
PREFIX_INDEXED = 3
"""items_fts keeps a prefix index of 2 and 3 characters (migration 0002)."""
POOL = 100
"""The ranked window reaches back at least to the POOL-th newest match in scope."""
COLUMN_WEIGHTS = (10.0, 4.0, 3.0, 1.0)  # title, summary, brief_text, content
RECENCY_WEIGHT = 0.2
RECENCY_HALF_LIFE_DAYS = 7.0
COVERAGE_WEIGHT = 0.1
COVERAGE_CAP = 4
FOLLOW_COLUMNS = "{title summary brief_text}"
FUTURE_SLACK = timedelta(days=1)
# The item `i` was shown in the guild (the one parameter). Looked up by item: `+` keeps
# SQLite off the guild and state indexes, which would read the guild's whole history.
_SHOWN = f"""EXISTS (SELECT 1 FROM deliveries d WHERE d.item_id = i.id
    AND +d.guild_id = ? AND +d.state IN {SHOWN_SQL})"""


def _is_token_char(char: str) -> bool:
    # FTS5's unicode61 tokenizer: letters, numbers and private-use characters make tokens.
    category = unicodedata.category(char)
    return category[0] in "LN" or category == "Co"


def query_words(text: str) -> list[str]:
    """The user's words: whitespace-separated chunks that hold at least one letter or
    digit, at most MAX_WORDS of them, each at most MAX_WORD_CHARS long."""
    words = []
    # Control characters (NUL ends an FTS5 string early) never belong in a word.
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    for chunk in text.split():
        chunk = chunk[:MAX_WORD_CHARS]
        if any(_is_token_char(c) for c in chunk):
            words.append(chunk)
        if len(words) == MAX_WORDS:
            break
    return words


def _quote(word: str) -> str:
    # Inside an FTS5 string only the double quote is special; it is escaped by doubling.
    return '"' + word.replace('"', '""') + '"'


def match_expression(text: str, *, prefix_last: bool = True, any_word: bool = False) -> str | None:
    """An FTS5 expression that searches every word of `text` as a word (or phrase, for
    "open-weight"), all of them (AND) or any (OR); the last word also as a prefix. Function
    words are left out of an AND unless nothing else is left. None when no word is left."""
    words = query_words(text)
    if not words:
        return None
    if not any_word and len(words) > 1:
        last = words[-1]
        kept = [w for w in words[:-1] if w.lower() not in SEARCH_STOPWORDS]
        if prefix_last or last.lower() not in SEARCH_STOPWORDS:
            kept.append(last)
        if kept:
            words = kept
    terms = [_quote(w) for w in words]
    # A one-letter prefix would scan a whole letter of the vocabulary: exact match instead.
    if prefix_last and sum(map(_is_token_char, words[-1])) >= 2:
        terms[-1] += "*"
    return (" OR " if any_word else " AND ").join(terms)


@dataclass(frozen=True, slots=True)
class SearchHit:
    item_id: int
    title: str
    url: str | None
    source_name: str
    published: datetime
    snippet: str
    """Raw feed text around the match, matched words between MARK_START and MARK_END."""
    score: float
    coverage: int


@dataclass(frozen=True, slots=True)
class StoryLine:
    """A stored item as a line of /topic latest, trending or a digest of follows."""

    item_id: int
    feed_id: int
    title: str
    url: str | None
    summary: str
    source_name: str
    published: datetime
    story_id: int | None = None


def effective_date(published: datetime | None, first_seen: datetime) -> datetime:
    """When a story happened for ranking and display: its published time, unless missing
    or in the future of when it was first seen (then first seen)."""
    if published is None or published > first_seen + FUTURE_SLACK:
        return first_seen
    return published


def boosted(score: float, published: datetime, coverage: int, now: datetime) -> float:
    """BM25 (higher is better) times a mild recency boost and a mild coverage boost."""
    age_days = max((now - published).total_seconds() / 86400, 0.0)
    recency = 1.0 + RECENCY_WEIGHT * math.pow(0.5, age_days / RECENCY_HALF_LIFE_DAYS)
    cover = 1.0 + COVERAGE_WEIGHT * min(max(coverage - 1, 0), COVERAGE_CAP)
    return score * recency * cover


class SearchStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    @wrapped
    def feed_names(self, guild_id: int) -> dict[int, str]:
        """Feed id -> the name of this guild's source for it (a live source's name over a
        removed one's). The guild's whole scope. Raises StorageError."""
        rows = self._db.execute(
            "SELECT feed_id, name FROM sources WHERE guild_id = ? ORDER BY removed_at IS NULL, id",
            [guild_id],
        )
        return {int(feed_id): str(name) for feed_id, name in rows}

    @wrapped
    def search(
        self,
        guild_id: int,
        text: str,
        *,
        now: datetime,
        days: int | None = None,
        feed_id: int | None = None,
        limit: int = 5,
    ) -> list[SearchHit]:
        """The guild's items best matching `text`, best first. Any text is safe: words are
        quoted, never parsed as FTS5 syntax; a text without words finds nothing. When every
        word together finds nothing, items with any of the words are ranked instead.
        Raises StorageError."""
        names = self.feed_names(guild_id)
        if feed_id is not None:
            names = {feed_id: names[feed_id]} if feed_id in names else {}
        if not names:
            return []
        since = now - timedelta(days=days) if days is not None else None
        words = query_words(text)
        if not words:
            return []
        prefix = self._still_typing(words[-1], names)
        expression = match_expression(text, prefix_last=prefix)
        if expression is None:
            return []
        rows = self._candidates(expression, names, since)
        if not rows and len(words) > 1:
            expression = match_expression(text, prefix_last=prefix, any_word=True) or expression
            rows = self._candidates(expression, names, since)
        if not rows:
            return []
        coverage = self._coverage(guild_id, [row["id"] for row in rows])
        ranked = []
        for row in rows:
            published = effective_date(
                from_db(row["published_at"]), from_db_required(row["first_seen_at"])
            )
            cover = coverage.get(row["id"], 1)
            ranked.append((boosted(row["score"], published, cover, now), row, published, cover))
        ranked.sort(key=lambda entry: (-entry[0], -entry[1]["id"]))
        hits = []
        for score, row, published, cover in ranked[:limit]:
            hits.append(
                SearchHit(
                    item_id=row["id"],
                    title=row["title"],
                    url=row["url"],
                    source_name=names.get(row["feed_id"], ""),
                    published=published,
                    snippet=self._snippet(expression, row["id"], row["summary"]),
                    score=score,
                    coverage=cover,
                )
            )
        return hits

    def _still_typing(self, word: str, names: dict[int, str]) -> bool:
        """Whether the last word is searched as a prefix too: when it is short (the prefix
        index answers those at once), or when the guild's items never hold it as a whole
        word (the member is still typing it). A whole word is searched as itself: a long
        prefix not in the prefix index makes FTS5 merge every longer word's doclist over
        the whole archive, which dominated search time on a large archive."""
        if sum(map(_is_token_char, word)) <= PREFIX_INDEXED:
            return True
        feeds = sorted(names)
        row = self._db.execute(
            f"""SELECT 1 FROM items_fts CROSS JOIN items i ON i.id = items_fts.rowid
                WHERE items_fts MATCH ? AND i.feed_id IN ({",".join("?" * len(feeds))})
                LIMIT 1""",
            [_quote(word), *feeds],
        ).fetchone()
        return row is None

    def _candidates(
        self, expression: str, names: dict[int, str], since: datetime | None
    ) -> list[dict[str, Any]]:
        """Up to CANDIDATES matches by BM25 within one window of item ids: the newest
        FIRST_WINDOW ids, widened back to the POOL newest matches in the guild's scope.
        The window is found without BM25 (newest matches first, stopping early), so BM25
        (whose term statistics read each term's whole doclist) runs once per query."""
        row = self._db.execute("SELECT MAX(id) FROM items").fetchone()
        if row[0] is None:
            return []
        high = int(row[0])
        feeds = sorted(names)
        marks = ",".join("?" * len(feeds))
        period = ""
        extra: list[Any] = []
        if since is not None:
            period = "AND coalesce(i.published_at, i.first_seen_at) >= ?"
            extra.append(to_db(since))
            # Items first seen well before `since` cannot be in the period (their published
            # date may be earlier than first seen, never much later).
            first = self._first_id_since(since - FUTURE_SLACK)
            if first is None:
                return []
            floor = first
        else:
            floor = 0
        scope = f"""FROM items_fts CROSS JOIN items i ON i.id = items_fts.rowid
            WHERE items_fts MATCH ? AND items_fts.rowid BETWEEN ? AND ?
              AND i.feed_id IN ({marks}) {period}"""
        pool = self._db.execute(
            f"SELECT MIN(id), COUNT(*) FROM (SELECT i.id {scope} "
            "ORDER BY items_fts.rowid DESC LIMIT ?)",
            [expression, floor, high, *feeds, *extra, max(POOL, CANDIDATES)],
        ).fetchone()
        if not pool[1]:
            return []
        low = max(min(int(pool[0]), high - FIRST_WINDOW + 1), floor)
        weights = ", ".join(map(str, COLUMN_WEIGHTS))
        return list(
            self._db.query(
                f"""SELECT i.id, i.feed_id, i.title, i.url, i.summary, i.published_at,
                       i.first_seen_at, -bm25(items_fts, {weights}) AS score
                    {scope} ORDER BY score DESC LIMIT ?""",
                [expression, low, high, *feeds, *extra, CANDIDATES],
            )
        )

    def _first_id_since(self, when: datetime) -> int | None:
        """The id of the first item first seen at or after `when` (ids grow with first
        seen), or None. By the first-seen index: `MIN(id) ... WHERE` walked the table by
        id instead (0.5 s on 1,000,000 items)."""
        row = self._db.execute(
            "SELECT id FROM items WHERE first_seen_at >= ? ORDER BY first_seen_at LIMIT 1",
            [to_db(when)],
        ).fetchone()
        return None if row is None else int(row[0])

    def _coverage(self, guild_id: int, item_ids: Sequence[int]) -> dict[int, int]:
        """How many of the guild's sources carried each item's story (1 when not known)."""
        if not item_ids:
            return {}
        marks = ",".join("?" * len(item_ids))
        # `+d.guild_id`: see period() (14 ms a search at 115,000 deliveries without it).
        rows = self._db.execute(
            f"""SELECT d.item_id, COUNT(DISTINCT e.source_id) FROM deliveries d
                JOIN deliveries e ON e.story_id = d.story_id AND e.guild_id = d.guild_id
                WHERE +d.guild_id = ? AND d.story_id IS NOT NULL AND d.item_id IN ({marks})
                GROUP BY d.item_id""",
            [guild_id, *item_ids],
        )
        return {int(item_id): int(count) for item_id, count in rows}

    def _snippet(self, expression: str, item_id: int, summary: str) -> str:
        """Text around the match: from the summary, the brief or the article text, the
        first that holds a matched word; else the start of the summary."""
        row = self._db.execute(
            f"""SELECT snippet(items_fts, 1, '{MARK_START}', '{MARK_END}', '…', 24),
                       snippet(items_fts, 2, '{MARK_START}', '{MARK_END}', '…', 24),
                       snippet(items_fts, 3, '{MARK_START}', '{MARK_END}', '…', 24)
                FROM items_fts WHERE items_fts MATCH ? AND rowid = ?""",
            [expression, item_id],
        ).fetchone()
        for text in row or ():
            if text and MARK_START in text:
                return str(text)
        words = " ".join(summary.split()).split(" ")
        return " ".join(words[:40]) + (" …" if len(words) > 40 else "")

    @wrapped
    def latest(
        self, guild_id: int, *, feed_id: int | None = None, limit: int = 5
    ) -> list[StoryLine]:
        """The guild's newest shown items (by published time, else first seen), newest
        first. Raises StorageError."""
        names = self.feed_names(guild_id)
        if feed_id is not None:
            names = {feed_id: names[feed_id]} if feed_id in names else {}
        lines: list[StoryLine] = []
        for feed in names:
            # Two index walks per feed: by published time, and the undated by id.
            rows = [
                *self._db.query(
                    "SELECT * FROM items i WHERE feed_id = ? AND published_at IS NOT NULL "
                    f"AND {_SHOWN} ORDER BY published_at DESC LIMIT ?",
                    [feed, guild_id, limit * 2],
                ),
                *self._db.query(
                    "SELECT * FROM items i WHERE feed_id = ? AND published_at IS NULL "
                    f"AND {_SHOWN} ORDER BY id DESC LIMIT ?",
                    [feed, guild_id, limit],
                ),
            ]
            lines.extend(_line(row, names) for row in rows)
        lines.sort(key=lambda line: (line.published, line.item_id), reverse=True)
        return lines[:limit]

    @wrapped
    def period(self, guild_id: int, since: datetime, *, limit: int = 5000) -> list[StoryLine]:
        """The guild's shown items of a period (first seen since `since`, up to `limit`
        newest), with the story each belongs to in this guild when stories are known.
        Raises StorageError."""
        names = self.feed_names(guild_id)
        if not names:
            return []
        feeds = sorted(names)
        marks = ",".join("?" * len(feeds))
        floor = self._first_id_since(since - FUTURE_SLACK)
        if floor is None:
            return []
        # Walk item ids newest first from the period's first id; the `+` keep SQLite off
        # the feed and guild indexes. With them it read every item of the guild's feeds,
        # and for each item all of the guild's deliveries: minutes for a day's digest of a
        # guild with 100,000 items (`+d.guild_id` in _coverage too).
        rows = self._db.query(
            f"""SELECT i.*, (SELECT MAX(d.story_id) FROM deliveries d
                             WHERE d.item_id = i.id AND +d.guild_id = ?) AS story_id
                FROM items i
                WHERE i.id >= ? AND +i.feed_id IN ({marks}) AND {_SHOWN}
                ORDER BY i.id DESC LIMIT ?""",
            [guild_id, floor, *feeds, guild_id, limit],
        )
        lines = [_line(row, names) for row in rows]
        return [line for line in lines if line.published >= since]

    @wrapped
    def before(self, guild_id: int, until: datetime, *, limit: int = 3000) -> list[str]:
        """Titles and summaries of the guild's items first seen before `until`, newest
        first (the background that key phrases of a period stand out against). Every item
        of the guild's feeds, shown or not: a back catalogue is what a feed usually says,
        and the phrases themselves come from the period's shown items only.
        Raises StorageError."""
        names = self.feed_names(guild_id)
        if not names:
            return []
        feeds = sorted(names)
        marks = ",".join("?" * len(feeds))
        ceiling = self._first_id_since(until)
        rows = self._db.execute(
            f"""SELECT title, summary FROM items
                WHERE id < ? AND +feed_id IN ({marks})
                ORDER BY id DESC LIMIT ?""",
            [2**63 - 1 if ceiling is None else ceiling, *feeds, limit],
        )
        return [f"{title}. {summary[:500]}" for title, summary in rows]


def follow_expression(keywords: str) -> str | None:
    """The FTS5 expression a follow matches new items with: every word, on the title,
    summary and brief (not the whole article text, where a passing mention is noise)."""
    expression = match_expression(keywords, prefix_last=False)
    return None if expression is None else f"{FOLLOW_COLUMNS} : ({expression})"


def _line(row: dict[str, Any], names: dict[int, str]) -> StoryLine:
    return StoryLine(
        item_id=row["id"],
        feed_id=row["feed_id"],
        title=row["title"],
        url=row["url"],
        summary=row["summary"],
        source_name=names.get(row["feed_id"], ""),
        published=effective_date(
            from_db(row["published_at"]), from_db_required(row["first_seen_at"])
        ),
        story_id=row.get("story_id"),
    )
