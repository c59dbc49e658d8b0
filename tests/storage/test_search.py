"""Search over the archive: quality on a fixture archive, safety of any user text, guild
isolation, filters, windowing and snippets."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.pipeline.route import route
from storage import Storage
from storage import search as search_module
from storage.items import index_items
from storage.models import NewItem
from storage.search import MARK_END, MARK_START, StoryLine, match_expression, query_words
from storage.storage import Subscription
from storage.timeutil import to_db
from tests.models import make_new_item
from tests.storage.search_archive import QUERIES, TARGETS, archive

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
GUILD_A, GUILD_B = 1, 2
HOUR = timedelta(hours=1)

ADVERSARIAL = [
    '"',
    '""',
    '"unbalanced',
    "*",
    "**",
    "-",
    "--",
    "-cable",
    "NEAR",
    "NEAR(red sea)",
    "red NEAR sea",
    "AND",
    "OR",
    "NOT",
    "red AND",
    "OR sea",
    "AND OR NOT NEAR",
    "(",
    ")",
    "((red",
    "sea))",
    "title:red",
    "{title}: red",
    "^red",
    "red*",
    "*red",
    "🚀",
    "🚀 rocket 🔥",
    "👨‍👩‍👧‍👦",
    "東京",
    "中国 芯片",
    "Москва санкции",
    "हिन्दी समाचार",
    "العربية",
    "ñandú café",
    "\x00",
    "\u200b",
    "a" * 500,
    "'; DROP TABLE items; --",
    "%_\\",
    " ",
]


def subscription(guild: int, url: str, name: str, backfill: int = 0) -> Subscription:
    return Subscription(
        guild_id=guild,
        channel_id=10 + guild,
        url=url,
        name=name,
        feed_title=name,
        site_url=None,
        interval_seconds=900,
        first_due_at=NOW,
        backfill=backfill,
    )


def build(path: Path) -> tuple[Storage, dict[str, int]]:
    """Guild A follows three wires holding the fixture archive (their back catalogue:
    searchable, never posted); guild B follows its own feed whose items would match every
    query too, all of them posted (backfilled)."""
    store = Storage(path)
    feeds, targets = archive(NOW)
    for name, items in feeds.items():
        url = f"https://{name.replace(' ', '').lower()}.example/feed"
        store.subscribe(subscription(GUILD_A, url, name), items, route=route, now=NOW)
    rivals = [
        make_new_item(
            f"b:{n}",
            title=f"Guild B exclusive: {query} {query}",
            url=f"https://b.example/{n}",
            summary=f"Everything about {query}.",
            published_at=NOW - timedelta(hours=1),
        )
        for n, (query, _) in enumerate(QUERIES)
    ]
    store.subscribe(
        subscription(GUILD_B, "https://b.example/feed", "B Wire", backfill=len(rivals)),
        rivals,
        route=route,
        now=NOW,
    )
    ids = {
        key: store.db.execute("SELECT id FROM items WHERE key = ?", [item_key]).fetchone()[0]
        for key, item_key in targets.items()
    }
    return store, ids


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Storage, dict[str, int]]]:
    store, ids = build(tmp_path_factory.mktemp("search") / "archive.db")
    yield store, ids
    store.close()


def test_the_archive_is_big_enough(built: tuple[Storage, dict[str, int]]) -> None:
    store, _ = built
    count = store.db.execute(
        "SELECT COUNT(*) FROM items i JOIN sources s ON s.feed_id = i.feed_id WHERE s.guild_id = ?",
        [GUILD_A],
    ).fetchone()[0]
    assert count >= 300
    assert len(QUERIES) == 20 and len(TARGETS) >= 20


def test_relevant_story_is_in_the_top_three_for_at_least_18_of_20_queries(
    built: tuple[Storage, dict[str, int]],
) -> None:
    store, ids = built
    found = []
    for query, key in QUERIES:
        hits = store.search.search(GUILD_A, query, now=NOW, limit=3)
        rank = next((n for n, hit in enumerate(hits, 1) if hit.item_id == ids[key]), None)
        found.append((query, rank))
    in_top3 = sum(rank is not None for _, rank in found)
    first = sum(rank == 1 for _, rank in found)
    print(f"\nsearch quality: {in_top3}/20 in the top 3, {first}/20 first")
    for query, rank in found:
        print(f"  {query!r}: rank {rank}")
    assert in_top3 >= 18


def test_prefix_on_the_last_word_finds_hyphenated_words(
    built: tuple[Storage, dict[str, int]],
) -> None:
    store, ids = built
    hits = store.search.search(GUILD_A, "open-weig", now=NOW)
    assert hits and hits[0].item_id == ids["mistral-open-weights"]
    assert match_expression("open-weig") == '"open-weig"*'
    hits = store.search.search(GUILD_A, "crowdstrike boot lo", now=NOW)
    assert hits and hits[0].item_id == ids["crowdstrike-outage"]


def test_words_are_quoted_never_parsed() -> None:
    # "OR" is a function word, left out of an AND; quotes inside a word are doubled.
    assert match_expression('a" OR title:*') == '"a""" AND "title:*"*'
    assert match_expression("red NEAR sea") == '"red" AND "NEAR" AND "sea"*'
    assert match_expression("🚀 ) (") is None
    assert match_expression("the cable", prefix_last=False) == '"cable"'
    assert match_expression("the an", prefix_last=False) == '"the" AND "an"'
    assert match_expression("a b", any_word=True) == '"a" OR "b"'
    assert query_words("x " * 50) == ["x"] * search_module.MAX_WORDS


