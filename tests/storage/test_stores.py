"""Every store method outside search, on both engines (#20): what test_storage.py does not
reach already. Each test runs on SQLite (the reference) and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from storage import Storage
from storage.errors import RecordNotFound
from storage.models import DeliveryState, NewItem, Source
from storage.storage import Subscription
from tests.models import make_new_item

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SNOWFLAKE = 1_234_567_890_123_456_789  # Discord ids need 64 bits


def posted(_item: NewItem, _source: Source) -> tuple[DeliveryState, str | None]:
    return "pending", None


def sub(guild: int = 1, channel: int = 10, n: int = 1, **kw: object) -> Subscription:
    return Subscription(
        guild_id=guild,
        channel_id=channel,
        url=f"https://example.com/feed{n}",
        name=str(kw.pop("name", f"Feed {n}")),
        feed_title=f"Feed {n}",
        site_url=None,
        interval_seconds=int(kw.pop("interval", 900)),  # type: ignore[call-overload]
        first_due_at=NOW,
        **kw,  # type: ignore[arg-type]
    )


def news(prefix: str, count: int) -> list[NewItem]:
    return [
        make_new_item(
            f"{prefix}{n}",
            title=f"{prefix} story {n}",
            url=f"https://example.com/{prefix}{n}",
            summary=f"About {prefix} {n}",
            published_at=NOW - timedelta(hours=count - n),
        )
        for n in range(count)
    ]


@pytest.fixture
def store(database: str) -> Iterator[Storage]:
    s = Storage(database)
    yield s
    s.close()


def test_guild_settings_and_the_audit_log(store: Storage) -> None:
    assert store.guilds.settings(SNOWFLAKE).timezone == "UTC"
    settings = store.guilds.update_settings(
        SNOWFLAKE, NOW, moderator_role_id=SNOWFLAKE + 1, merge_stories=False
    )
    assert settings.moderator_role_id == SNOWFLAKE + 1 and settings.merge_stories is False
    settings = store.guilds.update_settings(SNOWFLAKE, NOW, timezone="Europe/Paris")
    assert (settings.timezone, settings.merge_stories) == ("Europe/Paris", False)
    with pytest.raises(ValueError):
        store.guilds.update_settings(SNOWFLAKE, NOW, nonsense=1)
    for n, target in enumerate(("source:1", "source:2", "source:1")):
        store.guilds.audit(
            SNOWFLAKE, 7, "edit", target=target, before={"n": n}, after=None, now=NOW
        )
    entries = store.guilds.audit_log(SNOWFLAKE, target="source:1")
    assert [(e.before, e.after, e.at) for e in entries] == [
        ({"n": 2}, None, NOW),
        ({"n": 0}, None, NOW),
    ]
    assert len(store.guilds.audit_log(SNOWFLAKE, limit=2)) == 2
    assert store.guilds.audit_log(1) == []


def test_feed_schedule_errors_and_revival(store: Storage) -> None:
    a, _ = store.subscribe(sub(n=1), [], route=posted, now=NOW)
    b, _ = store.subscribe(sub(n=2, answer_seconds=2.5), [], route=posted, now=NOW)
    store.subscribe(sub(guild=2, n=3, answer_seconds=0.1), [], route=posted, now=NOW)
    # Slowest answer first, unknown first of all.
    assert [f.id for f in store.feeds.due(NOW)] == [
        a.feed_id,
        b.feed_id,
        store.sources.find(2, "Feed 3").feed_id,
    ]
    assert store.feeds.due(NOW, limit=1)[0].id == a.feed_id
    store.feeds.set_next_due(a.feed_id, NOW + timedelta(hours=1))
    assert a.feed_id not in [f.id for f in store.feeds.due(NOW)]
    for n in range(25):
        store.feeds.record_warning(a.feed_id, now=NOW, message=f"warning {n}")
    errors = store.feeds.recent_errors(a.feed_id, limit=30)
    assert len(errors) == 20 and errors[0].message == "warning 24" and errors[0].status is None
    failed = store.feeds.record_failure(
        a.feed_id, now=NOW, next_due_at=NOW, message="404", status=404, not_found=True
    )
    assert failed.not_found_since == NOW and failed.failure_count == 1
    assert store.feeds.get(a.feed_id).answer_ms is None
    store.feeds.record_failure(
        a.feed_id, now=NOW, next_due_at=NOW, message="gone", status=410, gone=True
    )
    store.feeds.revive(a.feed_id, NOW)
    revived = store.feeds.get(a.feed_id)
    assert revived.gone_at is None and revived.not_found_since is None
    before = store.feeds.record_success(
        a.feed_id,
        now=NOW,
        next_due_at=NOW + timedelta(minutes=15),
        etag='"e"',
        last_modified="Tue, 24 Nov 2026 09:00:00 GMT",
        body_hash=None,
        answer_seconds=0.25,
        title="",
        new_url="https://example.com/moved",
    )
    assert before.failure_count == 2
    after = store.feeds.get(a.feed_id)
    assert (after.url, after.title, after.answer_ms, after.failure_count) == (
        "https://example.com/moved",
        "Feed 1",
        250,
        0,
    )
    assert store.feeds.get_by_url("https://example.com/feed1") is None
    with pytest.raises(RecordNotFound):
        store.feeds.get(999)


def test_a_feed_polls_at_its_sources_shortest_interval(store: Storage) -> None:
    one, _ = store.subscribe(sub(guild=1, interval=900), [], route=posted, now=NOW)
    two, _ = store.subscribe(sub(guild=2, interval=300), [], route=posted, now=NOW)
    assert store.feeds.get(one.feed_id).interval_seconds == 300
    store.edit_source(2, two.id, {"interval_seconds": 1200})
    assert store.feeds.get(one.feed_id).interval_seconds == 900
    store.unsubscribe(1, one.id, NOW)
    assert store.feeds.get(one.feed_id).interval_seconds == 1200


def test_source_lookup_listing_and_settings(store: Storage) -> None:
    first, _ = store.subscribe(sub(n=1, name="Tech 100%"), [], route=posted, now=NOW)
    second, _ = store.subscribe(sub(n=2, name="tech_news"), [], route=posted, now=NOW)
    assert store.sources.find(1, "TECH 100%").id == first.id
    assert store.sources.find(1, "https://example.com/feed2").id == second.id
    # LIKE wildcards in the typed text are plain characters.
    assert [s.id for s in store.sources.matching(1, "100%")] == [first.id]
    assert [s.id for s in store.sources.matching(1, "h_n")] == [second.id]
    assert [s.id for s in store.sources.matching(1, "tech")] == [first.id, second.id]
    assert store.sources.count(1) == 2
    updated = store.sources.update(
        1, first.id, style="headline", fulltext=True, channel_id=SNOWFLAKE
    )
    assert (updated.style, updated.fulltext, updated.channel_id) == ("headline", True, SNOWFLAKE)
    with pytest.raises(ValueError):
        store.sources.update(1, first.id, removed_at=NOW)
    before, paused = store.sources.pause(1, first.id, NOW, "moderator")
    assert before.paused_at is None and paused.paused_at == NOW
    assert store.sources.pause(1, first.id, NOW, "again")[1].pause_reason == "moderator"
    _, resumed = store.sources.resume(1, first.id)
    assert resumed.paused_at is None and resumed.pause_reason is None
    assert store.sources.resume(1, first.id)[0] == resumed
    removed = store.sources.remove(1, second.id, NOW)
    assert removed.id == second.id and store.sources.count(1) == 1
    with pytest.raises(RecordNotFound):
        store.sources.find(1, "tech_news")


def test_source_statuses_count_posts(store: Storage) -> None:
    source, _ = store.subscribe(sub(backfill=3), news("a", 3), route=posted, now=NOW)
    due = store.deliveries.due(NOW)
    store.deliveries.mark_sent(due[0].delivery.id, SNOWFLAKE, NOW)
    store.deliveries.mark_sent(due[1].delivery.id, SNOWFLAKE + 1, NOW + timedelta(minutes=1))
    (status,) = store.sources.statuses(1)
    assert status.source.id == source.id and status.feed.id == source.feed_id
    assert (status.posted, status.last_posted_at) == (2, NOW + timedelta(minutes=1))


def test_alerts_for_failing_gone_and_recovered_feeds(store: Storage) -> None:
    store.guilds.update_settings(1, NOW, alert_channel_id=SNOWFLAKE)
    source, _ = store.subscribe(sub(), [], route=posted, now=NOW)
    for _ in range(3):
        store.feeds.record_failure(
            source.feed_id, now=NOW, next_due_at=NOW, message="500", status=500
        )
    assert store.sources.alerts_due(failing_after=4) == []
    (alert,) = store.sources.alerts_due(failing_after=3)
    assert (alert.kind, alert.failures, alert.error, alert.alert_channel_id) == (
        "failing",
        3,
        "500",
        SNOWFLAKE,
    )
    store.sources.set_alerted([source.id], True)
    assert store.sources.alerts_due(failing_after=3) == []
    store.feeds.record_success(
        source.feed_id, now=NOW + timedelta(hours=1), next_due_at=NOW, etag=None,
        last_modified=None, body_hash=None,
    )  # fmt: skip
    (recovered,) = store.sources.alerts_due(failing_after=3)
    assert recovered.kind == "recovered" and recovered.stamp != alert.stamp
    store.sources.set_alerted([source.id], False)
    store.feeds.record_failure(
        source.feed_id, now=NOW, next_due_at=NOW, message="gone", status=410, gone=True
    )
    assert [a.kind for a in store.sources.alerts_due(failing_after=3)] == ["gone"]


def test_delivery_attempts_failures_and_history(store: Storage) -> None:
    source, _ = store.subscribe(
        sub(guild=SNOWFLAKE, channel=SNOWFLAKE, backfill=3), news("d", 3), route=posted, now=NOW
    )
    first, second, third = store.deliveries.due(NOW)
    assert first.item.title == "d story 0" and first.feed_title == "Feed 1"
    assert first.source.feed_url == "https://example.com/feed1"
    assert store.deliveries.waiting() == 3 and store.deliveries.waiting(SNOWFLAKE) == 3
    assert store.deliveries.waiting(1) == 0
    assert store.deliveries.retry_later(first.delivery.id, "429", NOW) == 1
    assert store.deliveries.retry_later(first.delivery.id, "429", NOW) == 2
    store.deliveries.mark_failed(second.delivery.id, "Missing Access")
    store.deliveries.mark_sent(third.delivery.id, SNOWFLAKE, NOW)
    lines = store.deliveries.recent_for_source(source.id)
    assert [(line.title, line.delivery.state, line.delivery.attempts) for line in lines] == [
        ("d story 2", "sent", 1),
        ("d story 1", "failed", 1),
        ("d story 0", "pending", 2),
    ]
    assert lines[0].delivery.message_id == SNOWFLAKE
    assert store.deliveries.sent_messages(SNOWFLAKE) == [(third.delivery.id, SNOWFLAKE)]
    assert store.deliveries.waiting(SNOWFLAKE) == 1


def test_items_keys_briefs_and_fingerprints(store: Storage) -> None:
    source, result = store.subscribe(sub(), news("k", 3), route=posted, now=NOW)
    assert result.new_items == 3
    assert store.items.known_keys(source.feed_id, ["k0", "k2", "nope"]) == {"k0", "k2"}
    assert store.items.known_keys(source.feed_id, []) == set()
    (outgoing,) = store.deliveries.due(NOW) or [None]  # backfill 0: nothing posts
    assert outgoing is None
    item_id = next(iter(store.items._existing_ids(source.feed_id, ["k1"]).values()))
    store.items.set_brief(item_id, '{"lead": "x"}', "x")
    stored = store.items.get(item_id)
    assert stored is not None and stored.brief_json == '{"lead": "x"}'
    assert stored.first_seen_at == NOW and stored.published_at == NOW - timedelta(hours=2)
    assert store.items.get(10**12) is None
    store.stories.set_fingerprint(item_id, "abc")
    (candidate,) = [
        c for c in store.stories.candidates(1, 10**9, NOW - timedelta(days=1)) if c.item_id == 1
    ] or [None]
    assert candidate is None  # skipped at first sight: never a story candidate


def test_stories_are_edited_once_their_first_post_is_sent(store: Storage) -> None:
    store.subscribe(sub(n=1), [], route=posted, now=NOW)
    store.subscribe(sub(n=2, name="Other"), [], route=posted, now=NOW)
    store.items.store(1, news("a", 1), now=NOW, route=posted)
    store.items.store(2, news("b", 1), now=NOW, route=posted)
    first, second = store.deliveries.due(NOW)
    story = store.stories.merge(second.delivery.id, first.delivery.id, 1, NOW)
    assert store.stories.needing_edit() == []  # the first post is not sent yet
    store.deliveries.mark_sent(first.delivery.id, SNOWFLAKE, NOW)
    (edit,) = store.stories.needing_edit()
    assert (edit.story_id, edit.message_id) == (story, SNOWFLAKE)
    assert edit.outgoing.delivery.id == first.delivery.id
    assert [c.source_name for c in store.stories.coverage(first.delivery.id)] == ["Other"]
    store.stories.edited(story)
    assert store.stories.needing_edit() == []
    assert store.stories.merge(second.delivery.id, first.delivery.id, 1, NOW) == story


def test_digest_schedules_and_candidates(store: Storage) -> None:
    assert store.digests.get(1) is None
    schedule = store.digests.set(
        1, channel_id=SNOWFLAKE, time="08:00", frequency="daily", timezone="UTC", now=NOW
    )
    assert schedule.last_sent_at == NOW and schedule.channel_id == SNOWFLAKE
    later = NOW + timedelta(hours=1)
    again = store.digests.set(
        1, channel_id=11, time="09:30", frequency="weekly", timezone="UTC", now=later
    )
    assert (again.time, again.last_sent_at) == ("09:30", NOW)  # the last digest is kept
    assert [s.guild_id for s in store.digests.all()] == [1]
    store.subscribe(sub(n=1), [], route=posted, now=NOW)
    store.subscribe(sub(n=2, name="Other"), [], route=posted, now=NOW)
    store.items.store(1, news("a", 2), now=NOW, route=posted)
    store.items.store(2, news("b", 1), now=NOW, route=posted)
    a0, a1, b0 = store.deliveries.due(NOW)
    store.stories.merge(b0.delivery.id, a0.delivery.id, 1, NOW)
    since, until = NOW - timedelta(hours=1), NOW + timedelta(hours=1)
    found = store.digests.candidates(1, since, until)
    assert sorted((c.title, c.sources) for c in found) == [("a story 0", 2), ("a story 1", 1)]
    keys = [c.story_key for c in found]
    store.digests.record_sent(1, keys[:1], later)
    store.digests.record_sent(1, keys[:1], later)  # twice is once
    assert [c.story_key for c in store.digests.candidates(1, since, until)] == keys[1:]
    assert store.digests.get(1).last_sent_at == later  # type: ignore[union-attr]
    assert store.digests.delete(1) is True and store.digests.delete(1) is False
    assert store.digests.candidates(2, since, until) == []
    assert a1.delivery.id != b0.delivery.id


def test_a_story_posted_in_two_channels_is_one_digest_line(store: Storage) -> None:
    wire, _ = store.subscribe(sub(n=1, channel=10), [], route=posted, now=NOW)
    store.subscribe(sub(n=1, channel=11), [], route=posted, now=NOW)  # the same feed
    other, _ = store.subscribe(sub(n=2, channel=10, name="Other"), [], route=posted, now=NOW)
    store.items.store(wire.feed_id, news("a", 1), now=NOW, route=posted)
    store.items.store(other.feed_id, news("b", 1), now=NOW, route=posted)
    due = {(o.delivery.channel_id, o.item.title): o.delivery.id for o in store.deliveries.due(NOW)}
    assert len(due) == 3
    store.stories.merge(due[(10, "b story 0")], due[(10, "a story 0")], 1, NOW)
    since, until = NOW - timedelta(hours=1), NOW + timedelta(hours=1)
    (line,) = store.digests.candidates(1, since, until)
    # Two feeds covered it, whichever channels it went to; both posts' keys are kept.
    assert (line.title, line.sources, len(line.keys)) == ("a story 0", 2, 2)
    store.digests.record_sent(1, list(line.keys), NOW)
    assert store.digests.candidates(1, since, until) == []


def test_follows_and_the_dm_outbox(store: Storage) -> None:
    # Matching new items is search (still SQLite only); the outbox is not: its rows are
    # written here as match_new writes them.
    every = timedelta(minutes=10)
    store.subscribe(sub(guild=SNOWFLAKE), [], route=posted, now=NOW)
    store.items.store(1, news("f", 3), now=NOW, route=posted)
    member = SNOWFLAKE + 7
    store.follows.add(SNOWFLAKE, member, "f", limit=2, now=NOW)
    store.follows.add(SNOWFLAKE, member, "story", limit=2, now=NOW)
    assert [f.keywords for f in store.follows.of_member(SNOWFLAKE, member)] == ["f", "story"]
    for item_id in (1, 2, 3):
        store.db.execute(
            "INSERT INTO follow_notifications (guild_id, user_id, item_id, keywords, state, "
            "created_at) VALUES (?, ?, ?, 'f', 'pending', ?)",
            [SNOWFLAKE, member, item_id, "2026-11-24T09:00:00.000000Z"],
        )
    assert store.follows.waiting(SNOWFLAKE, member) == 3
    (batch,) = store.follows.claim_batches(NOW, every=every)
    assert (batch.guild_id, batch.user_id, batch.ids) == (SNOWFLAKE, member, [1, 2, 3])
    assert [m.source_name for m in batch.matches] == ["Feed 1"] * 3
    assert store.follows.claim_batches(NOW, every=every)[0].ids == batch.ids  # a crash: again
    store.follows.mark_sent(batch, NOW)
    assert store.follows.waiting(SNOWFLAKE, member) == 0
    store.db.execute(
        "INSERT INTO follow_notifications (guild_id, user_id, item_id, keywords, state, "
        "created_at) VALUES (?, ?, 1, 'story', 'pending', ?)",
        [SNOWFLAKE, member + 1, "2026-11-24T09:00:00.000000Z"],
    )
    (other,) = store.follows.claim_batches(NOW + every, every=every)
    store.follows.mark_dms_closed(other, NOW)
    assert store.follows.take_dm_note(SNOWFLAKE, member + 1) == NOW
    assert store.follows.take_dm_note(SNOWFLAKE, member + 1) is None
    store.follows.remove(SNOWFLAKE, member, "story")  # nothing waits for it: no search
    assert [f.keywords for f in store.follows.of_member(SNOWFLAKE, member)] == ["f"]
    assert store.follows.cursor() == 0
