"""Event-loop health under a polling burst: the real `newsdesk run` process against the local
Discord emulator while N sources all return new items.

    .venv/bin/python -m bench.loop [--sources 500] [--new 2]
    .venv/bin/python -m bench.loop --sources 2000 --archive /tmp/newsdesk-bench/search-1000000.db

Prints one table (and writes bench/results/loop.json): event-loop lag p50/p99/max as the
bot's own monitor measured it, interaction acknowledgement times during the burst, and the
peak RSS of the bot process (and of it with its parser processes, summed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import psutil

from bench.poll import compile_project, copy_archive
from bot.services.opml import OpmlFeed, write_opml
from tests.discord_emulator import DiscordEmulator
from tests.e2e.harness import MANAGE_GUILD, BotProcess
from tests.feed_corpus import fill
from tests.feed_server import FeedServer
from tests.newsdesk_cli import newsdesk_command

RESULTS = Path(__file__).parent / "results"


async def run(sources: int, new: int, archive: Path | None) -> dict[str, object]:
    async with DiscordEmulator(token="test-token") as emu:
        srv = FeedServer()
        await srv.start()
        guild = emu.add_guild("Bench").id
        channel = emu.add_text_channel(guild, "news").id
        mod = emu.add_member(guild, "mod", permissions=MANAGE_GUILD).id
        feeds = []
        for n in range(sources):
            feed = srv.add_feed(f"/f{n}.xml", title=f"Feed {n}", kind="rss" if n % 2 else "atom")
            feed.add_items(20)
            feeds.append(feed)
        work = Path(tempfile.mkdtemp(prefix="newsdesk-bench-"))
        if archive:
            copy_archive(archive, work / "newsdesk.db")
        bot = BotProcess(
            emu,
            work,
            NEWSDESK_LOG_LEVEL="WARNING",
            NEWSDESK_MAX_SOURCES_PER_GUILD=str(sources + 10),
        )
        env = {**bot.env}
        for part in range(0, sources, 500):  # an OPML file holds at most 500 outlines
            opml = work / f"feeds-{part}.opml"
            opml.write_bytes(write_opml(OpmlFeed(f.url, f.title) for f in feeds[part : part + 500]))
            process = await asyncio.create_subprocess_exec(
                *newsdesk_command(),
                *("sources", "import", str(opml), "--guild", str(guild), "--channel", str(channel)),
                cwd=work,
                env={**os.environ, **env},
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            if await process.wait() != 0:
                raise SystemExit(f"newsdesk sources import {opml.name} failed")
        await bot.start()
        assert bot.process is not None
        memory = asyncio.create_task(peak_rss(bot.process.pid))
        rng = random.Random(8)
        settled = handled(bot.database)
        for feed in feeds:
            fill(feed, new, rng, tricky=0)  # distinct stories: none merge into another's post
        expected = sources * new
        started = time.perf_counter()
        acks: list[float] = []
        while handled(bot.database) - settled < expected:
            reply = await emu.slash(guild, channel, mod, "newsdesk status", timeout=30)
            acks.append(reply.elapsed_ack)
            await asyncio.sleep(0.5)
        elapsed = time.perf_counter() - started
        status = (await emu.slash(guild, channel, mod, "newsdesk status")).text
        memory.cancel()
        main_rss, all_rss = PEAKS
        stored = count(work / "newsdesk.db", "SELECT COUNT(*) FROM items")
        await bot.stop()
        await srv.stop()
    lag = status.split("Event loop lag", 1)[1].split("\n")[1] if "Event loop lag" in status else "?"
    return {
        "sources": sources,
        "items": expected,
        "posts": len(emu.messages(channel)),
        "burst_seconds": round(elapsed, 2),
        "lag": lag,
        "ack_p50_ms": round(1000 * statistics.median(acks), 1),
        "ack_max_ms": round(1000 * max(acks), 1),
        "interactions": len(acks),
        "items_stored": stored,
        "peak_rss_mb": round(main_rss / 2**20, 1),
        "all_processes_peak_rss_mb": round(all_rss / 2**20, 1),
    }


PEAKS = [0, 0]
"""Largest RSS of the bot process, and of it with its parser processes (summed)."""


async def peak_rss(pid: int) -> None:
    """Sample the bot's process tree every 50 ms until cancelled."""
    bot = psutil.Process(pid)
    while True:
        try:
            main = bot.memory_info().rss
            total = main + sum(child.memory_info().rss for child in bot.children(recursive=True))
        except psutil.Error:
            total = main = 0
        PEAKS[0] = max(PEAKS[0], main)
        PEAKS[1] = max(PEAKS[1], total)
        await asyncio.sleep(0.05)


def count(database: Path, sql: str) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return int(db.execute(sql).fetchone()[0])


def handled(database: Path) -> int:
    """Deliveries the bot has finished with (posted, merged into a story, or failed)."""
    return count(
        database, "SELECT COUNT(*) FROM deliveries WHERE state IN ('sent', 'merged', 'failed')"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=500)
    parser.add_argument("--new", type=int, default=2, help="new items per source")
    parser.add_argument(
        "--archive",
        type=Path,
        help="start from a copy of this database (e.g. bench/search.py's 1,000,000 items)",
    )
    args = parser.parse_args()
    compile_project()
    result = asyncio.run(run(args.sources, args.new, args.archive))
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "loop.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