@pytest.mark.parametrize("query", ADVERSARIAL)
def test_adversarial_queries_never_raise(built: tuple[Storage, dict[str, int]], query: str) -> None:
    store, _ = built
    hits = store.search.search(GUILD_A, query, now=NOW, days=30)
    hits += store.search.search(GUILD_A, query, now=NOW)
    assert all(hit.item_id > 0 for hit in hits)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=120))
def test_any_text_is_a_safe_query(built: tuple[Storage, dict[str, int]], text: str) -> None:
    store, _ = built
    hits = store.search.search(GUILD_B, text, now=NOW)
    assert all(hit.title.startswith("Guild B") for hit in hits)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    words=st.lists(
        st.sampled_from(['"', "*", "-", "NEAR", "AND", "OR", "NOT", "(", ")", ":", "^", "red",
                         "sea", "cable", "🚀", "東京", "{", "}", "+"]),
        max_size=8,
    ),
    glue=st.sampled_from(["", " "]),
)  # fmt: skip
def test_operator_soup_is_a_safe_query(
    built: tuple[Storage, dict[str, int]], words: list[str], glue: str
) -> None:
    store, _ = built
    store.search.search(GUILD_A, glue.join(words), now=NOW, days=7)


def test_guild_b_never_sees_guild_a_items(built: tuple[Storage, dict[str, int]]) -> None:
    store, ids = built
    a_items = set(ids.values())
    for query, _ in QUERIES:
        hits = store.search.search(GUILD_B, query, now=NOW, limit=50)
        assert hits, query
        assert all(hit.title.startswith("Guild B") for hit in hits)
        assert not a_items & {hit.item_id for hit in hits}
        assert all(hit.source_name == "B Wire" for hit in hits)
    for query, _ in QUERIES:
        hits = store.search.search(GUILD_A, query, now=NOW, limit=50)
        assert not any(hit.title.startswith("Guild B") for hit in hits)
    latest = store.search.latest(GUILD_B, limit=50)
    assert latest and all(line.title.startswith("Guild B") for line in latest)
    period = store.search.period(GUILD_B, NOW - timedelta(days=365))
    assert period and all(line.title.startswith("Guild B") for line in period)
    # A guild with no sources sees nothing at all.
    assert store.search.search(99, "cable", now=NOW) == []
    assert store.search.latest(99) == []


def test_a_feed_filter_of_another_guild_finds_nothing(
    built: tuple[Storage, dict[str, int]],
) -> None:
    store, _ = built
    b_feed = store.db.execute("SELECT feed_id FROM sources WHERE guild_id = ?", [GUILD_B])
    feed_id = b_feed.fetchone()[0]
    assert store.search.search(GUILD_A, "cable", now=NOW, feed_id=feed_id) == []
    assert store.search.latest(GUILD_A, feed_id=feed_id) == []


