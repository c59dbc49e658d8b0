"""The gold set: per-field accuracy of the embedded summarizer, ROUGE of its Introduction
next to Lead-3, and grounding. Prints the table; fails below the recorded levels."""

from __future__ import annotations

import statistics

import pytest
from rouge_score import rouge_scorer

from bot.brief.embedded import Article, summarize
from bot.brief.grounding import Grounding
from bot.brief.rank import lead
from bot.brief.sentences import paragraphs, split
from tests.bot.brief.gold import GoldArticle, detail_names, load, overlap, set_f1, when_range

# Levels measured when the gold set was recorded; a change that scores lower fails.
RECORDED = {
    "who_f1": 0.94,
    "where_f1": 0.81,
    "when_match": 1.0,
    "what_overlap": 0.62,
    "mismatch_accuracy": 1.0,
}
ROUGE = ("rouge1", "rouge2", "rougeL")


@pytest.fixture(scope="module")
def gold() -> list[GoldArticle]:
    articles = load()
    assert len(articles) >= 30
    return articles


def _article(g: GoldArticle) -> Article:
    return Article(title=g.title, text=g.text, published=g.published, source=g.source)


def test_gold_set_scores(gold: list[GoldArticle]) -> None:
    scorer = rouge_scorer.RougeScorer(list(ROUGE), use_stemmer=True)
    fields: dict[str, list[float]] = {k: [] for k in RECORDED}
    intro_scores: dict[str, list[float]] = {k: [] for k in ROUGE}
    lead_scores: dict[str, list[float]] = {k: [] for k in ROUGE}
    for g in gold:
        brief = summarize(_article(g))
        details = brief.key_details
        fields["who_f1"].append(set_f1(detail_names(details.who), g.who))
        fields["where_f1"].append(set_f1(detail_names(details.where), g.where))
        fields["when_match"].append(float(when_range(details.when, g.published.date()) == g.when))
        fields["what_overlap"].append(overlap(details.what, g.what))
        fields["mismatch_accuracy"].append(float(brief.title_mismatch == g.mismatch))
        baseline = lead(split(paragraphs(g.text)), 3)
        for key in ROUGE:
            intro_scores[key].append(scorer.score(g.intro, brief.introduction)[key].fmeasure)
            lead_scores[key].append(scorer.score(g.intro, baseline)[key].fmeasure)
    means = {k: statistics.fmean(v) for k, v in fields.items()}
    print(f"\nGold set: {len(gold)} articles")
    print(f"{'field':<20}{'score':>8}{'recorded':>10}")
    for key, value in means.items():
        print(f"{key:<20}{value:>8.3f}{RECORDED[key]:>10.2f}")
    print(f"{'ROUGE F1':<20}{'brief':>8}{'Lead-3':>10}")
    for key in ROUGE:
        print(
            f"{key:<20}{statistics.fmean(intro_scores[key]):>8.3f}"
            f"{statistics.fmean(lead_scores[key]):>10.3f}"
        )
    for key in ROUGE:
        assert statistics.fmean(intro_scores[key]) >= statistics.fmean(lead_scores[key]), key
    for key, value in means.items():
        assert value >= RECORDED[key], f"{key} fell to {value:.3f} (recorded {RECORDED[key]})"


def test_no_ungrounded_names_places_or_dates(gold: list[GoldArticle]) -> None:
    problems = []
    for g in gold:
        brief = summarize(_article(g))
        check = Grounding(f"{g.title}\n{g.text}", g.published.date())
        lines = [brief.introduction, *(v for _, v in brief.key_details.lines())]
        lines += brief.why_it_matters + ([brief.takeaway] if brief.takeaway else [])
        for line in lines:
            problems += [(g.name, bad) for bad in check.ungrounded(line)]
    print(f"\nungrounded names, places and dates over the gold set: {len(problems)}")
    assert problems == []
