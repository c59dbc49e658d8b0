"""Search latency at 100,000 and 1,000,000 stored items (run by hand, not in the suite).

    .venv/bin/python bench/search.py                 # both sizes
    .venv/bin/python bench/search.py --sizes 100000  # one size

Builds (once, then reuses) an archive per size in --data-dir: 200 feeds, of which the
benchmarked guild follows 100 (so half the archive is in its scope and every query must
be guild-scoped), items spread over a year, each with a title (~10 words), a summary
(~35 words) and an article text (~80 words) drawn from a Zipf-distributed vocabulary of
30,000 words plus English function words. Then runs 200 one-to-three-word queries (words
sampled by frequency rank, like topical words people type) through TopicService.search,
the same path /topic search uses (async storage thread, the FTS5 query with its windows,
boosts and snippets), and prints p50 / p99 / max. JSON goes to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.services.topics import TopicService  # noqa: E402
from storage import AsyncStorage, Storage  # noqa: E402
from storage import search as search_module  # noqa: E402
from storage.timeutil import to_db  # noqa: E402
from tests.models import make_new_item  # noqa: E402

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
FEEDS = 200
GUILD = 1
QUERIES = 200
VOCABULARY = 30_000
FUNCTION_WORDS = [
    "the",
    "of",
    "to",
    "and",
    "a",
    "in",
    "for",
    "on",
    "is",
    "that",
    "with",
    "as",
    "by",
    "at",
    "from",
    "its",
    "has",
    "new",
]
SYLLABLES = [
    "ka",
    "ri",
    "to",
    "mo",
    "na",
    "le",
    "su",
    "vi",
    "pe",
    "ra",
    "lo",
    "ne",
    "di",
    "ta",
    "co",
    "mi",
    "ba",
    "ze",
    "fu",
    "gi",
]


def make_vocabulary(rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < VOCABULARY:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words, key=lambda _: rng.random())


def zipf_weights(n: int) -> list[float]:
    return [1.0 / (rank + 1) for rank in range(n)]


class TextMaker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.vocabulary = make_vocabulary(rng)
        weights = zipf_weights(len(self.vocabulary))
        self.cumulative = []
        total = 0.0
        for weight in weights:
            total += weight
            self.cumulative.append(total)

    def words(self, count: int) -> str:
        picks = self.rng.choices(self.vocabulary, cum_weights=self.cumulative, k=count)
        out = []
        for word in picks:
            if self.rng.random() < 0.3:
                out.append(self.rng.choice(FUNCTION_WORDS))
            out.append(word)
        return " ".join(out)

    def query(self) -> str:
        # Topical words: not the handful of most frequent, not the long tail of hapaxes.
        count = self.rng.choice((1, 2, 2, 3))
        low, high = math.log(20), math.log(5000)
        ranks = [int(math.exp(self.rng.uniform(low, high))) for _ in range(count)]
        return " ".join(self.vocabulary[rank] for rank in ranks)


def build(path: Path, size: int, seed: int = 6) -> None:
    rng = random.Random(seed)
    maker = TextMaker(rng)
    store = Storage(path)  # migrates: the schema and triggers are the bot's own
    store.close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    created = to_db(NOW - timedelta(days=400))
    with db:
        for feed in range(1, FEEDS + 1):
            db.execute(
                "INSERT INTO feeds (id, url, title, interval_seconds, next_due_at, created_at) "
                "VALUES (?, ?, ?, 900, ?, ?)",
                [feed, f"https://feed{feed}.example/rss", f"Feed {feed}", created, created],
            )
            guild = GUILD if feed % 2 else 2 + feed % 3
            db.execute(
                "INSERT INTO sources (guild_id, feed_id, channel_id, name, interval_seconds, "
                "created_at) VALUES (?, ?, 10, ?, 900, ?)",
                [guild, feed, f"Feed {feed}", created],
            )
    start = time.perf_counter()
    span = timedelta(days=365).total_seconds()
    batch = []
    for n in range(size):
        seen = NOW - timedelta(seconds=span * (1 - n / size))
        published = seen - timedelta(minutes=rng.randint(0, 600))
        batch.append(
            (
                rng.randint(1, FEEDS),
                f"k{n}",
                maker.words(8).capitalize(),
                f"https://news.example/{n}",
                maker.words(26) + ".",
                maker.words(60) + ".",
                to_db(published),
                to_db(seen),
            )
        )
        if len(batch) == 10_000:
            _insert(db, batch)
            batch = []
            print(f"\r  built {n + 1:,} / {size:,} items", end="", flush=True)
    if batch:
        _insert(db, batch)
    with db:  # the bot indexes what it stores in one statement per batch; so does this
        db.execute("INSERT INTO items_fts (items_fts) VALUES ('rebuild')")
        db.execute("INSERT INTO items_fts (items_fts) VALUES ('optimize')")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    print(f"\r  built {size:,} items in {time.perf_counter() - start:.0f} s          ")


def grow(source: Path, path: Path, extra: int, scope: str, seed: int = 9) -> None:
    """A copy of `source` with `extra` newer items stored the way the bot stores them:
    ItemStore.store, one feed's batch of 20-100 new items per transaction (rows, deliveries
    and FTS5 segments as polling leaves them, never optimized). `scope` says whose feeds
    bring them: "mixed" (all 200 feeds, half the guild's) or "others" (only other
    servers' feeds, so the guild's newest match is behind all of them)."""
    shutil.copyfile(source, path)
    rng = random.Random(seed)
    maker = TextMaker(rng)
    store = Storage(path)
    feeds = [f for f in range(1, FEEDS + 1) if scope == "mixed" or f % 2 == 0]
    start, added, n = time.perf_counter(), 0, 0
    while added < extra:
        feed = rng.choice(feeds)
        batch = []
        for _ in range(min(rng.randint(20, 100), extra - added)):
            n += 1
            batch.append(
                make_new_item(
                    f"g{n}",
                    title=maker.words(8).capitalize(),
                    url=f"https://news.example/g{n}",
                    summary=maker.words(26) + ".",
                    content=maker.words(60) + ".",
                    published_at=NOW - timedelta(minutes=rng.randint(0, 600)),
                )
            )
        store.items.store(feed, batch, now=NOW, route=lambda item, source: ("skipped", "bench"))
        added += len(batch)
        if added % 10_000 < len(batch):
            print(f"\r  grown by {added:,} / {extra:,} items", end="", flush=True)
    store.close()
    print(f"\r  grown by {extra:,} items in {time.perf_counter() - start:.0f} s          ")


def _insert(db: sqlite3.Connection, batch: Sequence[tuple[object, ...]]) -> None:
    with db:
        db.executemany(
            "INSERT INTO items (feed_id, key, title, url, summary, content, published_at, "
            "first_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            batch,
        )


def read_into_page_cache(path: Path) -> None:
    """Read the database file once: this VM reclaims idle page cache within minutes, and
    queries that then wait on the disk measure the disk, not the search."""
    with path.open("rb") as file:
        while file.read(1 << 24):
            pass


async def measure(path: Path, queries: list[str]) -> dict[str, float]:
    read_into_page_cache(path)
    storage = AsyncStorage(Storage(path))
    topics = TopicService(storage, clock=lambda: NOW)
    try:
        for query in queries[:10]:  # warm the page cache
            await topics.search(GUILD, query)
        times = []
        found = 0
        for query in queries:
            start = time.perf_counter()
            hits = await topics.search(GUILD, query)
            times.append((time.perf_counter() - start) * 1000)
            found += bool(hits)
    finally:
        await storage.close()
    times.sort()
    return {
        "p50_ms": statistics.median(times),
        "p99_ms": times[int(len(times) * 0.99) - 1],
        "max_ms": times[-1],
        "mean_ms": statistics.fmean(times),
        "queries_with_results": found,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/newsdesk-bench"))
    parser.add_argument(
        "--grow",
        type=int,
        default=100_000,
        help="also measure each archive grown by this many newer items through the store "
        "path, of all feeds and of other servers' feeds only (0: skip)",
    )
    parser.add_argument(
        "--full-scan",
        action="store_true",
        help="also measure without windowing (every match ranked), for comparison",
    )
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2026)
    maker = TextMaker(random.Random(6))
    maker.rng = rng
    queries = [maker.query() for _ in range(QUERIES)]
    rows = []
    for size in args.sizes:
        path = args.data_dir / f"search-{size}.db"
        if not path.exists():
            print(f"building {path} ...")
            build(path, size)
        archives = [("bulk", path)]
        for scope in ("mixed", "others") if args.grow else ():
            grown = args.data_dir / f"search-{size}-grown-{args.grow}-{scope}.db"
            if not grown.exists():
                print(f"growing {grown} ...")
                grow(path, grown, args.grow, scope)
            archives.append((f"+{args.grow // 1000}k {scope}", grown))
        for archive, db_path in archives:
            modes = [("windowed", search_module.FIRST_WINDOW)]
            if args.full_scan:
                modes.append(("full scan", 2**62))
            for mode, window in modes:
                search_module.FIRST_WINDOW = window
                result = asyncio.run(measure(db_path, queries))
                mb = round(db_path.stat().st_size / 2**20)
                rows.append(
                    {"items": size, "archive": archive, "mode": mode, **result, "db_mb": mb}
                )
    print(
        f"\n{'items':>10} {'archive':>14} {'mode':>10} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'hits':>8} {'db MB':>7}"
    )
    for row in rows:
        print(
            f"{row['items']:>10,} {row['archive']:>14} {row['mode']:>10} {row['p50_ms']:>8.1f} "
            f"{row['p99_ms']:>8.1f} {row['max_ms']:>8.1f} {row['queries_with_results']:>4}/"
            f"{QUERIES} {row['db_mb']:>7}"
        )
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "search",
        "queries": QUERIES,
        "guild_scope": "100 of 200 feeds",
        "sqlite": sqlite3.sqlite_version,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "results": rows,
    }
    (out / "search.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {out / 'search.json'}")


if __name__ == "__main__":
    main()
