"""Issue 5 end to end: permissions, guild isolation, OPML, edits, refusals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.services.opml import OpmlFeed, read_opml, write_opml
from tests.discord_emulator import DiscordEmulator
from tests.e2e.harness import REFUSAL, BotProcess, slash, world
from tests.feed_server import FeedServer


async def test_members_without_rights_are_refused_everything(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    w = world(emu)
    srv.add_feed("/a.xml", title="Alpha", kind="rss").add_items(2)
    bot = newsdesk()
    await bot.start()
    await slash(emu, w, "mod", "source add", url=srv.url("/a.xml"))
    opml = write_opml([OpmlFeed(srv.url("/a.xml"), "Alpha")])
    calls: list[tuple[str, dict[str, Any]]] = [
        ("source add", {"url": srv.url("/a.xml")}),
        ("source list", {}),
        ("source info", {"source": "Alpha"}),
        ("source edit", {"source": "Alpha", "name": "Hijacked"}),
        ("source pause", {"source": "Alpha"}),
        ("source resume", {"source": "Alpha"}),
        ("source remove", {"source": "Alpha"}),
        ("source import", {"attachments": {"file": ("f.opml", opml)}}),
        ("source export", {}),
        ("newsdesk settings", {"timezone": "Europe/Berlin"}),
    ]
    for command, options in calls:
        assert REFUSAL in await slash(emu, w, "member", command, **options), command
    for command in ("source info", "source edit", "source pause", "source resume", "source remove"):
        choices = await emu.autocomplete(
            w["guild"], w["news"], w["member"], command, options={"source": ""}, focused="source"
        )
        assert choices == []
    assert "Alpha" in await slash(emu, w, "mod", "source info", source="Alpha")
    assert "paused" not in await slash(emu, w, "mod", "source list")

    # The moderator role grants the rights.
    role = emu.add_role(w["guild"], "Editors")
    editor = emu.add_member(w["guild"], "editor", permissions=0, roles=[role.id]).id
    w["editor"] = editor
    assert REFUSAL in await slash(emu, w, "editor", "source list")
    await emu.slash(
        w["guild"], w["news"], w["mod"], "newsdesk settings", options={"moderator_role": role}
    )
    assert "Alpha" in await slash(emu, w, "editor", "source list")
    choices = await emu.autocomplete(
        w["guild"], w["news"], editor, "source info", options={"source": "alp"}, focused="source"
    )
    assert [c["name"].split(" — ")[0] for c in choices] == ["Alpha"]


async def test_guilds_are_isolated(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    a, b = world(emu, "A"), world(emu, "B")
    srv.add_feed("/a.xml", title="Alpha", kind="rss").add_items(2)
    bot = newsdesk()
    await bot.start()
    added = await slash(emu, a, "mod", "source add", url=srv.url("/a.xml"))
    source_id = added.split("(#")[1].split(")")[0]
    assert "no sources" in await slash(emu, b, "mod", "source list")
    for handle in (source_id, "Alpha", srv.url("/a.xml")):
        for command, extra in (
            ("source info", {}),
            ("source edit", {"name": "Mine"}),
            ("source pause", {}),
            ("source resume", {}),
            ("source remove", {}),
        ):
            text = await slash(emu, b, "mod", command, source=handle, **extra)
            assert "no such source" in text.lower() or "no source named" in text.lower(), text
        choices = await emu.autocomplete(
            b["guild"],
            b["news"],
            b["mod"],
            "source info",
            options={"source": handle[:3]},
            focused="source",
        )
        assert choices == []
    assert "0 ok" in await slash(emu, b, "mod", "newsdesk status")
    assert "This server has no sources to export" in await slash(emu, b, "mod", "source export")
    listing = await slash(emu, a, "mod", "source list")
    assert (
        "Alpha" in listing
        and "paused" not in listing
        and "1 ok" in await slash(emu, a, "mod", "newsdesk status")
    )


async def test_opml_import_export_round_trip_and_refusals(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    a, b = world(emu, "A"), world(emu, "B")
    feeds = []
    for n in range(200):
        srv.add_feed(f"/f{n}.xml", title=f"Feed {n}", kind="rss" if n % 2 else "atom").add_items(1)
        feeds.append(OpmlFeed(srv.url(f"/f{n}.xml"), f"Feed {n}"))
    bot = newsdesk(NEWSDESK_MAX_SOURCES_PER_GUILD="300")
    await bot.start()
    reply = await emu.slash(
        a["guild"],
        a["news"],
        a["mod"],
        "source import",
        attachments={"file": ("feeds.opml", write_opml(feeds))},
        timeout=120,
    )
    await reply.wait_followups(1, timeout=120)
    assert "200 added, 0 duplicate, 0 failed" in reply.text
    exported = await emu.slash(a["guild"], a["news"], a["mod"], "source export")
    ((name, data),) = exported.files
    assert name.endswith(".opml")
    assert sorted(f.url for f in read_opml(data)) == sorted(f.url for f in feeds)

    reply = await emu.slash(
        b["guild"],
        b["news"],
        b["mod"],
        "source import",
        attachments={"file": ("back.opml", data)},
        timeout=120,
    )
    await reply.wait_followups(1, timeout=120)
    assert "200 added" in reply.text
    again = await emu.slash(b["guild"], b["news"], b["mod"], "source export")
    assert sorted(read_opml(again.files[0][1]), key=lambda f: f.url) == sorted(
        read_opml(data), key=lambda f: f.url
    )

    big = b"<opml><body>" + b"<!-- padding -->" * (5 * 1024 * 1024 // 16) + b"</body></opml>"
    many = write_opml(OpmlFeed(f"https://example.com/{n}.xml", str(n)) for n in range(1000))
    for filename, body, sentence in (
        ("bad.opml", b"<opml><body><outline xmlUrl=", "lists no feeds"),
        ("big.opml", big, "larger than"),
        ("many.opml", many, "at most 500"),
    ):
        text = await slash(emu, b, "mod", "source import", attachments={"file": (filename, body)})
        assert sentence in text, text
    assert "(200)" in await slash(emu, b, "mod", "source list")


async def test_edit_filters_pause_and_resume(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    w = world(emu)
    feed = srv.add_feed("/a.xml", title="Alpha", kind="rss")
    feed.add_items(1)
    bot = newsdesk()
    await bot.start()
    await slash(emu, w, "mod", "source add", url=srv.url("/a.xml"))
    text = await slash(
        emu, w, "mod", "source edit", source="Alpha", include="chips, open source", exclude="rumour"
    )
    assert "Updated" in text
    feed.add_item(title="New chips announced")
    feed.add_item(title="Chips rumour denied")
    feed.add_item(title="Weather today")
    feed.add_item(title="An open source model", summary="Released today")
    await emu.wait_for_messages(w["news"], 2)
    info = await slash(emu, w, "mod", "source info", source="Alpha")
    assert "filtered out (matches the exclude keyword “rumour”)" in info
    assert "filtered out (matches none of the include keywords)" in info
    assert "source edit" in info  # the audit log
    posted = [m.embeds[0]["title"] for m in emu.messages(w["news"])]
    assert posted == ["New chips announced", "An open source model"]

    await slash(emu, w, "mod", "source edit", source="Alpha", include="", exclude="")
    assert "Paused" in await slash(emu, w, "mod", "source pause", source="Alpha")
    requests = len(srv.requests("/a.xml"))
    feed.add_items(2, prefix="Meanwhile")
    assert "paused" in await slash(emu, w, "mod", "source list")
    await slash(emu, w, "mod", "source resume", source="Alpha")
    await emu.wait_for_messages(w["news"], 4)
    assert len(srv.requests("/a.xml")) > requests
    assert [m.embeds[0]["title"] for m in emu.messages(w["news"])][2:] == [
        "Meanwhile 1",
        "Meanwhile 2",
    ]


async def test_bad_options_get_one_sentence_and_change_nothing(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    w = world(emu)
    srv.add_feed("/a.xml", title="Alpha", kind="rss").add_items(1)
    srv.add_feed("/empty.xml", title="Empty", kind="rss")
    srv.serve_bytes(
        "/page.html", b"<html><body><p>Just a page</p></body></html>", content_type="text/html"
    )
    bot = newsdesk(NEWSDESK_MIN_INTERVAL_SECONDS="300")
    await bot.start()
    await slash(emu, w, "mod", "source add", url=srv.url("/a.xml"))
    cases = [
        ("source info", {"source": "nope"}, "No source named"),
        ("source add", {"url": "not a url"}, "not"),
        ("source add", {"url": "ftp://example.com/feed.xml"}, "only http:// and https://"),
        ("source add", {"url": srv.url("/page.html")}, "does not link to a feed"),
        ("source add", {"url": srv.url("/empty.xml")}, "has no items yet"),
        ("source add", {"url": srv.url("/a.xml")}, "already gets that feed"),
        ("source add", {"url": srv.url("/a.xml"), "every": 2}, "at least 5 minute"),
        ("source edit", {"source": "Alpha", "every": 1}, "at least 5 minute"),
        ("newsdesk settings", {"timezone": "Mars/Olympus"}, "is not a time zone"),
    ]
    for command, options, sentence in cases:
        text = await slash(emu, w, "mod", command, **options)
        assert sentence in text, (command, text)
        assert text.strip().endswith("."), text
    listing = await slash(emu, w, "mod", "source list")
    assert "Sources (1)" in listing and "Alpha" in listing
    assert "UTC" in await slash(emu, w, "mod", "newsdesk settings")


async def test_source_test_previews_the_newest_item_and_saves_nothing(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    from pathlib import Path

    emu, srv = discord_emulator, feed_server
    w = world(emu)
    article = Path(__file__).parent.parent / "data" / "gold" / "01-acquisition-cooling.txt"
    header, body = article.read_text().split("\n---\n", 1)
    title = header.splitlines()[0].removeprefix("title: ")
    feed = srv.add_feed("/a.xml", title="Datacenter Ledger", kind="rss")
    feed.add_items(2, prefix="Older")
    feed.add_item(title=title, summary=body)
    bot = newsdesk()
    await bot.start()
    reply = await emu.slash(
        w["guild"], w["news"], w["mod"], "source test", options={"url": srv.url("/a.xml")}
    )
    assert reply.ephemeral and "nothing was saved" in reply.text
    (embed,) = reply.embeds
    assert embed["title"] == title and embed["author"]["name"] == "Datacenter Ledger"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert "**Who:**" in fields["Key details"] and "Northwind" in fields["Key details"]
    headline = await emu.slash(
        w["guild"],
        w["news"],
        w["mod"],
        "source test",
        options={"url": srv.url("/a.xml"), "style": "headline"},
    )
    assert title in headline.text and not headline.embeds
    assert "no sources" in await slash(emu, w, "mod", "source list")
    assert emu.messages(w["news"]) == []


async def test_huge_titles_odd_urls_and_zone_names_get_whole_answers(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    w = world(emu)
    srv.add_feed("/long.xml", title="Long " + "x" * 2500, kind="rss").add_item(title="y" * 2500)
    srv.add_feed("/amp.xml", title="&" * 12_000, kind="atom").add_item(title="&" * 12_000)
    good = []
    for n in range(5):
        srv.add_feed(f"/g{n}.xml", title=f"Good {n}", kind="rss").add_items(1)
        good.append(OpmlFeed(srv.url(f"/g{n}.xml"), f"Good {n}"))
    bot = newsdesk()
    await bot.start()
    for path in ("/long.xml", "/amp.xml"):
        added = await slash(emu, w, "mod", "source add", url=srv.url(path))
        assert added.startswith("Added") and len(added) <= 2000, added[:200]
        again = await slash(emu, w, "mod", "source add", url=srv.url(path))
        assert "already gets that feed" in again
    opml = write_opml([*good, OpmlFeed("http://xn--localhost-/feed", "Broken")])
    reply = await emu.slash(
        w["guild"], w["news"], w["mod"], "source import", attachments={"file": ("f.opml", opml)}
    )
    await reply.wait_followups(1, timeout=60)
    assert "5 added, 0 duplicate, 1 failed" in reply.text, reply.text
    assert "6 of 6" in reply.content  # the progress line ends at the final count
    assert "xn--localhost-" in reply.text and "invalid host name" in reply.text
    for zone in ("America", "Europe", "z" * 5000, "posixrules"):
        text = await slash(emu, w, "mod", "newsdesk settings", timezone=zone)
        assert "is not a time zone" in text and "Europe/Berlin" in text
    listing = await slash(emu, w, "mod", "source list")
    assert "Sources (7)" in listing


async def test_list_pause_resume_edit_and_the_audit_log_say_what_happened(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    # #17: "last poll never" after an import; a second pause said "Paused" again and was
    # logged twice; the audit log had no before/after; edit did not say what changed.
    emu, srv = discord_emulator, feed_server
    w = world(emu)
    srv.add_feed("/a.xml", title="Alpha", kind="rss").add_items(2)
    srv.add_feed("/b.xml", title="Bravo", kind="atom").add_items(2)
    # A day between polls: the first scheduled poll falls at random within it, so only
    # the fetch of the import itself can be the last poll the list shows.
    bot = newsdesk(NEWSDESK_MIN_INTERVAL_SECONDS="300", NEWSDESK_DEFAULT_INTERVAL_SECONDS="86400")
    await bot.start()
    opml = write_opml([OpmlFeed(srv.url("/a.xml"), "Alpha"), OpmlFeed(srv.url("/b.xml"), "Bravo")])
    reply = await emu.slash(
        w["guild"], w["news"], w["mod"], "source import", attachments={"file": ("f.opml", opml)}
    )
    await reply.wait_followups(1, timeout=60)
    assert "2 added" in reply.text
    listing = await slash(emu, w, "mod", "source list")
    assert "Alpha" in listing and "Bravo" in listing
    assert "last poll never" not in listing and listing.count("last poll <t:") == 2

    assert "Paused **Alpha**" in await slash(emu, w, "mod", "source pause", source="Alpha")
    again = await slash(emu, w, "mod", "source pause", source="Alpha")
    assert again.startswith("**Alpha** is already paused."), again
    assert "Resumed **Alpha**" in await slash(emu, w, "mod", "source resume", source="Alpha")
    again = await slash(emu, w, "mod", "source resume", source="Alpha")
    assert again.startswith("**Alpha** is not paused"), again

    text = await slash(emu, w, "mod", "source edit", source="Alpha", every=30, style="headline")
    assert text == "Updated **Alpha**: every 1440 → 30 min, style brief → headline.", text
    text = await slash(emu, w, "mod", "source edit", source="Alpha", every=30)
    assert text == "Nothing changed: **Alpha** already has those settings.", text

    info = await slash(emu, w, "mod", "source info", source="Alpha")
    assert info.count("source pause: active → paused") == 1, info
    assert info.count("source resume: paused → active") == 1, info
    assert info.count("source edit: every 1440 → 30 min, style brief → headline") == 1, info
    assert info.count("source edit") == 1 and "Last poll:** <t:" in info
