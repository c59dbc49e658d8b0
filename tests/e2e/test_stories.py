"""One post per story across sources; `merge_stories` off posts every item."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from tests.discord_emulator import DiscordEmulator
from tests.e2e.harness import MANAGE_GUILD, BotProcess
from tests.feed_server import FeedServer

STORIES = Path(__file__).parent.parent / "data" / "stories" / "stories.json"


def articles(story: str) -> list[dict[str, str]]:
    data = json.loads(STORIES.read_text())
    return [a for a in data["articles"] if a["story"] == story]


async def test_three_sources_one_story_one_post(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    merged_guild = emu.add_guild("Merging").id
    separate_guild = emu.add_guild("Separate").id
    news = emu.add_text_channel(merged_guild, "news").id
    other = emu.add_text_channel(merged_guild, "other").id
    plain = emu.add_text_channel(separate_guild, "news").id
    mod = emu.add_member(merged_guild, "mod", permissions=MANAGE_GUILD).id
    mod2 = emu.add_member(separate_guild, "mod2", permissions=MANAGE_GUILD).id
    outage = articles("kestrel-ohio-fab")[:4]
    feeds = []
    for n, article in enumerate(outage):
        feed = srv.add_feed(f"/f{n}.xml", title=article["source"], kind="rss")
        feed.add_items(1, prefix=f"Unrelated filler {n}")
        feeds.append(feed)
    bot = newsdesk()
    await bot.start()
    for n, feed in enumerate(feeds):
        # A story merges only within a channel: #other's readers never saw the post in
        # #news, so its report of the story is posted there (#19; this test used to hold
        # that a story merged across the guild's channels).
        channel = news if n < 3 else other
        await emu.slash(
            merged_guild, channel, mod, "source add", options={"url": feed.url, "channel": channel}
        )
        await emu.slash(separate_guild, plain, mod2, "source add", options={"url": feed.url})
    reply = await emu.slash(
        separate_guild, plain, mod2, "newsdesk settings", options={"merge_stories": False}
    )
    assert "Merge stories:** off" in reply.text

    first = outage[0]
    feeds[0].add_item(
        title=first["title"],
        summary=first["text"],
        published=datetime.fromisoformat(first["published"]),
    )
    await emu.wait_for_messages(news, 1)
    for feed, article in zip(feeds[1:], outage[1:], strict=True):
        feed.add_item(
            title=article["title"],
            summary=article["text"],
            published=datetime.fromisoformat(article["published"]),
        )

    def footer() -> str:
        return emu.messages(news)[0].embeds[0]["footer"]["text"]

    await emu.wait_for(
        lambda: outage[1]["source"] in footer() and outage[2]["source"] in footer(),
        timeout=30,
        message="the first post was not edited to name both sources",
    )
    assert "also covered by" in footer()
    fields = {f["name"]: f["value"] for f in emu.messages(news)[0].embeds[0].get("fields", [])}
    assert outage[2]["source"] in fields.get("Also covered by", "")
    await emu.wait_for_messages(plain, 4)
    await emu.wait_for_messages(other, 1)
    await emu.wait_for(lambda: bot.pending_deliveries() == 0, timeout=20)
    assert len(emu.messages(news)) == 1 and len(emu.messages(other)) == 1
    assert emu.messages(other)[0].embeds[0]["title"] == outage[3]["title"]
    # The post names only other sources, each once, never its own.
    assert footer().count(outage[1]["source"]) == 1
    assert outage[0]["source"] not in footer().split("also covered by", 1)[1]
    # Four sources, four posts (order is per source, so compare as sets).
    assert sorted(m.embeds[0]["title"] for m in emu.messages(plain)) == sorted(
        a["title"] for a in outage
    )
    info = await emu.slash(
        merged_guild, news, mod, "source info", options={"source": outage[1]["source"]}
    )
    assert "merged into an earlier post" in info.text


async def test_a_moderator_unmerges_an_item_and_it_is_posted_once(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    guild = emu.add_guild("Unmerging").id
    news = emu.add_text_channel(guild, "news").id
    mod = emu.add_member(guild, "mod", permissions=MANAGE_GUILD).id
    story = articles("kestrel-ohio-fab")[:2]
    feeds = [srv.add_feed(f"/u{n}.xml", title=a["source"], kind="rss") for n, a in enumerate(story)]
    for n, feed in enumerate(feeds):
        feed.add_items(1, prefix=f"Unrelated filler {n}")
    bot = newsdesk()
    await bot.start()
    for feed in feeds:
        await emu.slash(guild, news, mod, "source add", options={"url": feed.url})
    for n, (feed, article) in enumerate(zip(feeds, story, strict=True)):
        feed.add_item(
            title=article["title"],
            summary=article["text"],
            published=datetime.fromisoformat(article["published"]),
        )
        if n == 0:
            await emu.wait_for_messages(news, 1)

    def footer() -> str:
        return str(emu.messages(news)[0].embeds[0]["footer"]["text"])

    await emu.wait_for(lambda: story[1]["source"] in footer(), timeout=30, message="no merge")
    assert len(emu.messages(news)) == 1
    first = emu.messages(news)[0]
    info = await emu.slash(guild, news, mod, "source info", options={"source": story[1]["source"]})
    link = f"https://discord.com/channels/{guild}/{news}/{first.id}"
    assert f"merged into an earlier post: {link}" in info.text

    source = story[1]["source"]
    choices = await emu.autocomplete(
        guild, news, mod, "source unmerge", options={"source": source, "item": ""}, focused="item"
    )
    assert [c["name"] for c in choices] == [story[1]["title"][:100]]
    reply = await emu.slash(
        guild, news, mod, "source unmerge", options={"source": source, "item": choices[0]["value"]}
    )
    assert "posted on its own" in reply.text
    # A crash right after (before or after the post went out), then a restart: posted once.
    await bot.kill()
    await bot.start()
    await emu.wait_for_messages(news, 2, timeout=30)
    await emu.wait_for(lambda: bot.pending_deliveries() == 0, timeout=20)
    assert emu.messages(news)[1].embeds[0]["title"] == story[1]["title"]
    # The first post no longer names the source whose report now has its own post.
    await emu.wait_for(lambda: source not in footer(), timeout=30, message="footer not edited")
    again = await emu.slash(
        guild, news, mod, "source unmerge", options={"source": source, "item": choices[0]["value"]}
    )
    assert "no merged item" in again.text
    assert await bot.stop() == 0
    await bot.start()
    info = await emu.slash(guild, news, mod, "source info", options={"source": source})
    assert "a moderator had it posted on its own" in info.text
    assert len(emu.messages(news)) == 2


async def test_a_story_in_a_forum_is_one_post_whose_first_message_is_edited(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    guild = emu.add_guild("Forum news").id
    news = emu.add_text_channel(guild, "news").id
    forum = emu.add_forum_channel(guild, "stories").id
    mod = emu.add_member(guild, "mod", permissions=MANAGE_GUILD).id
    story = articles("kestrel-ohio-fab")[:2]
    feeds = []
    for n, article in enumerate(story):
        feed = srv.add_feed(f"/f{n}.xml", title=article["source"], kind="rss")
        feed.add_items(1, prefix=f"Unrelated filler {n}")
        feeds.append(feed)
    bot = newsdesk()
    await bot.start()
    for feed in feeds:
        await emu.slash(guild, news, mod, "source add", options={"url": feed.url, "channel": forum})
    for feed, article in zip(feeds, story, strict=True):
        feed.add_item(
            title=article["title"],
            summary=article["text"],
            published=datetime.fromisoformat(article["published"]),
        )
        await emu.wait_for(lambda: len(emu.threads(forum)) == 1, timeout=30, message="no post")

    def footer() -> str:
        (first,) = emu.messages(emu.threads(forum)[0].id)
        return str(first.embeds[0]["footer"]["text"])

    await emu.wait_for(lambda: story[1]["source"] in footer(), timeout=30, message="not edited")
    assert len(emu.threads(forum)) == 1 and emu.stats["forum_posts"] == 1
    assert await bot.stop() == 0
