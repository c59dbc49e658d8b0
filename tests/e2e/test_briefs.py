"""Issue 4 end to end: a new item posts as a `brief` embed with its Key details, within
every limit (the emulator validates each post); a `headline` source posts plain content;
with an LLM configured, its brief is used."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable

import pytest

from tests.discord_emulator import DiscordEmulator
from tests.e2e.harness import BotProcess, polls, setup_guild
from tests.feed_server import FeedServer
from tests.llm_server import ARTICLE, ARTICLE_TITLE, FakeLlmServer

STORY = (
    "<p>Northwind Systems said on Tuesday that it had agreed to buy Coldfront, a maker of "
    "liquid-cooling equipment for data centres, for $2.1 billion in cash.</p>"
    "<p>Coldfront, which is based in Austin, sells cold plates and coolant units that sit "
    "next to racks of AI servers, where air cooling can no longer carry away the heat.</p>"
    '<p>"Every customer is redesigning their halls around liquid," said Priya Raman, chief '
    "executive of Northwind Systems.</p><p>Northwind will pay for the acquisition with cash "
    "on hand and a new term loan. The companies expect the deal to close in the third "
    "quarter, subject to regulatory approval.</p><p>Analysts said the purchase shows how "
    "quickly power density in server racks is rising, which could push more data centres to "
    "liquid cooling.</p><p>Share this article</p>"
)


@pytest.fixture
async def llm_server() -> AsyncIterator[FakeLlmServer]:
    async with FakeLlmServer() as server:
        yield server


async def test_new_items_post_as_briefs_and_headline_sources_as_plain_content(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    guild, news, other, mod = setup_guild(emu)
    feed = srv.add_feed("/a.xml", title="Datacenter Ledger", kind="rss")
    feed.add_items(1, prefix="Old")
    plain = srv.add_feed("/b.xml", title="Plain Wire", kind="atom")
    plain.add_items(1, prefix="Old plain")
    bot = newsdesk()
    await bot.start()
    await emu.slash(guild, news, mod, "source add", options={"url": srv.url("/a.xml")})
    await emu.slash(
        guild, other, mod, "source add", options={"url": srv.url("/b.xml"), "channel": other}
    )
    # `/source add` has no `style` option yet: set it in the bot's database.
    with sqlite3.connect(bot.database) as db:
        db.execute("UPDATE sources SET style = 'headline' WHERE channel_id = ?", [other])
    await polls(srv, "/a.xml", 1)

    item = feed.add_item(
        title="Northwind Systems to buy Coldfront for $2.1 billion",
        summary="Northwind Systems agreed to buy Coldfront.",
        content=STORY,
        image="https://images.example.com/coldfront.jpg",
    )
    headline = plain.add_item(title="Plain story **one**")
    (message,) = await emu.wait_for_messages(news, 1, timeout=30)
    (plain_message,) = await emu.wait_for_messages(other, 1, timeout=30)

    embed = message.embeds[0]
    assert embed["title"] == item.title and embed["url"] == item.link
    assert embed["author"]["name"] == "Datacenter Ledger"
    assert embed["thumbnail"]["url"] == item.image
    assert "Northwind Systems" in embed["description"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert "**Who:**" in fields["Key details"] and "**Where:** Austin" in fields["Key details"]
    assert "Share this" not in str(embed)
    assert len(fields["Key details"]) <= 1024 and len(embed["description"]) <= 700
    assert "Why it matters" in fields and "Takeaway" in fields

    assert not plain_message.embeds
    assert plain_message.content == f"Plain story \\*\\*one\\*\\*\n{headline.link}"

    with sqlite3.connect(bot.database) as db:
        (stored,) = db.execute(
            "SELECT brief_json FROM items WHERE title = ?", [item.title]
        ).fetchone()
    assert stored and "Northwind Systems" in stored
    assert await bot.stop() == 0


async def test_an_llm_brief_is_posted_and_a_failing_llm_falls_back(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    llm_server: FakeLlmServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    guild, news, _, mod = setup_guild(emu)
    feed = srv.add_feed("/a.xml", title="Datacenter Ledger", kind="rss")
    feed.add_items(1, prefix="Old")
    bot = newsdesk(NEWSDESK_LLM_URL=llm_server.url, NEWSDESK_LLM_MODEL="fake")
    await bot.start()
    await emu.slash(guild, news, mod, "source add", options={"url": srv.url("/a.xml")})
    feed.add_item(title=ARTICLE_TITLE, content=ARTICLE)
    (message,) = await emu.wait_for_messages(news, 1, timeout=30)
    fields = {f["name"]: f["value"] for f in message.embeds[0]["fields"]}
    assert "**How:** With cash on hand and a new term loan" in fields["Key details"]
    assert llm_server.requests and llm_server.requests[0]["model"] == "fake"

    llm_server.mode = "ungrounded"
    feed.add_item(title=ARTICLE_TITLE + " (update)", content=ARTICLE)
    messages = await emu.wait_for_messages(news, 2, timeout=30)
    second = {f["name"]: f["value"] for f in messages[1].embeds[0]["fields"]}
    assert "Berlin" not in second["Key details"] and "Appleseed" not in second["Key details"]
    with sqlite3.connect(bot.database) as db:
        (fallbacks,) = db.execute(
            "SELECT value FROM counters WHERE name = 'llm_fallbacks'"
        ).fetchone()
    assert fallbacks == 1
    assert await bot.stop() == 0
