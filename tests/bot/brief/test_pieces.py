"""Pure tests of the brief's parts: sentences, dates, labelled details, grounding, mismatch."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.brief.embedded import Article, summarize, title_mismatch
from bot.brief.entities import extract
from bot.brief.grounding import Grounding
from bot.brief.labelled import split_labelled
from bot.brief.model import Brief, KeyDetails, llm_schema
from bot.brief.sentences import paragraphs, split
from bot.brief.when import find_dates, format_range, when_line

WED = date(2025, 3, 12)  # a Wednesday


def test_abbreviations_do_not_split_sentences() -> None:
    text = "Dr. Jane Smith of Acme Corp. said the U.S. unit grew 4.5% last year. Shares rose."
    assert [s.text for s in split(paragraphs(text))] == [
        "Dr. Jane Smith of Acme Corp. said the U.S. unit grew 4.5% last year.",
        "Shares rose.",
    ]


def test_boilerplate_is_dropped() -> None:
    text = (
        "Acme bought Bolt on Tuesday.\n\nShare this article\n\n"
        "Sign up for our newsletter to get updates in your inbox.\n\n"
        "The post Acme buys Bolt appeared first on Byte Harbor.\n\n"
        "Leave a reply\n\nFrequently asked questions\n\nWhat is Acme? A company."
    )
    assert paragraphs(text) == ["Acme bought Bolt on Tuesday."]


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("said on Tuesday", "2025-03-11"),
        ("on Wednesday", "2025-03-12"),
        ("last week", "2025-03-03..2025-03-09"),
        ("this week", "2025-03-10..2025-03-16"),
        ("next month", "2025-04-01..2025-04-30"),
        ("earlier this month", "2025-03-01..2025-03-12"),
        ("yesterday", "2025-03-11"),
        ("over the weekend", "2025-03-08..2025-03-09"),
        ("the vote will be held on Friday", "2025-03-14"),
        ("on March 4", "2025-03-04"),
        ("on 4 March 2024", "2024-03-04"),
        ("in the third quarter of 2026", "2026-07-01..2026-09-30"),
        ("by 2029", "2029-01-01..2029-12-31"),
        ("in December", "2025-12-01..2025-12-31"),
        ("in January", "2025-01-01..2025-01-31"),
    ],
)
def test_dates_resolve_against_the_published_date(phrase: str, expected: str) -> None:
    (mention,) = find_dates(phrase, WED)
    assert mention.range is not None and mention.range.iso() == expected


def test_relative_dates_without_a_published_date_are_not_guessed() -> None:
    (mention,) = find_dates("last week", None)
    assert mention.range is None
    assert when_line(mention) == "Last week"


def test_when_line_shows_the_words_and_the_resolution() -> None:
    (mention,) = find_dates("last week", WED)
    assert when_line(mention) == "Last week (3–9 March 2025)"
    assert format_range(mention.range) == "3–9 March 2025"  # type: ignore[arg-type]


def test_labelled_details_are_taken_as_they_are() -> None:
    text = (
        "Intro sentence about Greenmesh.\n\n**Who:** Greenmesh\nWhat: A battery site\n"
        "When: Tuesday\nWhere: Amsterdam\n\nMore text."
    )
    details, rest = split_labelled(text)
    assert details == {
        "who": "Greenmesh",
        "what": "A battery site",
        "when": "Tuesday",
        "where": "Amsterdam",
    }
    assert "Who:" not in rest and "More text." in rest
    brief = summarize(Article("Greenmesh opens site", text, datetime(2025, 3, 12, tzinfo=UTC)))
    assert brief.method == "labelled"
    assert brief.key_details.where == "Amsterdam"


def test_one_label_is_not_a_labelled_article() -> None:
    assert split_labelled("Why: because.\nOther text.")[0] == {}


def test_grounding_flags_invented_names_places_and_dates() -> None:
    check = Grounding("Acme Corp said on Tuesday it would buy Bolt Labs in Austin.", WED)
    assert check.ungrounded("Acme Corp will buy Bolt Labs in Austin (11 March 2025).") == []
    assert check.ungrounded("Jane Smith said Acme will buy Bolt in Dallas on 20 March 2025.") == [
        "Jane Smith",
        "Dallas",
        "20 March 2025",
    ]


def test_entities_find_people_with_roles_orgs_and_places() -> None:
    text = (
        "Northwind Systems said on Tuesday it would buy Coldfront, which is based in Austin. "
        '"We are pleased," said Priya Raman, chief executive of Northwind Systems.'
    )
    found = {e.name: e for e in extract(split(paragraphs(text)))}
    assert found["Northwind Systems"].kind == "org"
    assert found["Austin"].kind == "place"
    assert found["Priya Raman"].kind == "person"
    assert found["Priya Raman"].role == "chief executive of Northwind Systems"


def test_a_detail_the_article_does_not_give_is_left_out() -> None:
    brief = summarize(
        Article("Acme ships a new router", "Acme shipped a new router for small offices.", None)
    )
    assert brief.key_details.when is None and brief.key_details.where is None


def test_title_mismatch() -> None:
    body = (
        "Pinecrest said on Wednesday that it had pushed back the launch of its smart glasses "
        "to next year because its supplier cannot make enough of the tiny displays. The "
        "glasses were due to go on sale before the holidays."
    )
    assert title_mismatch("Pinecrest unveils foldable tablet with week-long battery", body)
    assert not title_mismatch("Pinecrest delays its smart glasses to next year", body)


def test_empty_and_hostile_input_give_a_brief() -> None:
    assert summarize(Article("", "", None)).introduction == ""
    brief = summarize(Article("Only a title here", "", None))
    assert brief.introduction == "Only a title here"
    summarize(Article("x", "<<<>>> ** @everyone " * 500, None))


def test_model_round_trip_and_schema() -> None:
    brief = Brief(
        introduction="Intro.",
        key_details=KeyDetails(who="Acme", when=None),
        why_it_matters=["a", "b"],
        takeaway="t",
    )
    assert Brief.model_validate_json(brief.model_dump_json()) == brief
    assert set(brief.public()) == {"introduction", "key_details", "why_it_matters", "takeaway"}
    schema = llm_schema()
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == set(schema["properties"])