def test_days_and_source_filters(built: tuple[Storage, dict[str, int]]) -> None:
    store, ids = built
    # The Red Sea story is 40 days old.
    assert ids["red-sea-cables"] not in {
        h.item_id for h in store.search.search(GUILD_A, "red sea cable", now=NOW, days=30)
    }
    hits = store.search.search(GUILD_A, "red sea cable", now=NOW, days=45)
    assert hits[0].item_id == ids["red-sea-cables"]
    for hit in store.search.search(GUILD_A, "data centre", now=NOW, days=10, limit=20):
        assert hit.published >= NOW - timedelta(days=10)
    feed_id, name = next(iter(store.search.feed_names(GUILD_A).items()))
    hits = store.search.search(GUILD_A, "data centre", now=NOW, feed_id=feed_id, limit=20)
    assert hits and all(hit.source_name == name for hit in hits)


def test_snippets_mark_the_matched_words(built: tuple[Storage, dict[str, int]]) -> None:
    store, _ = built
    (hit,) = store.search.search(GUILD_A, "pathology", now=NOW, limit=1)
    assert f"{MARK_START}pathology{MARK_END}" in hit.snippet


def test_no_word_in_common_falls_back_to_any_word(
    built: tuple[Storage, dict[str, int]],
) -> None:
    store, ids = built
    hits = store.search.search(GUILD_A, "robotaxi zeppelin", now=NOW)
    assert hits and hits[0].item_id == ids["robotaxi-austin"]


def test_removed_sources_stay_searchable(tmp_path: Path) -> None:
    store, ids = build(tmp_path / "removed.db")
    try:
        for source_id in [r[0] for r in store.db.execute("SELECT id FROM sources")]:
            store.unsubscribe(GUILD_A if source_id <= 3 else GUILD_B, source_id, NOW)
        hits = store.search.search(GUILD_A, "robotaxi", now=NOW)
        assert hits[0].item_id == ids["robotaxi-austin"]
        assert all(not h.title.startswith("Guild B") for h in hits)
    finally:
        store.close()


