"""The grounding check: every name, place and date a brief states must be in the source.

A name is grounded when the source contains it (case and spacing aside). A date is grounded
when the source contains it as written, or when it is what one of the source's own date
phrases resolves to ("Tuesday" -> 11 March 2025) or contains such a date. Lines that fail are
dropped by the caller; nothing is ever replaced by a guess."""

from __future__ import annotations

import re
from datetime import date

from bot.brief.entities import names_in
from bot.brief.when import DateRange, find_dates

_FOLD = re.compile(r"[\s\u00a0]+")


def fold(text: str) -> str:
    return _FOLD.sub(" ", text.replace("’", "'").replace("–", "-")).strip().lower()


class Grounding:
    """Checks text against one source text (built once per article)."""

    def __init__(self, source: str, published: date | None) -> None:
        self._source = fold(source)
        self._published = published
        self._ranges = [m.range for m in find_dates(source, published) if m.range is not None]

    def ungrounded(self, text: str) -> list[str]:
        """The names and dates of `text` that the source does not back."""
        problems = [name for name in names_in(text) if not self._has_name(name)]
        for mention in find_dates(text, self._published):
            if fold(mention.text) in self._source:
                continue
            if mention.range is not None and self._date_backed(mention.range):
                continue
            problems.append(mention.text)
        return problems

    def grounded(self, text: str) -> bool:
        return not self.ungrounded(text)

    def _has_name(self, name: str) -> bool:
        parts = re.split(r" (?:of|de|&) ", name)
        if len(parts) > 1 and self._has_one(name) is False:
            return all(self._has_one(part) for part in parts)
        return self._has_one(name)

    def _has_one(self, name: str) -> bool:
        folded = fold(name)
        if folded in self._source:
            return True
        # "Northwind Systems'": possessive forms and "U.S."-style dots aside.
        return fold(name.rstrip("'’.").replace(".", "")) in self._source.replace(".", "")

    def _date_backed(self, r: DateRange) -> bool:
        return any(r in s or s in r for s in self._ranges)
