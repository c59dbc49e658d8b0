"""Where first sight's CPU goes per stored item, and its floor (run by hand, not in the suite).

    .venv/bin/python -m bench.floor               # 300 generated feeds (about 18,000 items)
    .venv/bin/python -m bench.floor --feeds 100

`bench/poll.py` times the whole of `newsdesk sources import`; this takes its two big parts
apart on one core, in one process, on the same generated feeds (tests/feed_corpus.py):

- parsing: newsdesk's `parse_feed`; a bare lxml pass (parse the document, read each item's
  title, link, date and text: no cleaning, no keys, no dates parsed), the cheapest reading
  that keeps the text; feedparser, which `reader` uses.
- storing the parsed items as a new source's first sight (`Storage.subscribe`, one
  transaction per feed into a fresh database): as built, then with one part taken out at a
  time (the FTS5 index, its 2- and 3-letter prefix indexes, the skipped deliveries) and with
  every feed in one transaction. The "taken out" rows are measurements, not options.

Prints one table (µs of CPU per item) and two ceilings: storing alone (SQLite has one
writer, so the store runs on one core whatever else is free), and two cores doing nothing
but the bare parse and the store. JSON goes to bench/results/floor.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import feedparser
from lxml import etree  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import storage.items  # noqa: E402
from bot.pipeline import decide  # noqa: E402
from bot.pipeline.parse import parse_feed  # noqa: E402
from bot.pipeline.route import route  # noqa: E402
from storage import Storage  # noqa: E402
from storage.models import NewItem  # noqa: E402
from storage.storage import Subscription  # noqa: E402
from tests.feed_corpus import fill  # noqa: E402
from tests.feed_server import FeedServer  # noqa: E402

RESULTS = ROOT / "bench" / "results"
NOW = datetime(2026, 11, 24, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"


def feeds(count: int, seed: int) -> list[tuple[str, bytes]]:
    """(url, body) of generated feeds, RSS 2.0 and Atom 1.0 alternately, as bench/poll.py."""
    rng = random.Random(seed)
    server = FeedServer()
    server._base_url = "http://127.0.0.1:8080"  # never started: only its feeds are rendered
    out = []
    for n in range(count):
        path = f"/feeds/{n}.xml"
        feed = server.add_feed(path, title=f"Source {n}", kind="rss" if n % 2 else "atom")
        fill(feed, rng.randint(20, 100), rng, tricky=0.05)
        out.append((server.url(path), feed.render()))
    return out


def bare_lxml(body: bytes) -> int:
    """Read every item's fields with lxml and nothing else; the number of items."""
    root = etree.fromstring(body)
    items = root.iter("item", f"{ATOM}entry")
    count = 0
    for item in items:
        for child in item:
            child.text  # noqa: B018 (reading the text is the work measured)
        count += 1
    return count


def cpu_per_item(work: Callable[[], int]) -> float:
    """µs of this process's CPU per item for one run of `work` (which returns its items)."""
    start = time.process_time()
    items = work()
    return (time.process_time() - start) / items * 1e6


def store(parsed: list[tuple[str, list[NewItem]]], fts: str | None, one_transaction: bool) -> int:
    """Subscribe to every feed in a fresh database; the number of items stored.

    `fts`, when given, replaces the FTS5 table's options (before anything is stored)."""
    with tempfile.TemporaryDirectory() as directory:
        db = Storage(Path(directory) / "floor.db")
        if fts is not None:
            db.db.executescript(
                "DROP TABLE items_fts; CREATE VIRTUAL TABLE items_fts USING fts5 (title, "
                f"summary, brief_text, content, content='items', content_rowid='id', {fts});"
                "INSERT INTO items_fts (items_fts, rank) VALUES ('automerge', 16);"
                "INSERT INTO items_fts (items_fts, rank) VALUES ('pgsz', 4000);"
            )
        if one_transaction:
            db.db.conn.execute("BEGIN")
        for n, (url, items) in enumerate(parsed):
            name = f"Source {n}"
            subscription = Subscription(
                guild_id=1,
                channel_id=2,
                url=url,
                name=name,
                feed_title=name,
                site_url=None,
                interval_seconds=900,
                first_due_at=NOW + timedelta(minutes=15),
            )
            db.subscribe(subscription, items, route=route, now=NOW)
        if one_transaction:
            db.db.conn.execute("COMMIT")
        db.close()
    return sum(len(items) for _, items in parsed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    documents = feeds(args.feeds, args.seed)
    parsed = [
        (url, decide.new_items(parse_feed(body, url, None).items, set())) for url, body in documents
    ]
    no_index = mock.patch.object(storage.items, "index_items", lambda db, ids: None)
    no_deliveries = mock.patch.object(storage.items.ItemStore, "_insert_deliveries", lambda *a: 0)
    tokenizer = "tokenize = 'porter unicode61 remove_diacritics 2'"

    def parse_with(read: Callable[[bytes], int]) -> Callable[[], int]:
        return lambda: sum(read(body) for _, body in documents)

    rows: dict[str, float] = {
        "parse: newsdesk parse_feed": cpu_per_item(
            parse_with(lambda body: len(parse_feed(body, "http://127.0.0.1/", None).items))
        ),
        "parse: bare lxml pass": cpu_per_item(parse_with(bare_lxml)),
        "parse: feedparser (reader's parser)": cpu_per_item(
            parse_with(lambda body: len(feedparser.parse(body).entries))
        ),
        "store: as built": cpu_per_item(lambda: store(parsed, None, False)),
    }
    with no_index:
        rows["store: without the FTS5 index"] = cpu_per_item(lambda: store(parsed, None, False))
    rows["store: FTS5 without prefix indexes"] = cpu_per_item(
        lambda: store(parsed, tokenizer, False)
    )
    with no_deliveries:
        rows["store: without the skipped deliveries"] = cpu_per_item(
            lambda: store(parsed, None, False)
        )
    rows["store: every feed in one transaction"] = cpu_per_item(lambda: store(parsed, None, True))
    store_alone = 1e6 / min(rows["store: as built"], rows["store: every feed in one transaction"])
    two_cores = 2e6 / (rows["parse: bare lxml pass"] + rows["store: as built"])
    ceiling = min(store_alone, two_cores)
    items = sum(len(items) for _, items in parsed)
    print(f"{args.feeds} feeds, {items:,} items; CPU per item on one core")
    print("| step | µs per item |\n| --- | --- |")
    for name, value in rows.items():
        print(f"| {name} | {value:.1f} |")
    print(
        f"Ceiling: the store alone on its one writer {store_alone:,.0f} items/s; two cores "
        f"doing only a bare lxml pass and the store {two_cores:,.0f} items/s (no fetching, "
        f"no text cleaning, no item keys): {ceiling:,.0f} items/s at most."
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {
        "feeds": args.feeds,
        "items": items,
        "us_per_item": {name: round(value, 1) for name, value in rows.items()},
        "store_alone_items_per_s": round(store_alone),
        "two_cores_bare_parse_and_store_items_per_s": round(two_cores),
        "ceiling_items_per_s": round(ceiling),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    (RESULTS / "floor.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
