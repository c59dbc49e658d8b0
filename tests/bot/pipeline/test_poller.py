"""The update pipeline in process: real feed server, real fetcher, real SQLite, a manual clock."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.pipeline import poller as poller_module
from bot.pipeline.fetch import FetchResult
from bot.pipeline.parse import ParsedFeed
from bot.pipeline.parse.workers import FeedParser
from bot.pipeline.poller import SLOW_ANSWER_MS, PollOutcome, is_slow
from bot.services.sources import AddRequest
from tests.bot.conftest import Pipeline


async def test_a_304_costs_no_parse(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    feed = pipeline.srv.add_feed("/a.xml", title="A", kind="rss")
    feed.add_items(3)
    await pipeline.add("/a.xml")
    parses: list[str] = []
    real = FeedParser.parse

    async def counting(self: FeedParser, result: FetchResult) -> ParsedFeed:
        parses.append(result.url)
        return await real(self, result)

    monkeypatch.setattr(FeedParser, "parse", counting)
    (outcome,) = await pipeline.poll()
    assert outcome.status == "not-modified" and parses == []
    last = pipeline.srv.requests("/a.xml")[-1]
    assert last.status == 304 and last.headers.get("If-None-Match")

    feed.add_items(1, prefix="Fresh")
    (outcome,) = await pipeline.poll()
    assert outcome.status == "new" and outcome.new_items == 1 and len(parses) == 1
    assert pipeline.pending_titles() == ["Fresh 1"]


async def test_an_unchanged_body_without_validators_costs_no_parse(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = pipeline.srv.add_feed("/a.xml", title="A", kind="atom")
    feed.etag = False
    feed.last_modified = False
    feed.add_items(2)
    await pipeline.add("/a.xml")
    (first,) = await pipeline.poll()  # the first poll stores the body's hash
    monkeypatch.setattr(FeedParser, "parse", None)  # any parse would now raise
    (outcome,) = await pipeline.poll()
    assert first.status in {"unchanged", "new"} and outcome.status == "unchanged"


async def test_backfill_and_identity(pipeline: Pipeline) -> None:
    feed = pipeline.srv.add_feed("/a.xml", title="A", kind="rss")
    feed.add_items(5)
    await pipeline.add("/a.xml", backfill=2)
    assert pipeline.pending_titles() == ["Story 4", "Story 5"]
    feed.redate_all(timedelta(days=-3))
    feed.reorder(reverse=True)
    feed.edit_item(feed.items[0].guid, title="Changed title")
    (outcome,) = await pipeline.poll()
    assert outcome.new_items == 0
    assert pipeline.pending_titles() == ["Story 4", "Story 5"]


async def test_ttl_and_cache_control_push_the_next_poll(pipeline: Pipeline) -> None:
    feed = pipeline.srv.add_feed("/a.xml", title="A", kind="rss")
    feed.add_items(1)
    feed.ttl_minutes = 120
    feed.cache_control = "max-age=1800"
    source = await pipeline.add("/a.xml")
    feed.add_items(1)
    await pipeline.poll()
    stored = pipeline.storage.sync.feeds.get(source.feed_id)
    assert stored.next_due_at - pipeline.clock.now >= timedelta(minutes=120)


async def test_a_permanent_redirect_updates_the_stored_url(pipeline: Pipeline) -> None:
    feed = pipeline.srv.add_feed("/new.xml", title="A", kind="rss")
    feed.add_items(1)
    source = await pipeline.add("/new.xml")
    pipeline.srv.add_feed("/newer.xml", title="A", kind="rss").add_items(1)
    pipeline.srv.redirect("/new.xml", "/newer.xml", status=301)
    await pipeline.poll()
    assert pipeline.storage.sync.feeds.get(source.feed_id).url == pipeline.srv.url("/newer.xml")


async def test_410_pauses_and_404_pauses_only_after_a_week(pipeline: Pipeline) -> None:
    for path in ("/gone.xml", "/missing.xml"):
        pipeline.srv.add_feed(path, title=path, kind="rss").add_items(1)
    gone = await pipeline.add("/gone.xml")
    missing = await pipeline.add("/missing.xml")
    pipeline.srv.fail("/gone.xml", status=410)
    pipeline.srv.fail("/missing.xml", status=404)
    outcomes = {o.feed_id: o.status for o in await pipeline.poll()}
    assert outcomes == {gone.feed_id: "gone", missing.feed_id: "failed"}
    sources = pipeline.storage.sync.sources
    assert sources.get(1, gone.id).paused_at is not None
    assert sources.get(1, missing.id).paused_at is None
    for _ in range(4):  # 2 days a step: past the 7-day grace
        await pipeline.poll()
    assert sources.get(1, missing.id).paused_at is not None
    assert "404" in (sources.get(1, missing.id).pause_reason or "")


async def test_failures_back_off_then_recover_without_losing_items(pipeline: Pipeline) -> None:
    feed = pipeline.srv.add_feed("/a.xml", title="A", kind="rss")
    feed.add_items(1)
    source = await pipeline.add("/a.xml")
    pipeline.srv.fail("/a.xml", status=503, retry_after=5)
    waits = []
    for _ in range(4):
        clock = pipeline.clock.now
        tasks = await pipeline.poller.poll_due()
        if not tasks:
            pipeline.clock.advance(86400 + 60)
            tasks = await pipeline.poller.poll_due()
        for task in tasks:
            await task
        waits.append(pipeline.storage.sync.feeds.get(source.feed_id).next_due_at - clock)
    assert waits == sorted(waits) and waits[-1] > waits[0]
    assert pipeline.storage.sync.feeds.get(source.feed_id).failing_since is not None
    feed.add_items(2, prefix="Kept")
    pipeline.srv.clear_faults("/a.xml")
    (outcome,) = await pipeline.poll()
    assert outcome.recovered and outcome.new_items == 2
    assert pipeline.pending_titles() == ["Kept 1", "Kept 2"]


async def test_one_fetch_serves_every_source_of_a_feed(pipeline: Pipeline) -> None:
    feed = pipeline.srv.add_feed("/a.xml", title="A", kind="rss")
    feed.add_items(1)
    await pipeline.add("/a.xml")
    await pipeline.sources.add(
        AddRequest(guild_id=2, channel_id=20, user_id=5, url=pipeline.srv.url("/a.xml"))
    )
    feed.add_items(1, prefix="Shared")
    before = len(pipeline.srv.requests("/a.xml"))
    outcomes = await pipeline.poll()
    assert len(outcomes) == 1 and len(pipeline.srv.requests("/a.xml")) == before + 1
    due = pipeline.storage.sync.deliveries.due(pipeline.clock.now)
    assert sorted(o.delivery.channel_id for o in due) == [10, 20]


async def test_add_refusals_are_clear_and_change_nothing(pipeline: Pipeline) -> None:
    from bot.errors import Duplicate, InvalidOption, InvalidURL, NotAFeed

    pipeline.srv.add_feed("/a.xml", title="A", kind="rss").add_items(1)
    pipeline.srv.add_feed("/empty.xml", title="Empty", kind="rss")
    pipeline.srv.html_page("/page.html", feed_path="/a.xml")
    pipeline.srv.serve_bytes(
        "/plain.html", b"<html><body>hello</body></html>", content_type="text/html"
    )
    cases = [
        (dict(url="ftp://example.com/feed"), InvalidURL),
        (dict(url="not a url"), InvalidURL),
        (dict(url=pipeline.srv.url("/plain.html")), NotAFeed),
        (dict(url=pipeline.srv.url("/empty.xml")), NotAFeed),
        (dict(url=pipeline.srv.url("/a.xml"), every_minutes=0), InvalidOption),
        (dict(url=pipeline.srv.url("/a.xml"), backfill=11), InvalidOption),
    ]
    for options, error in cases:
        with pytest.raises(error) as raised:
            await pipeline.sources.add(AddRequest(guild_id=1, channel_id=10, user_id=5, **options))  # type: ignore[arg-type]
        assert raised.value.user_message.endswith(".")
    assert pipeline.storage.sync.sources.count(1) == 0
    # A page that links to a feed is followed to the feed.
    added = await pipeline.sources.add(
        AddRequest(guild_id=1, channel_id=10, user_id=5, url=pipeline.srv.url("/page.html"))
    )
    assert added.source.feed_url == pipeline.srv.url("/a.xml")
    with pytest.raises(Duplicate):
        await pipeline.add("/a.xml")


async def test_the_slowest_feed_to_answer_is_polled_first(pipeline: Pipeline) -> None:
    for path in ("/a.xml", "/slow.xml", "/c.xml"):
        pipeline.srv.add_feed(path, title=path, kind="rss").add_items(2)
        await pipeline.add(path)
    recorded = pipeline.storage.sync.db.execute("SELECT answer_ms FROM feeds").fetchall()
    assert all(ms is not None for (ms,) in recorded)  # adding a source times its answer
    pipeline.srv.delay("/slow.xml", 0.3)
    first_round = await pipeline.poll()  # all answer; the slow one takes 0.3 s or more
    assert {outcome.status for outcome in first_round} == {"not-modified"}
    feeds = pipeline.storage.sync.feeds
    slow = feeds.get_by_url(pipeline.srv.url("/slow.xml"))
    assert slow is not None
    answer_ms = pipeline.storage.sync.db.execute(
        "SELECT answer_ms FROM feeds WHERE id = ?", [slow.id]
    ).fetchone()[0]
    assert answer_ms >= 300

    second_round = await pipeline.poll()
    assert second_round[0].feed_id == slow.id


async def _poll_now(pipeline: Pipeline) -> list[PollOutcome]:
    return [await task for task in await pipeline.poller.poll_due()]


async def test_a_redirect_to_an_undecodable_host_fails_with_backoff(
    pipeline: Pipeline, caplog: pytest.LogCaptureFixture
) -> None:
    feed = pipeline.srv.add_feed("/a.xml", title="A", kind="rss")
    feed.add_items(1)
    source = await pipeline.add("/a.xml")
    pipeline.srv.redirect("/a.xml", "http://xn--localhost-/feed")
    with caplog.at_level(logging.INFO):
        outcomes = [*(await pipeline.poll()), *(await pipeline.poll()), *(await pipeline.poll())]
    assert [o.status for o in outcomes] == ["failed"] * 3
    assert all("invalid host name" in (o.error or "") for o in outcomes)
    stored = pipeline.storage.sync.feeds.get(source.feed_id)
    assert stored.failure_count == 3 and stored.next_due_at > pipeline.clock.now
    assert not [r for r in caplog.records if r.exc_info], "a known error needs no traceback"
    assert len([r for r in caplog.records if "failed:" in r.getMessage()]) == 1


async def test_any_unexpected_error_takes_the_failure_path_with_one_traceback(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    feed = pipeline.srv.add_feed("/a.xml", title="A", kind="rss")
    feed.add_items(1)
    source = await pipeline.add("/a.xml")
    feed.add_items(1, prefix="Fresh")

    async def broken(self: FeedParser, result: FetchResult) -> ParsedFeed:
        raise RuntimeError("a bug")

    monkeypatch.setattr(FeedParser, "parse", broken)
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            (outcome,) = await pipeline.poll()
            assert outcome.status == "failed" and "RuntimeError" in (outcome.error or "")
            due = pipeline.storage.sync.feeds.get(source.feed_id).next_due_at
            assert due - pipeline.clock.now >= timedelta(seconds=60)  # backoff, not a loop
    assert len([r for r in caplog.records if r.exc_info]) == 1
    (status,) = pipeline.storage.sync.sources.statuses(1)
    assert status.feed.failing_since is not None and status.feed.last_error == outcome.error


async def test_polling_pauses_while_the_database_cannot_be_written(
    pipeline: Pipeline, caplog: pytest.LogCaptureFixture
) -> None:
    feed = pipeline.srv.add_feed("/a.xml", title="A", kind="rss")
    feed.add_items(1)
    await pipeline.add("/a.xml")
    feed.add_items(2, prefix="Fresh")
    db = pipeline.storage.sync.db
    await pipeline.storage.run(db.execute, "PRAGMA query_only = 1")  # writes now fail
    pipeline.clock.advance(3600)
    with caplog.at_level(logging.INFO):
        (outcome,) = await _poll_now(pipeline)
        assert outcome.status == "failed"
        fetched = len(pipeline.srv.requests("/a.xml"))
        for _ in range(8):  # ticks every half second would have refetched the feed
            pipeline.clock.advance(0.5)
            assert await pipeline.poller.poll_due() == []
        assert len(pipeline.srv.requests("/a.xml")) == fetched
        pipeline.clock.advance(60)
        (again,) = await _poll_now(pipeline)
        assert again.status == "failed"
        await pipeline.storage.run(db.execute, "PRAGMA query_only = 0")
        pipeline.clock.advance(600)
        (recovered,) = await _poll_now(pipeline)
    assert recovered.status == "new" and recovered.new_items == 2
    assert pipeline.pending_titles() == ["Fresh 1", "Fresh 2"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "polling paused" in errors[0].getMessage()


async def test_poll_once_polls_each_due_feed_at_most_once_however_long_the_pass(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        pipeline.srv.add_feed(f"/{n}.xml", title=f"F{n}", kind="rss").add_items(1)
        await pipeline.add(f"/{n}.xml")
        pipeline.srv.feeds[f"/{n}.xml"].add_items(1, prefix="Fresh")
    real = FeedParser.parse

    async def slow(self: FeedParser, result: FetchResult) -> ParsedFeed:
        pipeline.clock.advance(120)  # longer than every interval: each feed is due again
        return await real(self, result)

    monkeypatch.setattr(FeedParser, "parse", slow)
    pipeline.clock.advance(3600)
    outcomes = await pipeline.poller.poll_once()
    assert len(outcomes) == 3
    assert (
        sorted(r.path for r in pipeline.srv.requests() if r.path.endswith(".xml")).count("/0.xml")
        == 2
    )  # the add, and one poll


async def test_feeds_slow_to_answer_or_failing_take_the_slow_lane(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline.srv.add_feed("/a.xml", title="A", kind="rss").add_items(1)
    source = await pipeline.add("/a.xml")
    feed = pipeline.storage.sync.feeds.get(source.feed_id)
    assert not is_slow(feed)
    assert is_slow(replace(feed, answer_ms=SLOW_ANSWER_MS))
    assert is_slow(replace(feed, failure_count=1))
    monkeypatch.setattr(poller_module, "SLOW_ANSWER_MS", 200)
    pipeline.srv.delay("/a.xml", 0.3)
    await pipeline.poll()
    assert is_slow(pipeline.storage.sync.feeds.get(source.feed_id))
