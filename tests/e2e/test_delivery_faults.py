"""Discord refusing or failing posts: retried, stopped with a reason, or given up on."""

from __future__ import annotations

from collections.abc import Callable

from tests.discord_emulator import DiscordEmulator
from tests.e2e.harness import MANAGE_GUILD, BotProcess
from tests.feed_server import FeedServer


async def start_with_source(
    emu: DiscordEmulator, srv: FeedServer, newsdesk: Callable[..., BotProcess], **env: str
) -> tuple[BotProcess, int, int, int]:
    guild = emu.add_guild("Newsroom")
    news = emu.add_text_channel(guild.id, "news").id
    mod = emu.add_member(guild.id, "mod", permissions=MANAGE_GUILD).id
    srv.add_feed("/a.xml", title="Alpha", kind="rss").add_items(1)
    bot = newsdesk(**env)
    await bot.start()
    await emu.slash(guild.id, news, mod, "source add", options={"url": srv.url("/a.xml")})
    return bot, guild.id, news, mod


async def test_5xx_is_retried_and_posted_once(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    bot, _, news, _ = await start_with_source(emu, srv, newsdesk)
    emu.faults.rest(status=503, count=2, method="POST", path_contains="/messages")
    srv.feeds["/a.xml"].add_items(2, prefix="Late")
    await emu.wait_for_messages(news, 2, timeout=30)
    await emu.wait_for(lambda: bot.pending_deliveries() == 0, timeout=30)
    assert [m.embeds[0]["title"] for m in emu.messages(news)] == ["Late 1", "Late 2"]


async def test_400_marks_the_post_failed_and_the_next_one_goes_on(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    bot, _, news, _ = await start_with_source(emu, srv, newsdesk)
    emu.faults.rest(status=400, count=1, method="POST", path_contains="/messages")
    srv.feeds["/a.xml"].add_items(2, prefix="Item")
    await emu.wait_for_messages(news, 1, timeout=30)
    await emu.wait_for(lambda: bot.pending_deliveries() == 0, timeout=30)
    assert [m.embeds[0]["title"] for m in emu.messages(news)] == ["Item 2"]
    assert "Discord refused delivery" in bot.log()


async def test_lost_permission_and_deleted_channel_stop_posting_with_a_reason(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    bot, guild, news, mod = await start_with_source(emu, srv, newsdesk)
    other = emu.add_text_channel(guild, "other").id
    srv.add_feed("/b.xml", title="Beta", kind="rss").add_items(1)
    await emu.slash(guild, other, mod, "source add", options={"url": srv.url("/b.xml")})
    emu.forbid_channel(news)
    emu.delete_channel(other)
    srv.feeds["/a.xml"].add_items(1, prefix="Blocked")
    srv.feeds["/b.xml"].add_items(1, prefix="Gone")
    await emu.wait_for(
        lambda: (
            "stopped posting to channel" in bot.log() and bot.log().count("stopped posting") >= 2
        ),
        timeout=30,
    )
    listing = await emu.slash(guild, news, mod, "source list")
    assert "no permission to post there" in listing.text
    assert "the channel no longer exists" in listing.text
    assert emu.messages(news) == []
    assert bot.pending_deliveries() == 2  # kept, not lost


async def test_private_addresses_are_refused_unless_allowed(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    guild = emu.add_guild("Newsroom")
    news = emu.add_text_channel(guild.id, "news").id
    mod = emu.add_member(guild.id, "mod", permissions=MANAGE_GUILD).id
    srv.add_feed("/a.xml", title="Alpha", kind="rss").add_items(1)
    bot = newsdesk(NEWSDESK_ALLOW_PRIVATE_HOSTS="")
    await bot.start()
    for url in (
        srv.url("/a.xml"),
        "http://[::1]/feed",
        "http://169.254.169.254/latest",
        "http://10.0.0.1/feed",
        "file:///etc/passwd",
        "ftp://example.com/feed",
    ):
        reply = await emu.slash(guild.id, news, mod, "source add", options={"url": url})
        assert reply.ephemeral
        assert "Traceback" not in reply.text and reply.text.strip().endswith(".")
        assert any(word in reply.text for word in ("private", "not allowed", "http", "refused"))
    assert len(srv.requests("/a.xml")) == 0
    listing = await emu.slash(guild.id, news, mod, "source list")
    assert "no sources" in listing.text
