"""Digest schedules across daylight saving, missed digests, ranking and composition."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.errors import InvalidOption
from bot.services.digests import Digests, compose, fire_times, missed_fire, parse_time, rank
from bot.services.guilds import valid_timezone
from storage.digests import DigestCandidate, DigestSchedule
from tests.bot.conftest import Pipeline
from tests.bot.services.test_alerts import RecordingSender

BERLIN = DigestSchedule(
    guild_id=1,
    channel_id=5,
    time="09:00",
    frequency="daily",
    timezone="Europe/Berlin",
    last_sent_at=None,
)


def test_daily_digest_fires_once_a_day_at_9_berlin_across_the_dst_change() -> None:
    start = datetime(2026, 10, 23, 12, 0, tzinfo=UTC)
    times = fire_times(BERLIN, start, start + timedelta(days=4))
    assert times == [
        datetime(2026, 10, 24, 7, 0, tzinfo=UTC),  # CEST, UTC+2
        datetime(2026, 10, 25, 8, 0, tzinfo=UTC),  # CET from 25 October, UTC+1
        datetime(2026, 10, 26, 8, 0, tzinfo=UTC),
        datetime(2026, 10, 27, 8, 0, tzinfo=UTC),
    ]
    spring = fire_times(
        BERLIN, datetime(2026, 3, 28, 12, tzinfo=UTC), datetime(2026, 3, 30, 12, tzinfo=UTC)
    )
    assert spring == [
        datetime(2026, 3, 29, 7, 0, tzinfo=UTC),
        datetime(2026, 3, 30, 7, 0, tzinfo=UTC),
    ]


def test_weekdays_and_weekly() -> None:
    start = datetime(2026, 11, 20, 12, tzinfo=UTC)  # a Friday
    weekdays = fire_times(
        DigestSchedule(1, 5, "09:00", "weekdays", "UTC", None), start, start + timedelta(days=7)
    )
    assert [t.strftime("%a") for t in weekdays] == ["Mon", "Tue", "Wed", "Thu", "Fri"]
    weekly = fire_times(
        DigestSchedule(1, 5, "18:30", "weekly", "UTC", None), start, start + timedelta(days=14)
    )
    assert weekly == [
        datetime(2026, 11, 23, 18, 30, tzinfo=UTC),
        datetime(2026, 11, 30, 18, 30, tzinfo=UTC),
    ]


def test_a_missed_digest_is_caught_up_within_six_hours_only() -> None:
    sent = datetime(2026, 11, 23, 8, 0, 5, tzinfo=UTC)
    schedule = DigestSchedule(1, 5, "09:00", "daily", "Europe/Berlin", sent)
    assert missed_fire(schedule, datetime(2026, 11, 24, 7, 30, tzinfo=UTC)) is None
    assert missed_fire(schedule, datetime(2026, 11, 24, 13, 0, tzinfo=UTC)) == datetime(
        2026, 11, 24, 8, 0, tzinfo=UTC
    )
    assert missed_fire(schedule, datetime(2026, 11, 24, 14, 30, tzinfo=UTC)) is None
    after_sending = DigestSchedule(
        1, 5, "09:00", "daily", "Europe/Berlin", datetime(2026, 11, 24, 8, 0, 3, tzinfo=UTC)
    )
    assert missed_fire(after_sending, datetime(2026, 11, 24, 9, 0, tzinfo=UTC)) is None


@pytest.mark.parametrize("bad", ["9", "25:00", "09:60", "nine", ""])
def test_times_are_checked(bad: str) -> None:
    with pytest.raises(InvalidOption):
        parse_time(bad)
    assert parse_time("9:05") == (9, 5)


def test_ranking_prefers_coverage_then_recency_and_compose_fits() -> None:
    now = datetime(2026, 11, 24, 9, tzinfo=UTC)

    def story(key: str, sources: int, hours_old: float) -> DigestCandidate:
        return DigestCandidate(
            key,
            f"Title {key} " + "x" * 300,
            "https://e.com/" + key,
            "One. Two.",
            None,
            sources,
            now - timedelta(hours=hours_old),
        )

    ranked = rank(
        [
            story("a", 1, 1),
            story("b", 3, 20),
            story("c", 1, 0.1),
            *(story(f"z{n}", 1, 30) for n in range(12)),
        ],
        now,
    )
    assert [s.story_key for s in ranked[:3]] == ["b", "c", "a"] and len(ranked) == 10
    embed = compose(ranked, "Daily digest").embed
    assert embed is not None and len(embed["description"]) <= 4096
    assert "3 sources" in embed["description"] and "@everyone" not in embed["description"]


def test_a_digest_link_cannot_break_out_of_its_markdown() -> None:
    now = datetime(2026, 11, 24, 9, tzinfo=UTC)
    hostile = DigestCandidate(
        "k", "Title] (x", "https://e.com/a) [Click](https://evil.example", "One.", None, 1, now
    )
    embed = compose([hostile], "Daily digest").embed
    assert embed is not None
    assert embed["description"].startswith(
        r"**1.** [Title\] (x](<https://e.com/a%29%20[Click]%28https://evil.example>)"
    )


def test_the_digest_title_is_its_own_not_the_last_story_link() -> None:
    now = datetime(2026, 11, 24, 9, tzinfo=UTC)
    long_story = DigestCandidate(
        "k", "In an unexpected revelation " * 10, "https://e.com/" + "a" * 300, "One.", None, 1, now
    )
    embed = compose([long_story], "Daily digest · Tue 24 Nov 2026").embed
    assert embed is not None and embed["title"] == "Daily digest · Tue 24 Nov 2026"
    assert len(compose([long_story], "x" * 300).embed["title"]) <= 256  # type: ignore[index]


@pytest.mark.parametrize("name", ["America", "Europe", "x" * 5000, "posixrules", "../etc"])
def test_only_listed_time_zones_are_accepted(name: str) -> None:
    with pytest.raises(InvalidOption, match="Europe/Berlin"):
        valid_timezone(name)
    assert valid_timezone(" Europe/Berlin ") == "Europe/Berlin"


async def test_missed_digest_is_sent_once_across_restarts(pipeline: Pipeline) -> None:
    feed = pipeline.srv.add_feed("/a.xml", title="A", kind="rss")
    feed.add_items(1)
    await pipeline.add("/a.xml")
    sender = RecordingSender()
    scheduler = AsyncIOScheduler(timezone=UTC)
    digests = Digests(pipeline.storage, sender, pipeline.clock, scheduler)
    pipeline.clock.now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    await digests.set(
        1, 5, channel_id=77, time="09:00", frequency="daily", timezone="Europe/Berlin"
    )
    feed.add_items(2, prefix="Story for the digest")
    await pipeline.poll()  # the clock moves on two days (to 25 Nov 12:01 UTC), bot "down"
    pipeline.clock.now = datetime(2026, 11, 25, 13, 30, tzinfo=UTC)  # 5.5 h after 09:00 Berlin
    await digests.start()
    assert len(sender.sent) == 1 and sender.sent[0][0] == 77
    await Digests(pipeline.storage, sender, pipeline.clock, scheduler).start()  # a restart
    assert len(sender.sent) == 1
    result = await digests.send(1)  # /digest now: nothing new since
    assert not result.sent and len(sender.sent) == 1
