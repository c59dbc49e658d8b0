from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.pipeline.route import matching_keyword, pings, route
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


def test_regex_filters_say_which_rule_filtered() -> None:
    source = replace(SOURCE, include_regex=r"\bGPU|TPU\b", exclude_regex=r"rumou?r")
    assert route(news("New GPU ships"), source) == ("pending", None)
    assert route(news("New CPU ships"), source) == (
        "filtered",
        "does not match the include pattern",
    )
    assert route(news("GPU rumour mill"), source) == ("filtered", "matches the exclude pattern")


def test_a_catastrophic_pattern_runs_in_linear_time() -> None:
    # (a+)+$ on "aaaa...b" takes exponential time in a backtracking engine (Python's re
    # would not finish before the test timeout); RE2 answers at once.
    source = replace(SOURCE, include_regex=r"(a+)+$")
    assert route(news("a" * 100_000 + "b"), source)[0] == "filtered"


def test_a_role_is_pinged_only_on_a_ping_keyword() -> None:
    source = replace(SOURCE, ping_role_id=42, ping_keywords="outage, security")
    assert pings("Major outage at the exchange", source) == 42
    assert pings("Quarterly results", source) is None
    assert pings("outage", replace(source, ping_role_id=None)) is None
