"""Issue #9 end to end: the whole malformed-feed corpus served to one running bot.

Every corpus file gets a source (added while its URL still serves a good feed, then switched
to the broken body; the 10,000-item feed is added directly, since it parses). Then: the bot
never crashes, a good control source keeps posting, every well-formed item is posted once,
and `/source info` names each source's state and errors.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from typing import Any

from bot.errors import NotAFeed
from bot.pipeline.parse import parse_feed
from bot.text.markdown import clean as md
from tests.discord_emulator import DiscordEmulator, Message
from tests.e2e.harness import BotProcess, world
from tests.feed_server import FeedServer
from tests.malformed_corpus import CORPUS, Case, load, nine_megabyte_item, ten_thousand_items


def message_text(message: Message) -> str:
    parts = [message.content or ""]
    for embed in message.embeds:
        parts += [embed.get("title", ""), embed.get("description", ""), embed.get("url", "")]
    return " ".join(parts).lower()


# (case, body served when its source is added or None for a good feed, body served after)
Plan = list[tuple[Case, bytes | None, bytes]]


def big_cases() -> list[tuple[Case, bytes, bytes | None]]:
    """(case, body served at add time or None for a good feed, body served afterwards)."""
    ten_k = ten_thousand_items()
    newest = b"<item><title>M900new story</title><guid>m900new</guid></item>"
    grown = ten_k.replace(b"<item>", newest + b"<item>", 1)
    return [
        (Case("900-ten-thousand.xml", "items", ["M900new"], what="10,000 items"), ten_k, grown),
        (
            Case("901-nine-megabytes.xml", "items", ["M901a"], style="summary", what="9 MB item"),
            None,
            nine_megabyte_item(),
        ),
    ]


async def test_the_corpus_breaks_nothing(
    discord_emulator: DiscordEmulator,
    feed_server: FeedServer,
    newsdesk: Callable[..., BotProcess],
) -> None:
    emu, srv = discord_emulator, feed_server
    w = world(emu)
    corpus = emu.add_text_channel(w["guild"], "corpus").id
    control = srv.add_feed("/control.xml", title="Control", kind="rss")
    control.add_items(1, prefix="Control old")

    plan: Plan = [(case, None, (CORPUS / case.name).read_bytes()) for case in load()]
    plan += big_cases()
    serve_first_bodies(srv, plan)

    bot = newsdesk(NEWSDESK_MAX_SOURCES_PER_GUILD="300")
    await bot.start()
    reply = await emu.slash(
        w["guild"], w["news"], w["mod"], "newsdesk settings", options={"merge_stories": False}
    )
    assert "Settings updated" in reply.text
    await emu.slash(
        w["guild"],
        w["news"],
        w["mod"],
        "source add",
        options={"url": srv.url("/control.xml"), "style": "headline", "name": "control"},
    )
    ids = await add_sources(emu, w, srv, plan, corpus)

    # Now every URL serves its broken (or big) body.
    switched = {}
    for case, _, body in plan:
        path = f"/m/{case.name}"
        srv.serve_bytes(path, body, content_type=case.content_type)
        if not ttl_of(body, case):  # a feed's ttl rightly puts its next poll off (for a day)
            switched[path] = len(srv.requests(path))
    control.add_items(2, prefix="Control during")

    expected = [m.lower() for case, _, _ in plan for m in case.markers]
    broken = [case for case, _, _ in plan if case.expect == "not_a_feed"]

    def posted() -> list[str]:
        return [message_text(m) for m in emu.messages(corpus)]

    def failing() -> set[str]:
        with sqlite3.connect(f"file:{bot.database}?mode=ro", uri=True) as db:
            rows = db.execute(
                "SELECT s.name FROM sources s JOIN feeds f ON f.id = s.feed_id "
                "WHERE f.failing_since IS NOT NULL"
            ).fetchall()
        return {name for (name,) in rows}

    def done() -> bool:
        texts = posted()
        return (
            all(any(m in t for t in texts) for m in expected)
            and {c.name for c in broken} <= failing()
        )

    await emu.wait_for(done, timeout=90)
    # Every source was polled again after the switch (none is stuck), and the control source
    # keeps posting.
    await asyncio.gather(
        *(srv.wait_for_requests(path, count + 2, timeout=30) for path, count in switched.items())
    )
    control.add_items(2, prefix="Control after")
    await emu.wait_for_messages(w["news"], 4, timeout=30)
    titles = [(m.content or "").splitlines()[0] for m in emu.messages(w["news"]) if m.content]
    assert titles[-4:] == ["Control during 1", "Control during 2", "Control after 1",
                           "Control after 2"]  # fmt: skip
    assert not bot.exited

    texts = posted()
    for marker in expected:
        assert sum(marker in t for t in texts) == 1, f"{marker} posted {texts}"
    assert not any("seed" in t for t in texts)  # the items seen at add time stay unposted

    # /source info names the state and the errors of every source.
    assert_infos_name_state_and_errors(plan, await source_infos(emu, w, plan, ids))
    assert await bot.stop() == 0


def serve_first_bodies(srv: FeedServer, plan: Plan) -> None:
    """Each case's URL serves a good feed (or the body it is added with) at first."""
    for number, (case, first, _) in enumerate(plan):
        path = f"/m/{case.name}"
        if first is None:
            srv.add_feed(path, title=f"Corpus {number}", kind="rss").add_items(1, prefix="Seed")
        else:
            srv.serve_bytes(path, first, content_type="application/rss+xml")


