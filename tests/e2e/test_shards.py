"""Issue 21 (first part): the bot shards, and one process serves every shard on SQLite."""

from __future__ import annotations

from collections.abc import Callable

from tests.discord_emulator import DiscordEmulator
from tests.e2e.harness import BotProcess, polls, slash, world
from tests.feed_server import FeedServer


def shard_of(guild_id: int, count: int) -> int:
    return (guild_id >> 22) % count


def worlds_on_every_shard(emu: DiscordEmulator, count: int) -> dict[int, dict[str, int]]:
    """One guild (with its channels and moderator) on each of `count` shards."""
    found: dict[int, dict[str, int]] = {}
    while len(found) < count:
        w = world(emu, f"S{len(emu.guilds)}")
        found.setdefault(shard_of(w["guild"], count), w)
    return found


async def test_one_process_serves_both_shards(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    emu.max_concurrency = 2  # both shards may identify at once
    worlds = worlds_on_every_shard(emu, 2)
    bot = newsdesk(NEWSDESK_SHARD_COUNT="2")
    await bot.start()
    await emu.wait_for(
        lambda: emu.stats["identifies_shard_0"] == 1 and emu.stats["identifies_shard_1"] == 1,
        timeout=30,
    )
    for shard, w in worlds.items():
        path = f"/shard{shard}.xml"
        srv.add_feed(path, title=f"Shard {shard} wire", kind="rss").add_items(1, prefix="Old")
        # The interaction reaches the shard that owns the guild, and the bot answers there.
        assert "Shard" in await slash(emu, w, "mod", "source add", url=srv.url(path))
        srv.feeds[path].add_items(2, prefix=f"New {shard}")
        await polls(srv, path, 1)
    for shard, w in worlds.items():
        await emu.wait_for_messages(w["news"], 2, timeout=30)
        titles = [m.embeds[0]["title"] for m in emu.messages(w["news"]) if m.embeds]
        assert titles == [f"New {shard} 1", f"New {shard} 2"]
        status = await slash(emu, w, "mod", "newsdesk status")
        assert "Sources" in status and f"shard {shard} of 2 · process" in status
    assert await bot.stop() == 0


async def test_the_shard_count_defaults_to_discords_recommendation(
    discord_emulator: DiscordEmulator, newsdesk: Callable[..., BotProcess]
) -> None:
    emu = discord_emulator
    emu.recommended_shards, emu.max_concurrency = 3, 3
    bot = newsdesk()
    await bot.start()
    await emu.wait_for(lambda: sum(emu.stats[f"identifies_shard_{n}"] for n in range(3)) == 3)
    assert await bot.stop() == 0


async def test_too_few_shards_for_discord_ends_with_one_sentence(
    discord_emulator: DiscordEmulator, newsdesk: Callable[..., BotProcess]
) -> None:
    emu = discord_emulator
    emu.sharding_required_above = 1
    world(emu, "A")
    world(emu, "B")
    bot = newsdesk(NEWSDESK_SHARD_COUNT="1")
    await bot.start(wait_ready=False)
    assert bot.process is not None
    assert await bot.process.wait() == 1
    assert "raise NEWSDESK_SHARD_COUNT" in bot.log() and "Traceback" not in bot.log()
