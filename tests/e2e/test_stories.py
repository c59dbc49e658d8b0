"""One post per story across sources; `merge_stories` off posts every item."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
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


# Four stories of one topic (open-weight AI models) from three sources, the case of #19:
# each is its own story, so each is posted, and none is "merged into an earlier post".
SAME_TOPIC = [
    (
        "OSS Desk",
        "Orchard AI delays the release of its first open-weight model",
        "Orchard AI has pushed back the release of its first open-weight language model, "
        "chief executive Mara Lindqvist said on Tuesday, saying the company needs more time "
        "for safety testing. The model had been expected this month; Lindqvist gave no new "
        "date and said the weights would ship only once outside red-teamers had finished.",
    ),
    (
        "AI Policy Wire",
        "Ant Group says US labs are building closed AI ecosystems",
        "Ant Group's technology chief accused American AI companies of walling off their best "
        "systems behind paid interfaces, telling a Shanghai conference that closed ecosystems "
        "slow research. He said the group would keep publishing its Ling models under a "
        "permissive licence and called on regulators to treat open releases as a public good.",
    ),
    (
        "Frontier Notes",
        "Chinese open models now rival the best US systems, benchmark finds",
        "Open-weight models from Chinese labs such as DeepSeek and Qwen now score within a few "
        "points of leading American systems on coding and maths tests, according to a "
        "benchmark published by researchers at Stanford. The gap was more than 20 points a "
        "year ago, the authors wrote, and has narrowed fastest on long reasoning tasks.",
    ),
    (
        "AI Policy Wire",
        "Orchard AI finally publishes its open-weight model",
        "Orchard AI released the weights of its Pippin-7 language model on Thursday, weeks "
        "after delaying the launch for extra safety checks. The 7-billion-parameter model can "
        "be downloaded under an Apache 2.0 licence, and the company said red-teamers had found "
        "no severe risks. Chief executive Mara Lindqvist called it its most important release.",
    ),
]


async def test_four_same_topic_stories_give_four_posts(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    split_guild = emu.add_guild("Two channels").id
    news = emu.add_text_channel(split_guild, "news").id
    tech = emu.add_text_channel(split_guild, "tech").id
    mod = emu.add_member(split_guild, "mod", permissions=MANAGE_GUILD).id
    one_guild = emu.add_guild("One channel").id
    only = emu.add_text_channel(one_guild, "news").id
    mod2 = emu.add_member(one_guild, "mod2", permissions=MANAGE_GUILD).id
    names = list(dict.fromkeys(source for source, _, _ in SAME_TOPIC))
    feeds = {}
    for n, name in enumerate(names):
        feeds[name] = srv.add_feed(f"/t{n}.xml", title=name, kind="rss")
        feeds[name].add_items(1, prefix=f"Earlier item {n}")
    bot = newsdesk()
    await bot.start()
    for name, feed in feeds.items():
        # As in the issue: OSS Desk in #news, the other two in #tech.
        channel = news if name == "OSS Desk" else tech
        await emu.slash(
            split_guild, channel, mod, "source add", options={"url": feed.url, "channel": channel}
        )
        await emu.slash(one_guild, only, mod2, "source add", options={"url": feed.url})
    start = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    for n, (source, title, text) in enumerate(SAME_TOPIC):
        feeds[source].add_item(title=title, summary=text, published=start + timedelta(hours=n))
        await emu.wait_for_messages(only, n + 1, timeout=30)
    await emu.wait_for_messages(tech, 3, timeout=30)
    await emu.wait_for(lambda: bot.pending_deliveries() == 0, timeout=20)
    titles = [title for _, title, _ in SAME_TOPIC]
    assert sorted(m.embeds[0]["title"] for m in emu.messages(only)) == sorted(titles)
    assert [m.embeds[0]["title"] for m in emu.messages(news)] == [titles[0]]
    assert sorted(m.embeds[0]["title"] for m in emu.messages(tech)) == sorted(titles[1:])
    for message in [*emu.messages(only), *emu.messages(news), *emu.messages(tech)]:
        assert "also covered by" not in message.embeds[0].get("footer", {}).get("text", "")
    for name in names:
        info = await emu.slash(one_guild, only, mod2, "source info", options={"source": name})
        assert "merged into" not in info.text, info.text


async def test_a_paused_sources_item_joins_only_a_story_its_channel_saw(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    """Two sources are paused while the story breaks: on resume, the one routed to the
    story's channel joins the post there; the one routed to another channel is posted in
    it, since its readers never saw the story (#19: it used to be merged away)."""
    emu, srv = discord_emulator, feed_server
    guild = emu.add_guild("Paused").id
    news = emu.add_text_channel(guild, "news").id
    tech = emu.add_text_channel(guild, "tech").id
    mod = emu.add_member(guild, "mod", permissions=MANAGE_GUILD).id
    story = articles("kestrel-ohio-fab")[:3]
    feeds = [srv.add_feed(f"/p{n}.xml", title=a["source"], kind="rss") for n, a in enumerate(story)]
    for n, feed in enumerate(feeds):
        feed.add_items(1, prefix=f"Unrelated filler {n}")
    bot = newsdesk()
    await bot.start()
    for feed, channel in zip(feeds, (news, news, tech), strict=True):
        await emu.slash(
            guild, channel, mod, "source add", options={"url": feed.url, "channel": channel}
        )
    for article in story[1:]:
        reply = await emu.slash(
            guild, news, mod, "source pause", options={"source": article["source"]}
        )
        assert "Paused" in reply.text, reply.text

    def add(feed_index: int) -> None:
        article = story[feed_index]
        feeds[feed_index].add_item(
            title=article["title"],
            summary=article["text"],
            published=datetime.fromisoformat(article["published"]),
        )

    add(0)
    await emu.wait_for_messages(news, 1, timeout=30)
    add(1)
    add(2)
    # Paused: nothing of theirs is read, whatever the poll interval.
    await asyncio.sleep(3)
    assert len(emu.messages(news)) == 1 and emu.messages(tech) == []
    for article in story[1:]:
        await emu.slash(guild, news, mod, "source resume", options={"source": article["source"]})

    def footer() -> str:
        return str(emu.messages(news)[0].embeds[0]["footer"]["text"])

    await emu.wait_for_messages(tech, 1, timeout=30)
    await emu.wait_for(
        lambda: story[1]["source"] in footer(), timeout=30, message="not merged in #news"
    )
    await emu.wait_for(lambda: bot.pending_deliveries() == 0, timeout=20)
    assert len(emu.messages(news)) == 1 and len(emu.messages(tech)) == 1
    assert emu.messages(tech)[0].embeds[0]["title"] == story[2]["title"]
    assert story[2]["source"] not in footer()
    info = await emu.slash(guild, news, mod, "source info", options={"source": story[2]["source"]})
    assert "merged into" not in info.text, info.text


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