async def add_sources(
    emu: DiscordEmulator, w: dict[str, int], srv: FeedServer, plan: Plan, corpus: int
) -> dict[str, str]:
    """A source for each case, posting to `corpus`, added 12 at a time: case name -> id."""
    ids: dict[str, str] = {}
    for start in range(0, len(plan), 12):
        batch = plan[start : start + 12]
        pending = [
            emu.slash_nowait(
                w["guild"],
                w["news"],
                w["mod"],
                "source add",
                options={
                    "url": srv.url(f"/m/{case.name}"),
                    "channel": corpus,
                    "style": case.style,
                    "name": case.name,
                },
            )
            for case, _, _ in batch
        ]
        for (case, _, _), result in zip(batch, pending, strict=True):
            await result.wait_answer(60)
            await emu.wait_for(lambda r=result: "Added" in r.text or "(#" in r.text, timeout=60)
            ids[case.name] = result.text.split("(#")[1].split(")")[0]
    return ids


async def source_infos(
    emu: DiscordEmulator, w: dict[str, int], plan: Plan, ids: dict[str, str]
) -> dict[str, str]:
    """`/source info` of each case's source, 12 at a time: case name -> reply."""
    infos: dict[str, str] = {}
    for start in range(0, len(plan), 12):
        batch = plan[start : start + 12]
        pending = [
            emu.slash_nowait(
                w["guild"], w["news"], w["mod"], "source info", options={"source": ids[c.name]}
            )
            for c, _, _ in batch
        ]
        for (case, _, _), result in zip(batch, pending, strict=True):
            await result.wait_answer(30)
            infos[case.name] = result.text
    return infos


def assert_infos_name_state_and_errors(plan: Plan, infos: dict[str, str]) -> None:
    for case, _, body in plan:
        info = infos[case.name]
        assert "**State:**" in info and "Traceback" not in info, info
        outcome = expected_outcome(body, case)
        if isinstance(outcome, NotAFeed):
            assert "**State:** failing since" in info, (case.name, info)
            assert md(outcome.user_message) in info, (case.name, info)
        else:
            assert "**State:** ok" in info, (case.name, info)
            if outcome:  # a warning: the feed was read leniently
                assert md(outcome) in info, (case.name, info)


def ttl_of(body: bytes, case: Case) -> int | None:
    try:
        return parse_feed(body, "https://corpus.example/", case.content_type).ttl_seconds
    except NotAFeed:
        return None


def expected_outcome(body: bytes, case: Case) -> NotAFeed | str | None:
    """What the parser says about the body: NotAFeed, a warning, or None (clean)."""
    try:
        feed: Any = parse_feed(body, "https://corpus.example/", case.content_type)
    except NotAFeed as error:
        return error
    return feed.warning
