from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.pipeline.route import matching_keyword, route
from storage.models import NewItem
from tests.models import make_new_item, make_source

NOW = datetime(2026, 11, 24, tzinfo=UTC)
SOURCE = make_source()


def news(title: str, summary: str = "") -> NewItem:
    return make_new_item(title, summary=summary)


def test_no_filters_posts() -> None:
    assert route(news("Anything"), SOURCE) == ("pending", None)


def test_include_matches_whole_words_case_insensitively_in_title_or_summary() -> None:
    source = replace(SOURCE, include_keywords="AI, open source")
    assert route(news("New ai chip"), source)[0] == "pending"
    assert route(news("Release", "An Open  Source model"), source)[0] == "pending"
    state, reason = route(news("He said so"), source)  # "said" contains "ai"
    assert state == "filtered" and reason and "include" in reason


def test_exclude_wins_and_names_the_keyword() -> None:
    source = replace(SOURCE, include_keywords="chip", exclude_keywords="rumour, sponsored")
    assert route(news("Chip rumour"), source) == (
        "filtered",
        "matches the exclude keyword “rumour”",
    )


def test_digest_sources_never_post() -> None:
    assert route(news("x"), replace(SOURCE, style="digest"))[0] == "digest"


def test_keywords_are_never_regexes() -> None:
    assert matching_keyword("(a+)+$, [x", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!") is None
    assert matching_keyword("c++", "I like C++ a lot") == "c++"
