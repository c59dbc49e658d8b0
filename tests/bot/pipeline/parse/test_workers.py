"""Parsing in worker processes: same results as in a thread, errors carried back, and a
worker that dies costs only the document that killed it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import psutil
import pytest

from bot.errors import NotAFeed
from bot.pipeline.fetch import FetchResult
from bot.pipeline.parse.workers import FeedParser
from tests.bot.pipeline.parse.crashing_parser import CRASH, parse_or_die

ROOT = Path(__file__).resolve().parents[4]
FEEDS = ROOT / "tests" / "feeds"


def fetched(body: bytes, name: str = "feed.xml") -> FetchResult:
    return FetchResult(
        url=f"https://example.com/{name}",
        status=200,
        body=body,
        content_type=None,
        etag=None,
        last_modified=None,
        permanent_url=None,
        max_age=None,
        expires_in=None,
        retry_after=None,
    )


@pytest.fixture
async def workers() -> AsyncIterator[FeedParser]:
    parser = FeedParser(2, parse=parse_or_die)
    yield parser
    parser.close()


async def test_workers_parse_every_fixture_as_a_thread_does(workers: FeedParser) -> None:
    threaded = FeedParser(0)
    names = ["rss20.xml", "atom10.xml", "rss10.rdf", "jsonfeed11.json", "odd_dates.xml"]
    for name in names:
        result = fetched((FEEDS / name).read_bytes(), name)
        assert await workers.parse(result) == await threaded.parse(result), name


async def test_workers_run_below_the_bots_priority(workers: FeedParser) -> None:
    await workers.parse(fetched((FEEDS / "rss20.xml").read_bytes()))
    bot = psutil.Process()
    # Workers are the forkserver's children; they yield to the event loop and the storage
    # thread, the forkserver and the bot's own threads do not. Only this parser's workers
    # are looked at: an earlier test's pool may still be starting or ending.
    workers_of_this_pool = set(workers._pool._processes)  # type: ignore[union-attr]
    niceness = {psutil.Process(pid).nice() for pid in workers_of_this_pool}
    assert workers_of_this_pool and niceness == {bot.nice() + 5}


async def test_not_a_feed_comes_back_with_its_sentence(workers: FeedParser) -> None:
    with pytest.raises(NotAFeed, match=r"web page \(HTML\), not an RSS"):
        await workers.parse(fetched((FEEDS / "html_no_feed.html").read_bytes(), "page.html"))


async def test_a_worker_crash_fails_only_that_document(workers: FeedParser) -> None:
    feed = fetched((FEEDS / "rss20.xml").read_bytes())
    expected = await workers.parse(feed)
    with pytest.raises(NotAFeed, match="parser stopped"):
        await workers.parse(fetched(CRASH))
    # The pool was replaced: the next feed parses as before.
    assert await workers.parse(feed) == expected


async def test_feeds_parsing_beside_a_crash_are_tried_again(workers: FeedParser) -> None:
    feed = fetched((FEEDS / "atom10.xml").read_bytes())
    results = await asyncio.gather(
        *(workers.parse(fetched(CRASH) if n == 3 else feed) for n in range(8)),
        return_exceptions=True,
    )
    assert isinstance(results.pop(3), NotAFeed)
    assert all(result == results[0] and not isinstance(result, Exception) for result in results)


BOT_WITH_WORKERS = """
import asyncio, os, sys
from bot.pipeline.parse.workers import FeedParser
from tests.bot.pipeline.parse.test_workers import FEEDS, fetched

async def main():
    parser = FeedParser(2)
    await parser.parse(fetched((FEEDS / "rss20.xml").read_bytes()))
    print("ready", flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


def test_workers_exit_when_the_bot_is_killed() -> None:
    bot = subprocess.Popen(
        [sys.executable, "-c", BOT_WITH_WORKERS],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert bot.stdout is not None and bot.stdout.readline().strip() == "ready"
        helpers = psutil.Process(bot.pid).children(recursive=True)  # forkserver, workers...
        assert len(helpers) >= 3
    finally:
        bot.kill()
        bot.wait()
    # Within a few of the workers' checks, every process the bot started is gone.
    _, alive = psutil.wait_procs(helpers, timeout=20)
    assert alive == []


def markup_junk(tags: int) -> bytes:
    """An RSS channel of unclosed tags: not well-formed, so feedparser's tolerant parser
    reads it, at about 7 s of CPU per MB (the 10.5 MB document of issue #16 took 80 s)."""
    return b"<rss version='2.0'><channel>" + b"<b>" * tags


SLOW = markup_junk(150_000)  # 0.45 MB: 2 to 3 s of CPU
LIMIT = 0.3


async def test_a_document_past_the_time_limit_is_stopped_and_others_parse() -> None:
    parser = FeedParser(2, parse=parse_or_die, time_limit=LIMIT)
    try:
        feed = fetched((FEEDS / "atom10.xml").read_bytes())
        expected = await parser.parse(feed)
        workers_before = {p.pid for p in psutil.Process().children(recursive=True)}
        results = await asyncio.gather(
            *(parser.parse(fetched(SLOW, "junk.xml") if n == 2 else feed) for n in range(6)),
            return_exceptions=True,
        )
        slow = results.pop(2)
        # Its worker was killed at the limit (in the pool, then alone), not parsed to the end.
        assert isinstance(slow, NotAFeed) and "took too long to read" in slow.message
        assert all(result == expected for result in results)
        # The worker that was stopped is gone; the next document gets a new one.
        assert await parser.parse(feed) == expected
        workers_after = {p.pid for p in psutil.Process().children(recursive=True)}
        assert workers_after - workers_before
    finally:
        parser.close()


async def test_in_a_thread_the_caller_stops_waiting_at_the_time_limit() -> None:
    parser = FeedParser(0, time_limit=LIMIT)
    started = time.monotonic()
    with pytest.raises(NotAFeed, match="took too long to read"):
        await parser.parse(fetched(markup_junk(80_000), "junk.xml"))
    # The whole parse takes over a second (and runs on: a thread cannot be stopped).
    assert time.monotonic() - started < 1.0
