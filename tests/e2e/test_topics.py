"""Issue 6 end to end: /topic search, latest, trending, autocomplete, and follows by DM."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from bot.services.topics import DM_NOTE
from bot.shell.tree import UNEXPECTED
from tests.discord_emulator import DiscordEmulator
from tests.e2e.harness import BotProcess, polls, setup_guild
from tests.feed_server import FeedServer

STORIES = [
    ("Mistral releases open-weight reasoning model", "The Paris start-up published weights."),
    ("Subsea cable cut in the Red Sea", "Operators rerouted traffic between Europe and Asia."),
    ("Chip plant opens in Arizona", "The fab makes 4-nanometre chips."),
    ("Ransomware hits London hospitals", "Operations were postponed."),
]


def query_db(database: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return list(db.execute(sql, params))


async def test_search_latest_trending_and_autocomplete(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    guild, news, _, mod = setup_guild(emu)
    member = emu.add_member(guild, "reader").id
    feed = srv.add_feed("/a.xml", title="Alpha Wire", kind="rss")
    for title, summary in STORIES:
        feed.add_item(title=title, summary=summary)
    other_guild, other_news, _, other_mod = setup_guild(emu, "Elsewhere")
    srv.add_feed("/b.xml", title="Beta Wire", kind="rss").add_item(
        title="Secret open-weight plans of guild B", summary="Only for Elsewhere."
    )
    bot = newsdesk()
    await bot.start()
    # Backfilled: /topic latest and trending show what was posted (#17).
    await emu.slash(
        guild, news, mod, "source add", options={"url": srv.url("/a.xml"), "backfill": 4}
    )
    await emu.slash(
        other_guild, other_news, other_mod, "source add", options={"url": srv.url("/b.xml")}
    )

    reply = await emu.slash(guild, news, member, "topic search", options={"query": "open-weig"})
    assert reply.ephemeral
    (embed,) = reply.embeds
    assert "Mistral releases open-weight reasoning model" in embed["description"]
    assert "Alpha Wire" in embed["description"]
    assert "Secret" not in reply.text  # guild isolation
    reply = await emu.slash(guild, news, member, "topic search", options={"query": "paris wei"})
    assert "The **Paris** start-up published **weights**." in reply.embeds[0]["description"]

    public = await emu.slash(
        guild, news, member, "topic search", options={"query": "red sea cable", "public": True}
    )
    assert not public.ephemeral and "Subsea cable cut" in public.text

    for query in ['"', "*", "-", "NEAR", "AND", "OR", "((cable", "🚀", "東京", ")"]:
        reply = await emu.slash(guild, news, member, "topic search", options={"query": query})
        assert reply.text and UNEXPECTED not in reply.text, (query, reply.text)
    reply = await emu.slash(guild, news, member, "topic search", options={"query": "zeppelin"})
    assert "No stored story matches" in reply.text and "broader" in reply.text

    latest = await emu.slash(guild, news, member, "topic latest", options={"count": 2})
    assert latest.embeds and latest.embeds[0]["description"].count("**") == 4
    trending = await emu.slash(guild, news, member, "topic trending")
    assert "Trending in the last 7 day(s)" in trending.text

    choices = await emu.autocomplete(
        guild, news, member, "topic search", options={"query": ""}, focused="query"
    )
    assert choices is not None
    sources = await emu.autocomplete(
        guild, news, member, "topic search", options={"query": "x", "source": "al"},
        focused="source",
    )  # fmt: skip
    assert [c["name"] for c in sources] == ["Alpha Wire"]
    reply = await emu.slash(
        guild, news, member, "topic search", options={"query": "cable", "source": "Beta Wire"}
    )
    assert "no source named" in reply.text.lower()


async def test_follows_batched_dms_unfollow_and_closed_dms(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    guild, news, _, mod = setup_guild(emu)
    alice = emu.add_member(guild, "alice").id
    bob = emu.add_member(guild, "bob").id
    carol = emu.add_member(guild, "carol").id
    feed = srv.add_feed("/a.xml", title="Alpha Wire", kind="rss")
    feed.add_item(title="An old chip story", summary="Already in the feed.")
    bot = newsdesk()
    await bot.start()
    await emu.slash(guild, news, mod, "source add", options={"url": srv.url("/a.xml")})
    reply = await emu.slash(guild, news, alice, "topic follow", options={"keywords": "Chip"})
    assert "You now follow “chip”" in reply.text and reply.ephemeral
    await emu.slash(guild, news, bob, "topic follow", options={"keywords": "subsea cable"})
    await emu.slash(guild, news, carol, "topic follow", options={"keywords": "fusion"})
    emu.close_dms(carol)

    feed.add_item(title="Chip plant opens in Arizona", summary="A new fab.")
    feed.add_item(title="Subsea cable cut in the Red Sea", summary="Traffic rerouted.")
    feed.add_item(title="Chip exports tightened", summary="New rules for accelerators.")
    feed.add_item(title="Weather is mild", summary="Nothing to see.")
    feed.add_item(title="Fusion record in France", summary="A long plasma.")
    await emu.wait_for(
        lambda: bool(emu.dm_messages(alice)) and bool(emu.dm_messages(bob)), timeout=30
    )
    (to_alice,) = emu.dm_messages(alice)
    (to_bob,) = emu.dm_messages(bob)
    alice_text = to_alice.embeds[0]["description"]
    bob_text = to_bob.embeds[0]["description"]
    assert "Chip plant opens" in alice_text and "Chip exports tightened" in alice_text
    assert "Subsea" not in alice_text and "old chip" not in alice_text
    assert "Subsea cable cut" in bob_text and "Chip" not in bob_text
    assert to_alice.embeds[0]["title"] == "2 new stories for your follows"

    # Carol's DMs are closed: her follow is kept and she is told once, on her next command.
    await emu.wait_for(
        lambda: (
            query_db(
                bot.database,
                "SELECT 1 FROM members WHERE user_id = ? AND dms_closed_at IS NOT NULL",
                carol,
            )
            != []
        ),
        timeout=30,
    )
    reply = await emu.slash(guild, news, carol, "topic following")
    assert DM_NOTE in reply.text and "fusion" in reply.text and reply.ephemeral
    reply = await emu.slash(guild, news, carol, "topic following")
    assert DM_NOTE not in reply.text

    # Alice unfollows; new stories reach Bob's queue (he is within his 10 minutes, so it
    # waits for his next DM) and nothing reaches Alice's.
    reply = await emu.slash(guild, news, alice, "topic unfollow", options={"keywords": "chip"})
    assert "no longer follow" in reply.text
    feed.add_item(title="Chip shortage eases", summary="Supply is back.")
    cable = feed.add_item(title="Second subsea cable repaired", summary="Ships arrived.")

    def bob_queued() -> bool:
        return (
            query_db(
                bot.database,
                "SELECT 1 FROM follow_notifications n JOIN items i ON i.id = n.item_id "
                "WHERE n.user_id = ? AND i.title = ?",
                bob,
                cable.title,
            )
            != []
        )

    await emu.wait_for(bob_queued, timeout=30)
    assert query_db(
        bot.database, "SELECT COUNT(*) FROM follow_notifications WHERE user_id = ?", alice
    ) == [(2,)]
    await polls(srv, "/a.xml", 2)
    assert len(emu.dm_messages(alice)) == 1 and len(emu.dm_messages(bob)) == 1
    assert await bot.stop() == 0


async def test_latest_and_trending_show_what_was_posted_not_the_back_catalogue(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    # #17: /topic latest listed an item the source's `exclude` filtered out, and trending's
    # key phrases came from a new source's back catalogue ("1 of Regional · archive story").
    emu, srv = discord_emulator, feed_server
    guild, news, _, mod = setup_guild(emu)
    member = emu.add_member(guild, "reader").id
    feed = srv.add_feed("/r.xml", title="Regional", kind="rss")
    for n in range(1, 5):
        feed.add_item(title=f"Archive story {n} of Regional", summary="From the archive.")
    bot = newsdesk()
    await bot.start()
    await emu.slash(
        guild, news, mod, "source add", options={"url": srv.url("/r.xml"), "exclude": "rumour"}
    )
    feed.add_item(title="Harbour bridge closes for repairs", summary="Ferries run instead.")
    feed.add_item(title="Merger rumour denied by the council", summary="Harbour bridge too.")
    feed.add_item(title="Harbour bridge reopens early", summary="Repairs done.")
    await emu.wait_for_messages(news, 2)
    await polls(srv, "/r.xml", 2)
    assert [m.embeds[0]["title"] for m in emu.messages(news)] == [
        "Harbour bridge closes for repairs",
        "Harbour bridge reopens early",
    ]

    latest = await emu.slash(guild, news, member, "topic latest", options={"count": 10})
    text = latest.embeds[0]["description"]
    assert "Harbour bridge reopens early" in text and "Harbour bridge closes" in text
    assert "rumour" not in text and "Archive" not in text, text
    trending = await emu.slash(guild, news, member, "topic trending")
    (embed,) = trending.embeds
    phrases = {f["name"]: f["value"] for f in embed.get("fields", [])}.get("Key phrases", "")
    assert "Harbour bridge" in phrases, phrases
    assert "Regional" not in phrases and "rchive" not in phrases, phrases
    assert "Archive" not in embed["description"] and "rumour" not in embed["description"]
    assert embed["footer"]["text"] == "2 stories in the period"
    # Search still covers the whole archive of the server's sources.
    found = await emu.slash(guild, news, member, "topic search", options={"query": "archive"})
    assert "Archive story" in found.embeds[0]["description"]
    assert await bot.stop() == 0
