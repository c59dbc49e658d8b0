"""Discord misbehaving at random while 200 items are delivered: all posted exactly once, and
slash commands are still answered within 3 seconds."""

from __future__ import annotations

import os
import random
from collections.abc import Callable

from tests.discord_emulator import DiscordEmulator
from tests.e2e.harness import MANAGE_GUILD, BotProcess
from tests.feed_server import FeedServer

ITEMS = 200


async def test_200_items_survive_random_discord_faults(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    seed = int(os.environ.get("NEWSDESK_CHAOS_SEED", "424242"))
    rng = random.Random(seed)
    emu, srv = discord_emulator, feed_server
    guild = emu.add_guild("Newsroom").id
    news = emu.add_text_channel(guild, "news").id
    mod = emu.add_member(guild, "mod", permissions=MANAGE_GUILD).id
    feed = srv.add_feed("/a.xml", title="Alpha", kind="rss")
    feed.add_items(1)
    bot = newsdesk()
    await bot.start()
    await emu.slash(guild, news, mod, "source add", options={"url": srv.url("/a.xml")})
    titles = [item.title for item in feed.add_items(ITEMS, prefix="Fault")]

    faults = 0
    while len(emu.messages(news)) < ITEMS:
        kind = rng.choice(["429", "5xx", "slow", "drop", "reconnect", "invalidate"])
        if kind == "429":
            emu.faults.rest(
                status=429,
                retry_after=rng.choice([0.1, 0.3]),
                count=2,
                method="POST",
                path_contains="/messages",
            )
        elif kind == "5xx":
            emu.faults.rest(
                status=rng.choice([500, 502, 503]),
                count=1,
                method="POST",
                path_contains="/messages",
            )
        elif kind == "slow":
            emu.faults.rest(delay=0.5, count=3, path_contains="/messages")
        elif kind == "drop":
            await emu.gateway_drop()
        elif kind == "reconnect":
            await emu.gateway_reconnect()
        else:
            await emu.gateway_invalidate(resumable=rng.random() < 0.5)
        faults += 1
        # The gateway comes back (resume or identify) before a member can use a command.
        await emu.wait_until_ready(timeout=20)
        reply = await emu.slash(guild, news, mod, "newsdesk status", timeout=10)
        assert reply.elapsed_ack < 3, (
            f"seed {seed}: /newsdesk status took {reply.elapsed_ack:.1f} s"
        )
        goal = min(len(emu.messages(news)) + rng.randint(5, 25), ITEMS)
        await emu.wait_for(
            lambda g=goal: len(emu.messages(news)) >= g,
            timeout=60,
            message=f"seed {seed}: posting stalled after {kind}",
        )

    await emu.wait_for(lambda: bot.pending_deliveries() == 0, timeout=30)
    posted = [m.embeds[0]["title"] for m in emu.messages(news)]
    assert posted == titles, f"seed {seed}: posts differ from the feed's items"
    assert faults >= 5
