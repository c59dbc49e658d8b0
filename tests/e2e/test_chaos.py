"""Seeded chaos: SIGKILL at random moments over 20 restarts while items keep arriving.

Reproduce a failure with NEWSDESK_CHAOS_SEED=<seed> (printed on failure)."""

from __future__ import annotations

import os
import random
import sqlite3
from collections.abc import Callable

from tests.discord_emulator import DiscordEmulator
from tests.e2e.harness import MANAGE_GUILD, BotProcess
from tests.feed_server import FeedServer

RESTARTS = 20


async def test_random_kills_lose_nothing_and_double_nothing(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    seed = int(os.environ.get("NEWSDESK_CHAOS_SEED", "20261124"))
    rng = random.Random(seed)
    emu, srv = discord_emulator, feed_server
    guild = emu.add_guild("Newsroom").id
    channels = [emu.add_text_channel(guild, name).id for name in ("alpha", "beta")]
    mod = emu.add_member(guild, "mod", permissions=MANAGE_GUILD).id
    feeds = [
        srv.add_feed("/alpha.xml", title="Alpha", kind="rss"),
        srv.add_feed("/beta.xml", title="Beta", kind="atom"),
    ]
    for feed in feeds:
        feed.add_items(2, prefix=f"{feed.title} old")
    expected: list[list[str]] = [[], []]
    bot = newsdesk()
    await bot.start()
    for feed, channel in zip(feeds, channels, strict=True):
        await emu.slash(
            guild, channel, mod, "source add", options={"url": feed.url, "channel": channel}
        )
    # Generated items read alike across the two feeds: story merging would (rightly) join them.
    await emu.slash(guild, channels[0], mod, "newsdesk settings", options={"merge_stories": False})
    # Posts take effect at once but are answered late, widening the crash window.
    emu.faults.rest(count=100_000, method="POST", path_contains="/messages", delay_after=0.05)

    def posted() -> int:
        return sum(len(emu.messages(c)) for c in channels)

    for round_ in range(RESTARTS):
        for index, feed in enumerate(feeds):
            for item in feed.add_items(rng.randint(0, 3), prefix=f"{feed.title} r{round_}"):
                expected[index].append(item.title)
        moment = rng.choice(["ready", "poll", "post", "posts"])
        if moment == "poll":
            path = rng.choice(["/alpha.xml", "/beta.xml"])
            await srv.wait_for_requests(path, len(srv.requests(path)) + 1, timeout=30)
        elif moment in {"post", "posts"} and posted() < sum(map(len, expected)):
            goal = posted() + (1 if moment == "post" else rng.randint(2, 4))
            goal = min(goal, sum(map(len, expected)))
            await emu.wait_for(lambda g=goal: posted() >= g, timeout=30)
        await bot.kill()
        await bot.start()

    total = sum(map(len, expected))
    await emu.wait_for(
        lambda: posted() >= total and bot.pending_deliveries() == 0,
        timeout=60,
        message=f"seed {seed}: not everything was posted",
    )
    for path in ("/alpha.xml", "/beta.xml"):  # one more poll each: nothing new may appear
        await srv.wait_for_requests(path, len(srv.requests(path)) + 1, timeout=30)
    await emu.wait_for(lambda: bot.pending_deliveries() == 0, timeout=30)
    for channel, titles in zip(channels, expected, strict=True):
        got = [m.embeds[0]["title"] for m in emu.messages(channel)]
        assert got == titles, f"seed {seed}: channel posts differ"
    assert await bot.stop() == 0
    with sqlite3.connect(bot.database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
