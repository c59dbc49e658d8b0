"""Issue 22 (first part): what moderators coming from other feed bots expect: a role
pinged on keywords (and nothing else ever mentioned), regular-expression filters."""

from __future__ import annotations

from collections.abc import Callable

from tests.discord_emulator import DiscordEmulator
from tests.e2e.harness import BotProcess, polls, slash, world
from tests.feed_server import FeedServer


async def test_a_role_is_pinged_only_on_matching_items_and_nothing_else_ever(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    w = world(emu)
    alerts = emu.add_role(w["guild"], "outage-watch")
    feed = srv.add_feed("/a.xml", title="Status Wire", kind="rss")
    feed.add_items(1, prefix="Old")
    bot = newsdesk()
    await bot.start()
    await slash(emu, w, "mod", "source add", url=srv.url("/a.xml"), style="headline")
    everyone = await slash(emu, w, "mod", "source edit", source="Status Wire", ping_role=w["guild"])
    assert "never pings @everyone" in everyone
    edited = await slash(
        emu,
        w,
        "mod",
        "source edit",
        source="Status Wire",
        ping_role=alerts.id,
        ping_keywords="outage",
    )
    assert "Updated" in edited and "ping role" in edited
    info = await slash(emu, w, "mod", "source info", source="Status Wire")
    assert f"<@&{alerts.id}> on outage" in info
    feed.add_item(title="Major outage at the exchange @everyone <@&1234567890123456789>")
    feed.add_item(title="Quarterly results are in")
    await polls(srv, "/a.xml", 1)
    await emu.wait_for_messages(w["news"], 2, timeout=30)
    first, second = emu.messages(w["news"])
    assert first.pings() == {f"role:{alerts.id}"}  # the role, and not the feed's mentions
    assert second.pings() == set()
    allowed = first.allowed_mentions or {}
    assert not allowed.get("parse") and [int(r) for r in allowed.get("roles", [])] == [alerts.id]


async def test_regex_filters_are_checked_when_saved_and_say_what_filtered(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    w = world(emu)
    feed = srv.add_feed("/a.xml", title="Chip Wire", kind="rss")
    feed.add_items(1, prefix="Old")
    bot = newsdesk()
    await bot.start()
    await slash(emu, w, "mod", "source add", url=srv.url("/a.xml"))
    bad = await slash(emu, w, "mod", "source edit", source="Chip Wire", include_regex="(gpu")
    assert "`include_regex` is not a pattern newsdesk can use: missing )" in bad
    long = await slash(emu, w, "mod", "source edit", source="Chip Wire", include_regex="a" * 301)
    assert "longer than 300 characters" in long
    await slash(emu, w, "mod", "source edit", source="Chip Wire", include_regex=r"\b[GT]PU\b")
    feed.add_item(title="New GPU ships")
    feed.add_item(title="New CPU ships")
    await polls(srv, "/a.xml", 1)
    await emu.wait_for_messages(w["news"], 1, timeout=30)
    info = await slash(emu, w, "mod", "source info", source="Chip Wire")
    assert "New CPU ships" in info and "does not match the include pattern" in info
    assert [m.embeds[0]["title"] for m in emu.messages(w["news"])] == ["New GPU ships"]