def test_windowed_search_agrees_with_a_full_scan(
    built: tuple[Storage, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _ = built
    full = {q: [h.item_id for h in store.search.search(GUILD_A, q, now=NOW)] for q, _ in QUERIES}
    monkeypatch.setattr(search_module, "FIRST_WINDOW", 16)
    monkeypatch.setattr(search_module, "CANDIDATES", 400)  # windows never stop early
    for query, _ in QUERIES:
        assert [h.item_id for h in store.search.search(GUILD_A, query, now=NOW)] == full[query]
    # With few candidates wanted, the newest window that has enough answers alone.
    monkeypatch.setattr(search_module, "CANDIDATES", 3)
    hits = store.search.search(GUILD_A, "data centre", now=NOW)
    assert 0 < len(hits) <= 3


def test_coverage_boosts_a_story_several_sources_carried(tmp_path: Path) -> None:
    store = Storage(tmp_path / "cover.db")
    try:

        def item(key: str, title: str) -> NewItem:
            return make_new_item(key, title=title, published_at=NOW - timedelta(days=1))

        for n in range(3):
            store.subscribe(
                subscription(GUILD_A, f"https://f{n}.example/feed", f"F{n}"),
                [item(f"a{n}", "Chip plant opens"), item(f"b{n}", "Chip plant opens today")],
                route=route,
                now=NOW,
            )
        plain = store.search.search(GUILD_A, "chip plant", now=NOW, limit=6)
        # Cluster the three "today" items into one story (what clustering writes).
        story = store.db.execute(
            "INSERT INTO stories (guild_id, created_at, last_item_at) VALUES (?, 'x', 'x')",
            [GUILD_A],
        ).lastrowid
        store.db.execute(
            "UPDATE deliveries SET story_id = ? WHERE item_id IN "
            "(SELECT id FROM items WHERE title LIKE '%today')",
            [story],
        )
        boosted = store.search.search(GUILD_A, "chip plant", now=NOW, limit=6)
        assert plain[0].title == "Chip plant opens"  # shorter: higher BM25
        assert boosted[0].title == "Chip plant opens today" and boosted[0].coverage == 3
    finally:
        store.close()


def test_latest_is_newest_first_and_ignores_future_dates(tmp_path: Path) -> None:
    store = Storage(tmp_path / "latest.db")
    try:
        items = [
            make_new_item(f"k{n}", title=f"Story {n}", published_at=NOW - timedelta(hours=10 - n))
            for n in range(6)
        ] + [
            make_new_item("future", title="From the future", published_at=NOW + timedelta(days=30)),
            make_new_item("undated", title="Undated"),
        ]
        store.subscribe(subscription(GUILD_A, "https://x.example/f", "X", backfill=len(items)),
                        items, route=route, now=NOW)  # fmt: skip
        titles = [line.title for line in store.search.latest(GUILD_A, limit=4)]
        # Both count as first seen now: a future date does not pin a story to the top.
        assert set(titles[:2]) == {"From the future", "Undated"}
        assert titles[2:] == ["Story 5", "Story 4"]
    finally:
        store.close()


def test_the_last_word_is_a_prefix_unless_the_guild_holds_it_whole(tmp_path: Path) -> None:
    store, ids = build(tmp_path / "typing.db")
    try:
        b_feed = store.db.execute(
            "SELECT feed_id FROM sources WHERE guild_id = ?", [GUILD_B]
        ).fetchone()[0]
        # Only guild B's items hold "robotax" as a whole word; guild A's hold "robotaxi".
        with store.db.conn:
            cursor = store.db.execute(
                "INSERT INTO items (feed_id, key, title, first_seen_at) "
                "VALUES (?, 'k:typing', 'Guild B robotax', ?)",
                [b_feed, to_db(NOW)],
            )
            index_items(store.db, [cursor.lastrowid])
        # For A the word is still being typed: B's items never decide that.
        hits = store.search.search(GUILD_A, "robotax", now=NOW)
        assert hits and hits[0].item_id == ids["robotaxi-austin"]
        # For B the whole word is searched as itself, not as a prefix of "robotaxi".
        titles = [h.title for h in store.search.search(GUILD_B, "robotax", now=NOW, limit=50)]
        assert titles == ["Guild B robotax"]
    finally:
        store.close()


def test_a_small_pool_ranks_the_newest_window_only(
    built: tuple[Storage, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _ = built
    monkeypatch.setattr(search_module, "FIRST_WINDOW", 1)
    monkeypatch.setattr(search_module, "POOL", 1)
    monkeypatch.setattr(search_module, "CANDIDATES", 2)
    newest = store.search.search(GUILD_A, "data centre", now=NOW, limit=50)
    monkeypatch.setattr(search_module, "CANDIDATES", 400)
    assert len(store.search.search(GUILD_A, "data centre", now=NOW, limit=50)) > len(newest) > 0


def test_latest_trending_and_digests_show_only_what_the_guild_was_shown(tmp_path: Path) -> None:
    # #17: /topic latest listed an item the source's `exclude` filtered out, and trending's
    # key phrases came from a new source's back catalogue. Search keeps the whole archive.
    store = Storage(tmp_path / "shown.db")
    try:
        back = [
            make_new_item(f"old{n}", title=f"Archive story {n} of Regional",
                          published_at=NOW - timedelta(hours=30 - n))
            for n in range(1, 4)
        ]  # fmt: skip
        source, _ = store.subscribe(
            dataclasses.replace(
                subscription(GUILD_A, "https://r.example/feed", "Regional"),
                exclude_keywords="rumour",
            ),
            back,
            route=route,
            now=NOW - timedelta(hours=2),
        )
        fresh = [
            make_new_item("new1", title="Budget vote passes", published_at=NOW - HOUR),
            make_new_item("new2", title="Merger rumour denied", published_at=NOW),
        ]
        store.items.store(source.feed_id, fresh, now=NOW, route=route)
        # Another guild follows the same feed and was shown everything (backfilled).
        store.subscribe(
            subscription(GUILD_B, "https://r.example/feed", "Regional", backfill=5),
            [*back, *fresh],
            route=route,
            now=NOW,
        )

        def titles(lines: list[StoryLine]) -> list[str]:
            return [line.title for line in lines]

        assert titles(store.search.latest(GUILD_A, limit=10)) == ["Budget vote passes"]
        week = NOW - timedelta(days=7)
        assert titles(store.search.period(GUILD_A, week)) == ["Budget vote passes"]
        candidates = store.digests.candidates(GUILD_A, week, NOW + timedelta(hours=1))
        assert [c.title for c in candidates] == ["Budget vote passes"]
        assert len(store.search.latest(GUILD_B, limit=10)) == 5
        assert len(store.search.period(GUILD_B, week)) == 5
        # Search covers the whole archive of the guild's sources, by design.
        assert store.search.search(GUILD_A, "archive story", now=NOW)
        assert store.search.search(GUILD_A, "rumour", now=NOW)
    finally:
        store.close()
