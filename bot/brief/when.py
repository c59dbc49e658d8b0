"""Dates in news text, resolved against the item's published date.

"on Tuesday" is the last Tuesday on or before publication (the next one when the sentence
speaks of the future), "last week" the Monday-to-Sunday week before, "earlier this month"
the first of the month to the publication day. Without a published date, only absolute dates
resolve; a relative phrase is then kept as written, never guessed.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
MONTHS["sept"] = 9
WEEKDAYS = {calendar.day_name[n].lower(): n for n in range(7)}
_MONTH = (
    r"(?P<{g}>January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_DAY = r"(?P<{g}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<{g}>(?:19|20)\d\d)"
_WEEKDAY = r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_FUTURE = re.compile(
    r"\b(?:will|would|is due|are due|is expected|are expected|plans? to|is set to|"
    r"are set to|scheduled|is to|are to|next)\b",
    re.IGNORECASE,
)

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b" + _YEAR.format(g="y") + r"-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b")),
    (
        "day_range_dmy",
        re.compile(
            r"\b"
            + _DAY.format(g="d1")
            + r"\s*[–-]\s*"
            + _DAY.format(g="d2")
            + r" "
            + _MONTH.format(g="m")
            + r",? "
            + _YEAR.format(g="y")
            + r"\b"
        ),
    ),
    (
        "span_dmy",
        re.compile(
            r"\b"
            + _DAY.format(g="d1")
            + r" "
            + _MONTH.format(g="m1")
            + r"(?:,? "
            + _YEAR.format(g="y1")
            + r")? [–-] "
            + _DAY.format(g="d2")
            + r" "
            + _MONTH.format(g="m2")
            + r",? "
            + _YEAR.format(g="y")
            + r"\b"
        ),
    ),
    (
        "mdy",
        re.compile(
            r"\b"
            + _MONTH.format(g="m")
            + r" "
            + _DAY.format(g="d")
            + r"(?!\d)(?:,? "
            + _YEAR.format(g="y")
            + r")?\b"
        ),
    ),
    (
        "dmy",
        re.compile(
            r"\b"
            + _DAY.format(g="d")
            + r" "
            + _MONTH.format(g="m")
            + r"(?:,? "
            + _YEAR.format(g="y")
            + r")?\b"
        ),
    ),
    ("my", re.compile(r"\b" + _MONTH.format(g="m") + r",? " + _YEAR.format(g="y") + r"\b")),
    (
        "quarter",
        re.compile(
            r"\b(?:the )?(?P<q>first|second|third|fourth) quarter(?: of "
            + _YEAR.format(g="y")
            + r")?\b|\bQ(?P<qn>[1-4])(?: "
            + _YEAR.format(g="y2")
            + r")?\b",
            re.IGNORECASE,
        ),
    ),
    (
        "weekend",
        re.compile(r"\b(?:over|during|at) the weekend\b|\b(?P<rel>this|last) weekend\b", re.I),
    ),
    (
        "earlier",
        re.compile(r"\b(?:earlier|later) this (?P<unit>week|month|year)\b", re.IGNORECASE),
    ),
    (
        "relative_unit",
        re.compile(r"\b(?P<rel>last|this|next) (?P<unit>week|month|year)\b", re.IGNORECASE),
    ),
    (
        "relative_day",
        re.compile(
            r"\b(?P<word>today|tonight|yesterday|tomorrow|this morning|this afternoon|"
            r"this evening)\b",
            re.IGNORECASE,
        ),
    ),
    ("weekday", re.compile(r"\b(?:(?P<rel>last|next|this) )?" + _WEEKDAY + r"\b")),
    (
        "in_month",
        re.compile(
            r"\b(?P<prep>in|since|until|by|from|last|next|early|late|mid-?)\s?"
            r"(?P<m>January|February|March|April|May|June|July|August|September|October|"
            r"November|December)\b(?!,? (?:[0-3]?\d|(?:19|20)\d\d)\b)"
        ),
    ),
    (
        "year",
        re.compile(
            r"\b(?:in|since|by|until|before|after|from|during|of|early|late|mid-?|end of)\s?"
            + _YEAR.format(g="y")
            + r"\b(?![-–]\d)"
        ),
    ),
]


@dataclass(frozen=True, slots=True)
class DateRange:
    start: date
    end: date

    def __contains__(self, other: object) -> bool:
        return isinstance(other, DateRange) and self.start <= other.start <= other.end <= self.end

    def iso(self) -> str:
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@dataclass(frozen=True, slots=True)
class DateMention:
    text: str
    start: int
    end: int
    range: DateRange | None
    relative: bool


def _month(name: str) -> int:
    return MONTHS[
        name.lower().rstrip(".")[:4]
        if name.lower().startswith("sept")
        else name.lower().rstrip(".")[:3]
    ]


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day_range(day: date | None) -> DateRange | None:
    return DateRange(day, day) if day else None


def _month_range(year: int, month: int) -> DateRange:
    return DateRange(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))


def _nearest_year(month: int, day: int, published: date | None, future: bool) -> int | None:
    """The year of a month-day given without one: the publication year, moved by one when
    that would put a past event months after publication (or a future one months before)."""
    if published is None:
        return None
    year = published.year
    candidate = _safe(year, month, day) or date(year, month, 1)
    if not future and (candidate - published).days > 60:
        return year - 1
    if future and (published - candidate).days > 60:
        return year + 1
    return year


def _resolve(kind: str, m: re.Match[str], published: date | None, future: bool) -> DateRange | None:
    g = m.groupdict()
    if kind == "iso":
        return _day_range(_safe(int(g["y"]), int(g["m"]), int(g["d"])))
    if kind == "day_range_dmy":
        month, year = _month(g["m"]), int(g["y"])
        a, b = _safe(year, month, int(g["d1"])), _safe(year, month, int(g["d2"]))
        return DateRange(a, b) if a and b and a <= b else None
    if kind == "span_dmy":
        year = int(g["y"])
        a = _safe(int(g["y1"] or year), _month(g["m1"]), int(g["d1"]))
        b = _safe(year, _month(g["m2"]), int(g["d2"]))
        return DateRange(a, b) if a and b and a <= b else None
    if kind in ("mdy", "dmy"):
        month, day = _month(g["m"]), int(g["d"])
        given = int(g["y"]) if g.get("y") else _nearest_year(month, day, published, future)
        return _day_range(_safe(given, month, day)) if given else None
    if kind == "my":
        return _month_range(int(g["y"]), _month(g["m"]))
    if kind == "quarter":
        q = _ORDINAL[g["q"].lower()] if g.get("q") else int(g["qn"])
        year_text = g.get("y") or g.get("y2")
        in_year = int(year_text) if year_text else (published.year if published else None)
        if in_year is None:
            return None
        return DateRange(_month_range(in_year, 3 * q - 2).start, _month_range(in_year, 3 * q).end)
    if kind == "year":
        year = int(g["y"])
        return DateRange(date(year, 1, 1), date(year, 12, 31))
    if published is None:
        return None
    if kind == "weekend":
        rel = (g.get("rel") or "").lower()
        if published.weekday() >= 5 and rel != "last":
            saturday = published - timedelta(days=published.weekday() - 5)
        else:
            saturday = published - timedelta(days=published.weekday() + 2)
        return DateRange(saturday, saturday + timedelta(days=1))
    if kind == "earlier":
        unit = g["unit"].lower()
        later = m.group(0).lower().startswith("later")
        if unit == "week":
            monday = published - timedelta(days=published.weekday())
            return (
                DateRange(published, monday + timedelta(days=6))
                if later
                else DateRange(monday, published)
            )
        if unit == "month":
            whole = _month_range(published.year, published.month)
            return DateRange(published, whole.end) if later else DateRange(whole.start, published)
        end = date(published.year, 12, 31)
        return (
            DateRange(published, end) if later else DateRange(date(published.year, 1, 1), published)
        )
    if kind == "relative_unit":
        step = {"last": -1, "this": 0, "next": 1}[g["rel"].lower()]
        unit = g["unit"].lower()
        if unit == "week":
            monday = published - timedelta(days=published.weekday()) + timedelta(weeks=step)
            return DateRange(monday, monday + timedelta(days=6))
        if unit == "month":
            index = published.year * 12 + published.month - 1 + step
            return _month_range(index // 12, index % 12 + 1)
        year = published.year + step
        return DateRange(date(year, 1, 1), date(year, 12, 31))
    if kind == "relative_day":
        offset = {"yesterday": -1, "tomorrow": 1}.get(g["word"].lower(), 0)
        return _day_range(published + timedelta(days=offset))
    if kind == "weekday":
        target = WEEKDAYS[g["wd"].lower()]
        rel = (g.get("rel") or "").lower()
        back = (published.weekday() - target) % 7
        if rel == "next" or (future and rel != "last" and back != 0):
            ahead = (target - published.weekday()) % 7 or 7
            return _day_range(published + timedelta(days=ahead))
        if rel == "last" and back == 0:
            back = 7
        if rel == "this":
            monday = published - timedelta(days=published.weekday())
            return _day_range(monday + timedelta(days=target))
        return _day_range(published - timedelta(days=back))
    if kind == "in_month":
        month = MONTHS[g["m"].lower()[:3]]
        prep = g["prep"].lower()
        year = published.year
        if prep == "last" or (prep in ("since", "from") and month > published.month):
            year -= month >= published.month
        elif prep == "next" or (future and month < published.month):
            year += month <= published.month
        return _month_range(year, month)
    return None


_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)")


def find_dates(text: str, published: date | None = None) -> list[DateMention]:
    """Date expressions in text, left to right, longest first where they overlap."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if any(start < b and a < end for a, b in taken):
                continue
            if (
                kind == "mdy"
                and m.group("m") == "May"
                and not m.group("y")
                and int(m.group("d")) > 31
            ):
                continue
            sentence_start = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start), 0)
            future = bool(_FUTURE.search(text, sentence_start, start))
            resolved = _resolve(kind, m, published, future)
            relative = kind in {
                "weekend",
                "earlier",
                "relative_unit",
                "relative_day",
                "weekday",
                "in_month",
            }
            if kind in ("mdy", "dmy", "quarter") and not (
                m.groupdict().get("y") or m.groupdict().get("y2")
            ):
                relative = True
            if kind == "weekday":
                after = text[end : end + 40]
                absolute = re.match(
                    r",? (?:the )?(?:[0-3]?\d(?:st|nd|rd|th)? [A-Z]|[A-Z][a-z]+ \d)", after
                )
                if absolute:
                    continue  # "Tuesday, October 14": the absolute date that follows counts
            found.append(DateMention(m.group(0), start, end, resolved, relative))
            taken.append((start, end))
    return sorted(found, key=lambda d: d.start)


