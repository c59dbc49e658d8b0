"""Publication dates found in a dateline ("Posted Dec 23, 2012 5:03 PM") or in a URL."""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"

_TEXT_PATTERNS = [
    re.compile(rf"\b{_YEAR}-(?P<m>\d\d)-(?P<d>\d\d)\b"),
    re.compile(rf"\b{_MONTH}\s+{_DAY}\s*(?:,|-)?\s*{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(r"\b(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>(?:19|20)?\d\d)\b"),
]
_URL_PATTERNS = [
    re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)[/-](?P<m>[01]\d)[/-](?P<d>[0-3]\d)(?!\d)"),
    re.compile(rf"/{_YEAR}/{_MONTH}/{_DAY}/", re.IGNORECASE),
    re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)"),
]


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _from_match(match: re.Match[str]) -> date | None:
    groups = match.groupdict()
    if groups.get("a") is not None:
        first, second = int(groups["a"]), int(groups["b"])
        year = int(groups["y"])
        year += 2000 if year < 100 else 0
        # US order (month/day) unless the first number cannot be a month.
        month, day = (second, first) if first > 12 else (first, second)
        return _make(year, month, day)
    month_text = groups.get("month")
    month = MONTHS[month_text.lower()] if month_text else int(groups["m"])
    day = int(groups.get("day") or groups["d"])
    return _make(int(groups["year"]), month, day)


def find_date(text: str) -> date | None:
    """The first calendar date written in ``text``, or None."""
    found: list[tuple[int, date]] = []
    for pattern in _TEXT_PATTERNS:
        for match in pattern.finditer(text):
            parsed = _from_match(match)
            if parsed is not None:
                found.append((match.start(), parsed))
                break
    return min(found)[1] if found else None


def url_date(url: str) -> date | None:
    """A date embedded in a URL path (``/2013/05/03/``, ``/2013/may/03/``, ``20070503``)."""
    for pattern in _URL_PATTERNS:
        for match in pattern.finditer(url):
            parsed = _from_match(match)
            if parsed is not None and 1990 <= parsed.year <= 2030:
                return parsed
    return None
