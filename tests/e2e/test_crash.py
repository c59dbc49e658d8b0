"""Crash anywhere, restart: every item is posted exactly once, in order."""

from __future__ import annotations

from collections.abc import Callable

from tests.discord_emulator import DiscordEmulator
from tests.e2e.harness import MANAGE_GUILD, BotProcess
from tests.feed_server import FeedServer


async def test_sigkill_during_delivery_loses_nothing_and_doubles_nothing(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    guild = emu.add_guild("Newsroom")
    news = emu.add_text_channel(guild.id, "news").id
    mod = emu.add_member(guild.id, "mod", permissions=MANAGE_GUILD).id
    feed = srv.add_feed("/a.xml", title="Alpha", kind="rss")
    feed.add_items(1)
    bot = newsdesk()
    await bot.start()
    await emu.slash(guild.id, news, mod, "source add", options={"url": srv.url("/a.xml")})

    # Every post takes effect at once but is answered late: a kill in that window is a crash
    # between posting and recording.
    emu.faults.rest(count=10_000, method="POST", path_contains="/messages", delay_after=0.25)
    feed.add_items(30, prefix="Crash")

    # 1. Killed as the poll fetches the new items: before anything is stored or posted.
    await srv.wait_for_requests("/a.xml", len(srv.requests("/a.xml")) + 1, timeout=20)
    await bot.kill()
    assert emu.messages(news) == []

    # 2. Killed while the first post is on the wire: posted, but not recorded.
    await bot.start()
    await emu.wait_for_messages(news, 1, timeout=20)
    await bot.kill()

    # 3. Killed mid-batch.
    await bot.start()
    await emu.wait_for_messages(news, 12, timeout=30)
    await bot.kill()

    # 4. Killed again right after a restart's first post.
    count = len(emu.messages(news))
    await bot.start()
    await emu.wait_for_messages(news, count + 1, timeout=30)
    await bot.kill()

    await bot.start()
    await emu.wait_for_messages(news, 30, timeout=60)
    await emu.wait_for(lambda: bot.pending_deliveries() == 0, timeout=30)
    titles = [m.embeds[0]["title"] for m in emu.messages(news)]
    assert titles == [f"Crash {n}" for n in range(1, 31)]
    assert emu.stats["nonce_dedupes"] >= 1  # the resend after the crash was answered, not posted
    assert await bot.stop() == 0


async def test_webhook_posts_are_posted_exactly_once_across_ten_sigkills(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    """Webhooks take no nonce: the resend finds the marked post in the channel instead."""
    emu, srv = discord_emulator, feed_server
    guild = emu.add_guild("Newsroom")
    news = emu.add_text_channel(guild.id, "news").id
    mod = emu.add_member(guild.id, "mod", permissions=MANAGE_GUILD).id
    feed = srv.add_feed("/a.xml", title="Alpha", kind="rss")
    feed.add_items(1)
    bot = newsdesk()
    await bot.start()
    await emu.slash(guild.id, news, mod, "source add", options={"url": srv.url("/a.xml")})
    await emu.slash(
        guild.id, news, mod, "source edit", options={"source": "Alpha", "webhook_name": "Desk"}
    )
    # Every webhook post takes effect at once but is answered late: each kill below lands
    # between a post going out and its being recorded.
    emu.faults.rest(count=10_000, method="POST", path_contains="/webhooks/", delay_after=0.3)
    feed.add_items(30, prefix="Crash")
    for kill in range(10):
        if kill:
            await bot.start()
        await emu.wait_for_messages(news, kill + 1, timeout=30)
        await bot.kill()
    await bot.start()
    await emu.wait_for_messages(news, 30, timeout=60)
    await emu.wait_for(lambda: bot.pending_deliveries() == 0, timeout=30)
    posts = emu.messages(news)
    assert [m.embeds[0]["title"] for m in posts] == [f"Crash {n}" for n in range(1, 31)]
    assert all((m.webhook_author or {}).get("username") == "Desk" for m in posts)
    assert emu.stats["webhook_posts"] == 30  # ten posts were found again, none sent twice
    assert await bot.stop() == 0


async def test_forum_posts_are_posted_exactly_once_across_sigkills(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    """A forum post takes no nonce either: the resend finds it among the forum's threads."""
    emu, srv = discord_emulator, feed_server
    guild = emu.add_guild("Newsroom")
    news = emu.add_text_channel(guild.id, "news").id
    forum = emu.add_forum_channel(guild.id, "stories").id
    mod = emu.add_member(guild.id, "mod", permissions=MANAGE_GUILD).id
    feed = srv.add_feed("/a.xml", title="Alpha", kind="rss")
    feed.add_items(1)
    bot = newsdesk()
    await bot.start()
    await emu.slash(
        guild.id, news, mod, "source add", options={"url": srv.url("/a.xml"), "channel": forum}
    )
    emu.faults.rest(count=10_000, method="POST", path_contains="/threads", delay_after=0.3)
    feed.add_items(8, prefix="Crash")
    for kill in range(4):
        if kill:
            await bot.start()
        await emu.wait_for(lambda n=kill: len(emu.threads(forum)) > n, timeout=30, message="post")
        await bot.kill()
    await bot.start()
    await emu.wait_for(lambda: len(emu.threads(forum)) == 8, timeout=60, message="all posts")
    await emu.wait_for(lambda: bot.pending_deliveries() == 0, timeout=30)
    assert [t.name for t in emu.threads(forum)] == [f"Crash {n}" for n in range(1, 9)]
    assert emu.stats["forum_posts"] == 8
    assert await bot.stop() == 0
