"""Issue 22: what moderators coming from other feed bots expect: one feed in several
channels, a role pinged on keywords (and nothing else ever mentioned), regular-expression
filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tests.discord_emulator import DiscordEmulator
from tests.discord_emulator.state import EVERYONE_PERMISSIONS, MANAGE_WEBHOOKS
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


async def test_one_feed_goes_to_two_channels_with_their_own_style_and_filter(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    w = world(emu)
    feed = srv.add_feed("/a.xml", title="Tech Wire", kind="rss")
    feed.add_items(1, prefix="Old")
    bot = newsdesk()
    await bot.start()
    await slash(emu, w, "mod", "source add", url=srv.url("/a.xml"), channel=w["news"])
    again = await slash(emu, w, "mod", "source add", url=srv.url("/a.xml"), channel=w["news"])
    assert "This channel already gets that feed as “Tech Wire”" in again
    added = await slash(
        emu,
        w,
        "mod",
        "source add",
        url=srv.url("/a.xml"),
        channel=w["other"],
        style="headline",
        include="chip",
    )
    assert "Tech Wire" in added and "already" not in added
    # Every source picker names the channel: the two sources differ only there.
    choices = await emu.autocomplete(
        w["guild"], w["news"], w["mod"], "source edit", options={"source": "tech"}, focused="source"
    )
    assert sorted(c["name"].split(" — ")[1] for c in choices) == ["#news", "#other"]
    # A name shared by both is not guessed at: the reply lists the channels to pick from.
    ambiguous = await slash(emu, w, "mod", "source info", source="Tech Wire")
    assert f"<#{w['news']}>" in ambiguous and f"<#{w['other']}>" in ambiguous
    other = next(c["value"] for c in choices if " — #other — " in c["name"])
    moved = await slash(emu, w, "mod", "source edit", source=other, channel=w["news"])
    assert "This channel already gets that feed" in moved

    feed.add_item(
        title="New chip doubles battery life",
        summary="Acme said on Tuesday that its new phone chip doubles battery life. "
        "The chip ships in March and costs less than the one it replaces.",
    )
    feed.add_item(
        title="Council approves budget",
        summary="The city council approved next year's budget on Tuesday after a long "
        "debate about road repairs and library hours.",
    )
    await polls(srv, "/a.xml", 1)
    await emu.wait_for_messages(w["news"], 2, timeout=30)
    await emu.wait_for_messages(w["other"], 1, timeout=30)
    news, tech = emu.messages(w["news"]), emu.messages(w["other"])
    assert [m.embeds[0]["title"] for m in news] == [
        "New chip doubles battery life",
        "Council approves budget",
    ]
    # #other got a headline (one line and the link, no embed), and only the chip story.
    assert len(tech) == 1 and not tech[0].embeds
    assert tech[0].content.startswith("New chip doubles battery life\n")
    info = await slash(emu, w, "mod", "source info", source=other)
    assert "Council approves budget" in info and "include" in info


async def test_a_template_is_checked_previewed_and_posted_in_the_servers_time(
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
    await slash(emu, w, "mod", "newsdesk settings", timezone="Asia/Tokyo")
    typo = await slash(emu, w, "mod", "source edit", source="Chip Wire", template="{titel}")
    assert "The template has no placeholder {titel}: did you mean {title}?" in typo
    template = "**{who}** · {published:%H:%M %Z} · {categories}\n{introduction}\n@everyone"
    color = await slash(emu, w, "mod", "source edit", source="Chip Wire", color="blue")
    assert "hex colour such as #1e90ff" in color
    edited = await slash(
        emu, w, "mod", "source edit", source="Chip Wire", template=template, color="#1e90ff"
    )
    assert "Updated" in edited and "colour default → #1e90ff" in edited
    published = datetime.now(UTC).replace(second=0, microsecond=0)  # newer than "Old 1"
    local = published.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%H:%M JST")
    feed.add_item(
        title="Acme ships a faster chip @here",
        summary="Acme said on Tuesday that its new phone chip is twice as fast as the last one. "
        "It ships in March.",
        published=published,
        categories=["Hardware", "Chips"],
    )
    preview = await emu.slash(
        w["guild"],
        w["news"],
        w["mod"],
        "source test",
        options={"url": srv.url("/a.xml"), "template": template},
    )
    shown = preview.embeds[0]["description"]
    assert f"{local} · Hardware, Chips" in shown and "Acme said on Tuesday" in shown
    await polls(srv, "/a.xml", 1)
    await emu.wait_for_messages(w["news"], 1, timeout=30)
    (post,) = emu.messages(w["news"])
    embed = post.embeds[0]
    assert embed["description"] == shown  # the preview is the post
    assert embed["color"] == 0x1E90FF and embed["title"].startswith("Acme ships a faster chip")
    assert post.pings() == set()  # neither the template's @everyone nor the title's @here
    off = await slash(emu, w, "mod", "source edit", source="Chip Wire", template="none")
    assert "template" in off


async def test_webhook_posts_need_the_permission_and_carry_the_persona(
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
    await slash(emu, w, "mod", "source add", url=srv.url("/a.xml"), style="summary")
    emu.set_bot_permissions(w["guild"], EVERYONE_PERMISSIONS)  # no Manage Webhooks
    refused = await slash(emu, w, "mod", "source edit", source="Chip Wire", webhook_name="Desk")
    assert f"needs the Manage Webhooks permission in <#{w['news']}>" in refused
    emu.set_bot_permissions(w["guild"], EVERYONE_PERMISSIONS | MANAGE_WEBHOOKS)
    bad = await slash(emu, w, "mod", "source edit", source="Chip Wire", webhook_name="Discord")
    assert "“discord” or “clyde”" in bad
    avatar = "https://example.com/desk.png"
    edited = await slash(
        emu,
        w,
        "mod",
        "source edit",
        source="Chip Wire",
        webhook_name="Chip Desk",
        webhook_avatar=avatar,
    )
    assert "Updated" in edited
    assert "**Posts as:** Chip Desk" in await slash(
        emu, w, "mod", "source info", source="Chip Wire"
    )
    feed.add_items(3, prefix="Chip")
    await polls(srv, "/a.xml", 1)
    posts = await emu.wait_for_messages(w["news"], 3, timeout=30)
    assert [p.embeds[0]["title"] for p in posts] == ["Chip 1", "Chip 2", "Chip 3"]
    for post in posts:
        author = post.webhook_author or {}
        assert (author.get("username"), author.get("avatar_url")) == ("Chip Desk", avatar)
        assert post.pings() == set()
        assert post.embeds[0]["footer"]["text"].endswith("Chip Wire")  # the mark is invisible
    assert emu.stats["webhooks_created"] == 1  # made once, then reused
    assert await bot.stop() == 0


async def test_a_forum_gets_a_tagged_post_per_story_and_text_posts_can_open_threads(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    w = world(emu)
    forum = emu.add_forum_channel(w["guild"], "news-forum", tags=("Hardware", "Policy", "Other"))
    feed = srv.add_feed("/a.xml", title="Chip Wire", kind="rss")
    feed.add_items(1, prefix="Old")
    bot = newsdesk()
    await bot.start()
    await slash(emu, w, "mod", "source add", url=srv.url("/a.xml"), channel=forum.id)
    await slash(emu, w, "mod", "source add", url=srv.url("/a.xml"), style="headline")
    sources = await emu.autocomplete(
        w["guild"], w["news"], w["mod"], "source edit", options={"source": ""}, focused="source"
    )
    in_forum = next(c["value"] for c in sources if "#news-forum" in c["name"])
    in_news = next(c["value"] for c in sources if "#news —" in c["name"])
    await slash(emu, w, "mod", "source edit", source=in_forum, forum_tag="Other")
    webhook = await slash(emu, w, "mod", "source edit", source=in_forum, webhook_name="Desk")
    assert "in a forum newsdesk posts as itself" in webhook
    await slash(emu, w, "mod", "source edit", source=in_news, threads=True)
    feed.add_item(title="Acme ships a faster chip", categories=["hardware", "Chips"])
    feed.add_item(title="Council meets on Tuesday", categories=["Local"])
    await polls(srv, "/a.xml", 1)
    await emu.wait_for(lambda: len(emu.threads(forum.id)) == 2, timeout=30, message="forum")
    await emu.wait_for_messages(w["news"], 2, timeout=30)
    await emu.wait_for(lambda: len(emu.threads(w["news"])) == 2, timeout=30, message="threads")
    posts = emu.threads(forum.id)
    assert [t.name for t in posts] == ["Acme ships a faster chip", "Council meets on Tuesday"]
    # Tags by category when the forum has one (any case), else the source's default.
    assert [emu.tag_names(t) for t in posts] == [["Hardware"], ["Other"]]
    first = emu.messages(posts[0].id)
    assert len(first) == 1 and first[0].id == posts[0].id
    assert first[0].embeds[0]["title"] == "Acme ships a faster chip"
    # In #news each headline opened a discussion thread named after its story.
    news_posts = emu.messages(w["news"])
    assert [t.id for t in emu.threads(w["news"])] == [m.id for m in news_posts]
    assert [t.name for t in emu.threads(w["news"])] == [
        "Acme ships a faster chip",
        "Council meets on Tuesday",
    ]
    assert emu.stats["forum_posts"] == 2
    assert await bot.stop() == 0
