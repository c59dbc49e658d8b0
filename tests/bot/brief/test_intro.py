"""The Introduction is the lead: 1-3 sentences from the start, 25-70 words, an opener
skipped only for a named reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.brief.embedded import Article, lead_skip_reason, summarize
from bot.brief.sentences import Sentence

LEAD = (
    "Northwind Systems agreed on Tuesday to buy the chip designer Bolt Labs for $2 billion, "
    "the largest deal in its history."
)
SECOND = "The companies said the purchase would close by the end of the year if regulators agree."
BODY = (
    "Bolt Labs makes low-power processors for data centres and employs about 400 people.\n\n"
    "Analysts said the price was high but the fit was good for both companies.\n\n"
    "Shares in Northwind rose 3% in early trading."
)


def _intro(first: str) -> str:
    text = f"{first}\n\n{LEAD} {SECOND}\n\n{BODY}"
    published = datetime(2025, 3, 12, tzinfo=UTC)
    return summarize(Article("Northwind buys Bolt Labs", text, published)).introduction


def test_lead_sentences_open_the_introduction() -> None:
    text = f"{LEAD} {SECOND}\n\n{BODY}"
    intro = summarize(Article("Northwind buys Bolt Labs", text)).introduction
    assert intro.startswith(LEAD)
    assert 25 <= len(intro.split()) <= 70


@pytest.mark.parametrize(
    ("opener", "reason"),
    [
        ("Who would pay $2 billion for a chip designer?", "question"),
        ('"This is the deal of the decade."', "quote"),
        ("I have covered chip deals for twenty years.", "first person"),
        ("It was a grey morning in the valley.", "scene-setting"),
    ],
)
def test_an_opener_is_skipped_only_for_a_named_reason(opener: str, reason: str) -> None:
    assert lead_skip_reason(Sentence(0, 0, opener), set()) == reason
    assert _intro(opener).startswith(LEAD)


def test_a_plain_lead_is_not_skipped() -> None:
    assert lead_skip_reason(Sentence(0, 0, LEAD), {0}) is None
    assert (
        lead_skip_reason(Sentence(0, 0, "A man was shot dead in Tulsa on Sunday."), set()) is None
    )


def test_introduction_stays_within_seventy_words() -> None:
    second = "Northwind said the deal covered " + " and ".join(["chips"] * 30) + "."
    text = f"{LEAD}\n\n{second}\n\n{BODY}"
    intro = summarize(Article("Northwind buys Bolt Labs", text)).introduction
    assert intro == LEAD
