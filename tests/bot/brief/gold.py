"""Reading and scoring the gold set (tests/data/gold)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bot.brief.entities import names_in
from bot.brief.rank import terms
from bot.brief.when import DateRange, find_dates

GOLD = Path(__file__).resolve().parents[2] / "data" / "gold"


@dataclass(frozen=True)
class GoldArticle:
    name: str
    title: str
    source: str
    published: datetime
    text: str
    who: list[str]
    what: str
    when: DateRange | None
    where: list[str]
    mismatch: bool
    intro: str


def _range(value: str) -> DateRange | None:
    if value == "none":
        return None
    start, _, end = value.partition("..")
    return DateRange(date.fromisoformat(start), date.fromisoformat(end or start))


def _list(value: str) -> list[str]:
    return [v.strip() for v in value.split("|") if v.strip()]


def load() -> list[GoldArticle]:
    articles = []
    for path in sorted(GOLD.glob("*.txt")):
        head, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
        fields = {}
        for line in head.splitlines():
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip()
        articles.append(
            GoldArticle(
                name=path.stem,
                title=fields["title"],
                source=fields["source"],
                published=datetime.fromisoformat(fields["published"]),
                text=body.strip(),
                who=_list(fields["who"]),
                what=fields["what"],
                when=_range(fields["when"]),
                where=_list(fields["where"]),
                mismatch=fields["mismatch"] == "yes",
                intro=fields["intro"],
            )
        )
    return articles


def _norm(name: str) -> str:
    name = name.lower().replace("’", "'")
    name = re.sub(r"^the |'s$|\b(?:inc|corp|ltd|llc|plc)\.?$", "", name)
    return " ".join(name.split())


def _same(a: str, b: str) -> bool:
    """Names match when equal, or when one is the other with words added at either end
    ("Northwind" / "Northwind Systems", "Judge Carla Mendes" / "Carla Mendes")."""
    x, y = _norm(a), _norm(b)
    if x == y:
        return True
    short, long = sorted((x, y), key=len)
    return bool(short) and f" {short} " in f" {long} "


def detail_names(line: str | None) -> list[str]:
    """The names a Who or Where line gives (roles in parentheses left out)."""
    if not line:
        return []
    line = re.sub(r"\([^)]*\)", "", line)
    return names_in(line)


def set_f1(predicted: list[str], expected: list[str]) -> float:
    """Entity-set F1; both empty is a perfect 1."""
    if not predicted and not expected:
        return 1.0
    if not predicted or not expected:
        return 0.0
    tp_p = sum(1 for p in predicted if any(_same(p, e) for e in expected))
    tp_e = sum(1 for e in expected if any(_same(p, e) for p in predicted))
    precision, recall = tp_p / len(predicted), tp_e / len(expected)
    return 0.0 if not precision + recall else 2 * precision * recall / (precision + recall)


def when_range(line: str | None, published: date) -> DateRange | None:
    """The date a When line states: the resolved one in parentheses when given."""
    if not line:
        return None
    mentions = [m for m in find_dates(line, published) if m.range is not None]
    return mentions[-1].range if mentions else None


def overlap(predicted: str | None, expected: str) -> float:
    """Unigram F1 of content-word stems (the What line against the expected one)."""
    if not predicted:
        return 0.0
    p, e = terms(predicted), terms(expected)
    common = sum(min(p.count(t), e.count(t)) for t in set(p))
    if not common:
        return 0.0
    precision, recall = common / len(p), common / len(e)
    return 2 * precision * recall / (precision + recall)
