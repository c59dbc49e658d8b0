"""Digests end to end: digest-only sources, /digest now, no doubling across a restart."""

from __future__ import annotations

from collections.abc import Callable

from tests.discord_emulator import DiscordEmulator
from tests.e2e.harness import MANAGE_GUILD, BotProcess
from tests.feed_server import FeedServer


async def test_digest_now_once_and_not_doubled_by_a_restart(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    guild = emu.add_guild("Newsroom").id
    news = emu.add_text_channel(guild, "news").id
    digest = emu.add_text_channel(guild, "digest").id
    mod = emu.add_member(guild, "mod", permissions=MANAGE_GUILD).id
    stream = srv.add_feed("/stream.xml", title="Stream", kind="rss")
    quiet = srv.add_feed("/quiet.xml", title="Quiet", kind="atom")
    stream.add_items(1)
    quiet.add_items(1)
    bot = newsdesk()
    await bot.start()
    await emu.slash(guild, news, mod, "source add", options={"url": srv.url("/stream.xml")})
    await emu.slash(
        guild, news, mod, "source add", options={"url": srv.url("/quiet.xml"), "style": "digest"}
    )
    reply = await emu.slash(
        guild,
        news,
        mod,
        "digest set",
        options={"channel": digest, "time": "03:17", "timezone": "Asia/Tokyo"},
    )
    assert "daily digest will be posted" in reply.text and "Asia/Tokyo" in reply.text
    bad = await emu.slash(
        guild, news, mod, "digest set", options={"channel": digest, "time": "25:00"}
    )
    assert "is not a time" in bad.text

    stream.add_items(2, prefix="Streamed")
    quiet.add_items(2, prefix="Digest only")
    await emu.wait_for_messages(news, 2)
    await emu.wait_for(lambda: bot.pending_deliveries() == 0, timeout=20)
    await srv.wait_for_requests("/quiet.xml", len(srv.requests("/quiet.xml")) + 2, timeout=20)
    assert [m.embeds[0]["title"] for m in emu.messages(news)] == ["Streamed 1", "Streamed 2"]

    now = await emu.slash(guild, news, mod, "digest now")
    assert "Posted a digest of 4 stories" in now.text
    (message,) = emu.messages(digest)
    text = message.embeds[0]["description"]
    for title in ("Streamed 1", "Streamed 2", "Digest only 1", "Digest only 2"):
        assert title in text
    again = await emu.slash(guild, news, mod, "digest now")
    assert "No new stories" in again.text

    assert await bot.stop() == 0
    await bot.start()
    await emu.slash(guild, news, mod, "newsdesk status")  # the bot is up and answering
    assert len(emu.messages(digest)) == 1
    assert "The digest is off" in (await emu.slash(guild, news, mod, "digest off")).text
    assert "no digest" in (await emu.slash(guild, news, mod, "digest now")).text
