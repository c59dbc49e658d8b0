"""Dates in news text, resolved against the item's published date.

"on Tuesday" is the last Tuesday on or before publication (the next one when the sentence
speaks of the future), "last week" the Monday-to-Sunday week before, "earlier this month"
the first of the month to the publication day. Without a published date, only absolute dates
resolve; a relative phrase is then kept as written, never guessed.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
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
            r"this evening|last night)\b(?:(?<=yesterday) (?:morning|afternoon|evening))?",
            re.IGNORECASE,
        ),
    ),
    (
        "weekday",
        re.compile(
            r"\b(?:(?P<rel>last|next|this) |(?:early|late|overnight) )?"
            + _WEEKDAY
            + r"\b(?: (?:morning|afternoon|evening|night))?"
        ),
    ),
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


# Each kind of pattern has its resolver: (match, published date, speaks of the future).
# The absolute kinds resolve without a published date; the relative ones need it.
_Absolute = Callable[[re.Match[str], date | None, bool], DateRange | None]
_Relative = Callable[[re.Match[str], date, bool], DateRange | None]


def _resolve(kind: str, m: re.Match[str], published: date | None, future: bool) -> DateRange | None:
    absolute = _ABSOLUTE.get(kind)
    if absolute is not None:
        return absolute(m, published, future)
    relative = _RELATIVE.get(kind)
    if relative is None or published is None:
        return None
    return relative(m, published, future)


def _iso(m: re.Match[str], _published: date | None, _future: bool) -> DateRange | None:
    return _day_range(_safe(int(m["y"]), int(m["m"]), int(m["d"])))


def _day_range_dmy(m: re.Match[str], _published: date | None, _future: bool) -> DateRange | None:
    month, year = _month(m["m"]), int(m["y"])
    a, b = _safe(year, month, int(m["d1"])), _safe(year, month, int(m["d2"]))
    return DateRange(a, b) if a and b and a <= b else None


def _span_dmy(m: re.Match[str], _published: date | None, _future: bool) -> DateRange | None:
    year = int(m["y"])
    a = _safe(int(m["y1"] or year), _month(m["m1"]), int(m["d1"]))
    b = _safe(year, _month(m["m2"]), int(m["d2"]))
    return DateRange(a, b) if a and b and a <= b else None


def _month_day(m: re.Match[str], published: date | None, future: bool) -> DateRange | None:
    """mdy and dmy: a day of a month, the year given or the nearest one to publication."""
    g = m.groupdict()
    month, day = _month(g["m"]), int(g["d"])
    given = int(g["y"]) if g.get("y") else _nearest_year(month, day, published, future)
    return _day_range(_safe(given, month, day)) if given else None


def _month_year(m: re.Match[str], _published: date | None, _future: bool) -> DateRange | None:
    return _month_range(int(m["y"]), _month(m["m"]))


def _quarter(m: re.Match[str], published: date | None, _future: bool) -> DateRange | None:
    g = m.groupdict()
    q = _ORDINAL[g["q"].lower()] if g.get("q") else int(g["qn"])
    year_text = g.get("y") or g.get("y2")
    in_year = int(year_text) if year_text else (published.year if published else None)
    if in_year is None:
        return None
    return DateRange(_month_range(in_year, 3 * q - 2).start, _month_range(in_year, 3 * q).end)


def _year(m: re.Match[str], _published: date | None, _future: bool) -> DateRange | None:
    year = int(m["y"])
    return DateRange(date(year, 1, 1), date(year, 12, 31))


def _weekend(m: re.Match[str], published: date, _future: bool) -> DateRange | None:
    rel = (m["rel"] or "").lower()
    if published.weekday() >= 5 and rel != "last":
        saturday = published - timedelta(days=published.weekday() - 5)
    else:
        saturday = published - timedelta(days=published.weekday() + 2)
    return DateRange(saturday, saturday + timedelta(days=1))


def _earlier(m: re.Match[str], published: date, _future: bool) -> DateRange | None:
    """Earlier this week (month, year): from its start to publication; later: on to its end."""
    unit = m["unit"].lower()
    if unit == "week":
        monday = published - timedelta(days=published.weekday())
        whole = DateRange(monday, monday + timedelta(days=6))
    elif unit == "month":
        whole = _month_range(published.year, published.month)
    else:
        whole = DateRange(date(published.year, 1, 1), date(published.year, 12, 31))
    if m.group(0).lower().startswith("later"):
        return DateRange(published, whole.end)
    return DateRange(whole.start, published)


def _relative_unit(m: re.Match[str], published: date, _future: bool) -> DateRange | None:
    step = {"last": -1, "this": 0, "next": 1}[m["rel"].lower()]
    unit = m["unit"].lower()
    if unit == "week":
        monday = published - timedelta(days=published.weekday()) + timedelta(weeks=step)
        return DateRange(monday, monday + timedelta(days=6))
    if unit == "month":
        index = published.year * 12 + published.month - 1 + step
        return _month_range(index // 12, index % 12 + 1)
    year = published.year + step
    return DateRange(date(year, 1, 1), date(year, 12, 31))


def _relative_day(m: re.Match[str], published: date, _future: bool) -> DateRange | None:
    offset = {"yesterday": -1, "tomorrow": 1, "last night": -1}.get(m["word"].lower(), 0)
    return _day_range(published + timedelta(days=offset))


def _weekday(m: re.Match[str], published: date, future: bool) -> DateRange | None:
    target = WEEKDAYS[m["wd"].lower()]
    rel = (m["rel"] or "").lower()
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


def _in_month(m: re.Match[str], published: date, future: bool) -> DateRange | None:
    month = MONTHS[m["m"].lower()[:3]]
    prep = m["prep"].lower()
    year = published.year
    if prep == "last" or (prep in ("since", "from") and month > published.month):
        year -= month >= published.month
    elif prep == "next" or (future and month < published.month):
        year += month <= published.month
    return _month_range(year, month)


_ABSOLUTE: dict[str, _Absolute] = {
    "iso": _iso,
    "day_range_dmy": _day_range_dmy,
    "span_dmy": _span_dmy,
    "mdy": _month_day,
    "dmy": _month_day,
    "my": _month_year,
    "quarter": _quarter,
    "year": _year,
}
_RELATIVE: dict[str, _Relative] = {
    "weekend": _weekend,
    "earlier": _earlier,
    "relative_unit": _relative_unit,
    "relative_day": _relative_day,
    "weekday": _weekday,
    "in_month": _in_month,
}


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
            if _inside_name(kind, text, start, end):
                continue
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


# A capitalised word right before a weekday or "today" makes it part of a name
# ("Sheffield Wednesday", "USA Today"); "On", "Last", "By" and the like do not.
_NAME_BEFORE = re.compile(r"(?<![.!?:;\"“])\b(?P<word>[A-Z][\w&.'’-]*) $")
_NOT_NAME_WORDS = frozenset(
    [
        *("On", "By", "Last", "Next", "This", "Until", "Since", "From", "Early", "Late"),
        *("And", "Or"),
        # newswire style: "Police Tuesday arrested ..."
        *("Police", "Officials", "Authorities", "Prosecutors", "Investigators", "Officers"),
    ]
)


def _inside_name(kind: str, text: str, start: int, end: int) -> bool:
    """True for a date word that is part of a name or a modifier, not a date: "Sheffield
    Wednesday", "USA TODAY", "today's AI industry"."""
    if kind not in ("weekday", "relative_day"):
        return False
    phrase = text[start:end]
    if kind == "relative_day" and (phrase.isupper() or re.match(r"['’]s\b", text[end : end + 3])):
        return True
    before = _NAME_BEFORE.search(text[max(0, start - 40) : start])
    return before is not None and before.group("word") not in _NOT_NAME_WORDS


CLOCK = re.compile(
    r"\b(?:[01]?\d|2[0-3])(?:[:.][0-5]\d)?\s?(?:a\.m\.|p\.m\.|am\b|pm\b|a\.m\b|p\.m\b)|"
    r"\b(?:[01]?\d|2[0-3]):[0-5]\d(?: ?(?:GMT|BST|UTC|ET|EST|EDT|CET|PT|PST|PDT|local time))?\b|"
    r"\b(?:noon|midnight)\b",
    re.IGNORECASE,
)


def find_clock(text: str) -> str | None:
    """The first clock time of a text as written ("6am", "10:30 p.m."), None if none."""
    m = CLOCK.search(text)
    return m.group(0).strip() if m else None


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