def format_range(r: DateRange) -> str:
    a, b = r.start, r.end
    if a == b:
        return f"{a.day} {calendar.month_name[a.month]} {a.year}"
    if a.day == 1 and b == _month_range(b.year, b.month).end:
        if a.year == b.year and a.month == b.month:
            return f"{calendar.month_name[a.month]} {a.year}"
        if a.month == 1 and b.month == 12 and a.year == b.year:
            return str(a.year)
    first, last = calendar.month_name[a.month], calendar.month_name[b.month]
    if a.year == b.year and a.month == b.month:
        return f"{a.day}–{b.day} {first} {a.year}"
    if a.year == b.year:
        return f"{a.day} {first} – {b.day} {last} {b.year}"
    return f"{a.day} {first} {a.year} – {b.day} {last} {b.year}"


def when_line(mention: DateMention) -> str:
    """The When detail: the article's own words, with the resolved date when they were
    relative ("Tuesday (11 March 2025)")."""
    phrase = re.sub(r"^(?:on|in|at|during) ", "", mention.text, flags=re.IGNORECASE)
    phrase = phrase[:1].upper() + phrase[1:]
    if mention.range is None:
        return phrase
    formatted = format_range(mention.range)
    if not mention.relative or formatted.lower() == phrase.lower():
        return phrase
    if formatted.lower().startswith(phrase.lower()):
        return formatted
    return f"{phrase} ({formatted})"
