"""The article clean-up (bot/brief/cleanup.py): each class of page furniture in the fixture
is removed, and real sentences survive."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.brief.cleanup import clean, is_clutter, line_class, strip_dateline

FIXTURE = Path(__file__).parent / "fixtures" / "boilerplate.txt"


def _lines() -> list[tuple[str, str]]:
    rows = []
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            kind, _, text = line.partition("\t")
            rows.append((kind, text))
    return rows


FURNITURE = [(k, t) for k, t in _lines() if k != "sentence"]
SENTENCES = [t for k, t in _lines() if k == "sentence"]


def test_fixture_covers_every_class() -> None:
    kinds = {k for k, _ in FURNITURE}
    assert kinds >= {"byline", "credit", "caption", "prompt", "comments", "player"}
    assert kinds >= {"read_more", "timestamp", "author_bio"}


@pytest.mark.parametrize(("kind", "line"), FURNITURE)
def test_furniture_line_is_removed(kind: str, line: str) -> None:
    assert is_clutter(line), f"{kind}: {line}"
    story = "Police arrested two men after the robbery on Main Street, officials said."
    assert clean(f"{story}\n\n{line}\n\n{story}").text == f"{story}\n\n{story}"


@pytest.mark.parametrize("line", SENTENCES)
def test_real_sentence_survives(line: str) -> None:
    assert line_class(line) is None
    assert line in clean(f"{line}\n\nAnother paragraph of the story follows here.").text


@pytest.mark.parametrize(
    ("paragraph", "place", "rest"),
    [
        ("LONDON (Reuters) - Shares fell on Monday.", "London", "Shares fell on Monday."),
        ("(CNN) -- A storm hit the coast.", None, "A storm hit the coast."),
        ("MARKSVILLE, La. (AP) - A man was shot.", "Marksville, La.", "A man was shot."),
        ("SAN ANTONIO - A 15-year-old boy was shot.", "San Antonio", "A 15-year-old boy was shot."),
        (
            "BRADENTON, FL — Deputies are investigating.",
            "Bradenton, FL",
            "Deputies are investigating.",
        ),
    ],
)
def test_dateline_is_dropped_and_its_place_kept(
    paragraph: str, place: str | None, rest: str
) -> None:
    assert strip_dateline(paragraph) == (rest, place)


def test_not_a_dateline() -> None:
    for paragraph in ("It was chaos - and then silence.", "Mid-year results - a preview."):
        assert strip_dateline(paragraph) == (paragraph, None)


def test_dateline_place_is_reported() -> None:
    cleaned = clean("LONDON (Reuters) - Shares fell on Monday.\n\nTraders were calm.")
    assert cleaned.dateline_place == "London"
    assert cleaned.text.startswith("Shares fell")


def test_headings_dropped_among_paragraphs_but_a_lone_line_kept() -> None:
    text = "Storm hits coast\n\nA storm hit the coast on Monday.\n\nEarly Years\n\nIt rained."
    assert clean(text).text == "A storm hit the coast on Monday.\n\nIt rained."
    assert clean("Storm hits coast").text == "Storm hits coast"


def test_inline_player_text_is_cut_and_the_sentence_kept() -> None:
    text = "CLOSE Skip in Skip x Embed x Share Witness Trina Taylor recounts the shooting."
    assert clean(text).text == "Witness Trina Taylor recounts the shooting."


def test_hard_wrapped_paragraph_stays_whole() -> None:
    text = "The council voted on Tuesday to close\nthe library, officials said."
    assert clean(text).text == "The council voted on Tuesday to close the library, officials said."


def test_caption_and_credit_before_a_dateline_are_cut() -> None:
    text = (
        "Destin Burks, 17, was arrested and charged after prosecutors said he shot a man. "
        "View Full Caption Shutterstock STAPLETON — A teen was arrested Friday for shooting "
        "a man during a robbery, prosecutors said."
    )
    cleaned = clean(text)
    assert (
        cleaned.text
        == "A teen was arrested Friday for shooting a man during a robbery, prosecutors said."
    )
    assert cleaned.dateline_place == "Stapleton"


def test_the_cut_tail_of_a_caption_opening_the_page_is_dropped() -> None:
    story = "A storm caused a crane to fall into Mecca's Grand Mosque on Friday."
    text = f"pilgrims at Mecca's Grand Mosque in 2008.\n{story}\n\nThe mosque was busy."
    assert clean(text).text.startswith(story)
    # a lower-case opening that is a whole paragraph of the story stays
    assert clean(f"iPhone sales rose by a third.\n{story}").text.startswith("iPhone")
