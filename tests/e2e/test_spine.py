"""Issue 3 end to end: `/source add`, polling, posting exactly once, in order."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from tests.discord_emulator import DiscordEmulator
from tests.e2e.harness import BotProcess, polls, setup_guild
from tests.feed_server import FeedServer


def titles(emu: DiscordEmulator, channel: int) -> list[str]:
    out = []
    for message in emu.messages(channel):
        if message.embeds:
            out.append(message.embeds[0]["title"])
        else:
            out.append((message.content or "").splitlines()[0])
    return out


def posts(emu: DiscordEmulator, channel: int) -> list[str]:
    return [m.embeds[0]["title"] for m in emu.messages(channel) if m.embeds]


def alerts(emu: DiscordEmulator, channel: int) -> list[str]:
    return [m.content for m in emu.messages(channel) if not m.embeds and m.content]


async def test_add_posts_only_new_items_once_in_order(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    guild, news, other, mod = setup_guild(emu)
    feed_a = srv.add_feed("/a.xml", title="Alpha Wire", kind="rss")
    feed_a.add_items(5, prefix="Old A")
    feed_b = srv.add_feed("/b.xml", title="Beta Times", kind="atom")
    feed_b.add_items(4, prefix="Old B")
    bot = newsdesk()
    await bot.start()

    reply = await emu.slash(guild, news, mod, "source add", options={"url": srv.url("/a.xml")})
    assert reply.ephemeral
    assert "Alpha Wire" in reply.text and "5 items" in reply.text and "Old A 5" in reply.text
    assert reply.embeds[0]["title"] == "Old A 5"  # a preview of the newest item, as it would post
    reply = await emu.slash(
        guild,
        news,
        mod,
        "source add",
        options={"url": srv.url("/b.xml"), "channel": other, "backfill": 2},
    )
    assert "Beta Times" in reply.text

    await emu.wait_for_messages(other, 2)
    assert titles(emu, other) == ["Old B 3", "Old B 4"]
    await polls(srv, "/a.xml", 2)
    assert emu.messages(news) == []

    new = feed_a.add_items(3, prefix="New A")
    feed_b.add_items(1, prefix="New B")
    await emu.wait_for_messages(news, 3)
    await emu.wait_for_messages(other, 3)
    await polls(srv, "/a.xml", 2)
    assert titles(emu, news) == ["New A 1", "New A 2", "New A 3"]
    assert titles(emu, other) == ["Old B 3", "Old B 4", "New B 1"]
    links = [m.embeds[0]["url"] for m in emu.messages(news)]
    assert links == [item.link for item in new]

    listing = await emu.slash(guild, news, mod, "source list")
    assert "Alpha Wire" in listing.text and "Beta Times" in listing.text
    assert re.search(r"3 posted", listing.text)
    assert await bot.stop() == 0


async def test_a_feed_that_re_dates_or_reorders_posts_nothing(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    from datetime import timedelta

    emu, srv = discord_emulator, feed_server
    guild, news, _, mod = setup_guild(emu)
    feed = srv.add_feed("/a.xml", title="Alpha", kind="rss")
    feed.add_items(5)
    bot = newsdesk()
    await bot.start()
    await emu.slash(guild, news, mod, "source add", options={"url": srv.url("/a.xml")})
    feed.redate_all(timedelta(days=2))
    feed.reorder(reverse=True)
    await polls(srv, "/a.xml", 2)
    first = feed.items[0]
    feed.edit_item(first.guid, title="Edited title")
    await polls(srv, "/a.xml", 2)
    assert emu.messages(news) == []


async def test_titles_with_mentions_post_as_plain_text(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    guild, news, _, mod = setup_guild(emu)
    feed = srv.add_feed("/a.xml", title="Alpha", kind="rss")
    feed.add_items(1)
    bot = newsdesk()
    await bot.start()
    await emu.slash(guild, news, mod, "source add", options={"url": srv.url("/a.xml")})
    feed.add_item(
        title="@everyone <@&123456789012345678> **ping** <@234567890123456789>",
        summary="@here read this",
    )
    (message,) = await emu.wait_for_messages(news, 1)
    assert message.allowed_mentions == {"parse": []} or message.allowed_mentions.get("parse") == []
    embed = message.embeds[0]
    assert "@everyone" not in embed["title"] and "<@&" not in embed["title"]
    assert "\\*\\*ping\\*\\*" in embed["title"]
    assert "@here" not in embed.get("description", "")


async def test_a_failing_feed_backs_off_shows_failing_and_recovers(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    guild, news, _, mod = setup_guild(emu)
    feed = srv.add_feed("/a.xml", title="Alpha", kind="rss")
    feed.add_items(2)
    bot = newsdesk()
    await bot.start()
    await emu.slash(guild, news, mod, "source add", options={"url": srv.url("/a.xml")})
    srv.fail("/a.xml", status=500)
    await polls(srv, "/a.xml", 3)
    recent = srv.requests("/a.xml")[-3:]
    gaps = [b.time - a.time for a, b in itertools.pairwise(recent)]
    assert gaps[1] > gaps[0]  # the delay grows
    listing = await emu.slash(guild, news, mod, "source list")
    assert "failing since" in listing.text
    feed.add_items(2, prefix="During outage")
    srv.clear_faults("/a.xml")
    await emu.wait_for(
        lambda: len(posts(emu, news)) == 2 and len(alerts(emu, news)) == 2, timeout=30
    )
    assert posts(emu, news) == ["During outage 1", "During outage 2"]
    failing, recovered = alerts(emu, news)
    assert "has failed 3 polls in a row" in failing and "500" in failing
    assert "working again" in recovered
    listing = await emu.slash(guild, news, mod, "source list")
    assert "failing since" not in listing.text and "ok" in listing.text


async def test_bad_sources_do_not_delay_the_others(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    guild, news, other, mod = setup_guild(emu)
    for path in ("/stall.xml", "/endless.xml", "/garbage.xml", "/good.xml"):
        srv.add_feed(path, title=path, kind="rss").add_items(1)
    bot = newsdesk()
    await bot.start()
    for path in ("/stall.xml", "/endless.xml", "/garbage.xml"):
        await emu.slash(guild, other, mod, "source add", options={"url": srv.url(path)})
    await emu.slash(guild, news, mod, "source add", options={"url": srv.url("/good.xml")})
    srv.stall("/stall.xml")
    srv.endless("/endless.xml")
    srv.serve_bytes("/garbage.xml", b"\x00\xff<<not a feed>>" * 100, content_type="text/xml")
    await srv.wait_for_requests("/stall.xml", len(srv.requests("/stall.xml")) + 1, timeout=20)
    srv.feeds["/good.xml"].add_items(2, prefix="Fresh")
    # Well before the stalled fetch's 30 s timeout.
    await emu.wait_for_messages(news, 2, timeout=10)
    assert titles(emu, news) == ["Fresh 1", "Fresh 2"]
