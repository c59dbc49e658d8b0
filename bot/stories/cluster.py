"""Story matching: does a new item report the same story as one posted recently?

Pure functions: no I/O, no clock; times come from the items themselves. Nothing here
raises on any text (a hypothesis test holds us to it).

An item is seen three ways (`fingerprint`, once per item, stored as JSON with the item):

- **what** (``terms``): content words of the title and text, lower-cased, lightly stemmed
  (plurals, -ed, -ing, British spellings), function words and names left out, everyday news
  vocabulary ("said", "company", "shares", "billion") down-weighted, title words counted
  twice, term frequency dampened; an L2-normalised vector of the heaviest ``MAX_TERMS``.
- **who and which** (``names``): runs of capitalised words inside sentences, acronyms and
  product codes (``Orion-4``, ``CVE-2026-21877``), as phrases. Two phrases meet when they
  share a distinctive word, so "Northwind" meets "Northwind Systems"; but "Justice
  Department" does not meet "Commerce Department", and a place or institution that many
  stories share (Europe, Ohio, Nasdaq, the FCC) counts for less than a company or person.
- **how much** (``numbers``): quantities normalised to their value, so "$2.1bn",
  "$2.1 billion" and "2.1 billion dollars" are one key, as are "48m" and "48 million",
  "12%" and "12 percent". Years and small bare counts count for little.

Two items are compared (`same_story`) by the cosine of their content vectors, how much of
each title the other covers, and the amount of specific evidence they share (names and
quantities), combined into a score in [0, 1] and scaled down as the items drift apart in
time. The first shared name is usually the subject (the company) and earns nothing: a
different story about the same company on the same day shares the subject and the
company's vocabulary, not the specifics (the other party, the people, places, amounts and
products), so it stays under `THRESHOLD`. A missed merge is preferred to a false one.

Two items of the same source are never the same story: an outlet that writes about a
story again publishes an update or a follow-up, which its readers should see. (Caveat: an
aggregator feed that carries several outlets under one source name is the exception.)
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.text.stopwords import CLUSTER_STOPWORDS

__all__ = [
    "DEFAULT_WINDOW",
    "FINGERPRINT_VERSION",
    "THRESHOLD",
    "Fingerprint",
    "StoryText",
    "best_match",
    "best_story",
    "common_names",
    "fingerprint",
    "same_story",
    "threshold_for",
]

FINGERPRINT_VERSION = 4
"""Bumped whenever `fingerprint` changes: fingerprints of other versions never match, so a
stored one of an older version should be recomputed (or the item left unmatched)."""

THRESHOLD = 0.40
"""`same_story` scores above this are the same story when both items have a lead of
`LEAD_WORDS` words; see `threshold_for` for shorter ones. Calibrated on half 0 of the
development set, mostly its general-news part (AllSides; docs/story-merging.md)."""
THRESHOLD_TITLES = 0.45
"""The threshold when one of the two items is a bare title: calibrated on the development
set (bench/cluster.py); up to `SHORT_WORDS` words of text the threshold moves linearly
between the two."""
SHORT_WORDS = 20

DEFAULT_WINDOW = timedelta(hours=48)
MAX_TERMS = 64
"""Content terms kept per fingerprint (the heaviest): bounds stored size and match time."""
MAX_NAMES = 32
MAX_INPUT_CHARS = 4000
"""Only this much of the title and of the text is read: the lede says what the story is."""
LEAD_WORDS = 60
"""Only the title and this many words of the text are fingerprinted: a 3,000-character
body and a 40-word summary are then compared like with like (a long body shares some
vocabulary with any story of its topic, which is how unrelated stories merged, #19)."""

# The score: weights of its parts (they sum to 1).
W_CONTENT = 0.45
W_TITLE = 0.20
W_SPECIFIC = 0.35
SPECIFIC_SCALE = 1.5
"""Specific evidence beyond the first piece turns into 1 - exp(-(S - 1) / scale)."""
MIN_SPECIFIC = 1.0
"""Below this much shared specific evidence, two items are never the same story."""
MIN_EVENT = 2.0
"""Below this much evidence of one event (`_event_evidence`), never the same story: two
reports of one topic share its vocabulary and often its subject, place or institution;
two reports of one event share more than one of the actors, places and figures (#19)."""
MIN_EVENT_WEAK = 1.0
WEAK_EVENT_MARGIN = 0.10
"""Between `MIN_EVENT_WEAK` and `MIN_EVENT` (one named thing both reports name, usually the
subject: "Biden signs order on cybersecurity after pipeline hack"), the rest must agree
strongly: the score must clear the bar by `WEAK_EVENT_MARGIN`, and is that much lower.
Reports of one event often share only their subject and the words for what happened;
another story about the subject shares the subject, not what happened (#19)."""
COMMON_STORIES = 2
W_COMMON_NAME = 0.4
"""A name word this many recent stories use is weak evidence (`common_names`)."""
TIME_GRACE_HOURS = 24.0
TIME_DECAY_HOURS = 96.0
"""Beyond the grace period, the score is divided by 1 + (hours - grace) / decay."""

# Term weights.
W_WORD = 1.0
W_COMMON = 0.35
TITLE_BOOST = 2.0

# Evidence weights.
W_NAME = 1.0
W_CODE = 1.5
W_GENERIC_NAME = 0.4
W_QUANTITY = 1.0
W_SMALL_NUMBER = 0.3
W_YEAR = 0.2
W_TIME = 0.5
"""A time of day ("6am", "1:15 a.m."): one event's reports tend to give the same one."""
# Title coverage weights.
W_TITLE_NAME = 2.0

# --------------------------------------------------------------------------- vocabulary

_STOPWORDS = CLUSTER_STOPWORDS
"""Function words, and time words (time is compared separately): never terms."""

_COMMON = frozenset(
    """say said says tell told according announce announced announcement report reported
    reports reporting statement add added new news latest update company companies firm firms
    business group people person user users customer customers market markets share shares
    stock stocks investor investors price prices percent per cent billion million thousand
    trillion dollar dollars euro euros pound pounds bn mn make made making take took use used
    using plan plans planned expect expected big large small largest biggest major more
    include including includ launch launched service services product products system systems
    technology tech data deal deals time based work works working help helps show shows
    number numbers chief executive ceo officer president head team staff employee employees
    official officials source sources familiar matter thing things way ways part parts set
    level high low higher lower early earlier late later world global country countries
    industry sector move moves want wants need needs see seen look looks come comes came go
    goes going went give gives given keep kept call called run runs start started begin
    began end ended open opened close closed mean means well good better best bad worse
    worst top rise rose fall fell grow growth increase cut cuts lead led leader leaders
    ai app apps online internet digital platform platforms software hardware model models
    us uk eu api cloud""".split()  # noqa: SIM905
)
"""Everyday news vocabulary: kept as terms, but light (stemmed before lookup)."""

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "hundred": 100,
    "a": 1,
    "an": 1,
}
_SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "mln": 1e6,
    "billion": 1e9,
    "billions": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
    "t": 1e12,
}

_HONORIFICS = frozenset(
    """mr mrs ms dr sir dame lord lady st saint prof professor president vice chair chairman
    chairwoman chief ceo cfo cto coo founder cofounder co-founder governor senator
    representative rep minister secretary judge justice commissioner director analyst
    general attorney mayor king queen prince princess pope""".split()  # noqa: SIM905
)
"""Capitalised before a name but not part of it."""

_GENERIC_NAME_WORDS = frozenset(
    """the of and for de la von van new north south east west central national international
    global united states state kingdom republic city county district province region
    department ministry agency authority commission committee council court office bureau
    administration government parliament congress senate house university college institute
    school hospital group systems system networks network labs lab research health capital
    ventures partners bank foundation holdings technologies technology tech semiconductor
    semiconductors social cloud search ai inc corp corporation company co ltd llc plc gmbh
    ag sa data protection energy power media digital financial services security software
    motors electric communications mobile devices games studios entertainment pharma
    therapeutics bio robotics dynamics industries international trust fund association
    union alliance project police sheriff sheriffs fire officer office street avenue ave
    road rd boulevard blvd drive lane parkway highway county block park centre center
    apartments apartment club church station airport""".split()  # noqa: SIM905
)
"""Words of names that say what kind of thing is named, not which: never enough alone."""

_GENERIC_NAMES = frozenset(
    """us usa america american americans europe european europeans eu asia asian africa
    african britain british uk england english london china chinese beijing japan japanese
    tokyo korea korean seoul taiwan taiwanese india indian germany german berlin france
    french paris italy italian spain spanish canada canadian mexico brazil russia russian
    ukraine israel ireland irish netherlands dutch australia singapore washington
    california texas florida york ohio arizona virginia oregon nevada massachusetts
    pennsylvania michigan illinois georgia carolina colorado utah silicon valley wall street
    nasdaq nyse sec fcc ftc doj fbi cia nsa cisa nasa un nato opec imf who wto gdpr
    github linux google microsoft apple amazon android ios windows covid""".split()  # noqa: SIM905
)
"""Places and institutions that many unrelated stories share: weak evidence (but real
companies of the tech beat appear in so many stories that they are here too)."""

_PERCENT_WORDS = r"%|percent\b|per cent\b|pc\b|percentage points?\b"

# --------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class StoryText:
    """What the matcher sees of an item."""

    title: str
    text: str
    """Summary, introduction or first paragraphs, as plain text."""
    published: datetime
    """Timezone-aware (a naive time is taken as UTC)."""
    source: str
    """The outlet: the name the guild's source goes by."""


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A compact, precomputed view of one item. Build it with `fingerprint`, store it with
    `to_json`, read it back with `from_json`."""

    published: datetime
    source: str
    terms: Mapping[str, float] = field(hash=False)
    """Content term to weight, L2-normalised."""
    title: frozenset[str]
    """The title's content terms and name words."""
    names: frozenset[str]
    """Name phrases: stemmed lower-case words joined by spaces."""
    numbers: Mapping[str, float] = field(hash=False)
    """Quantity (normalised value) to evidence weight."""
    words: int = 0
    """Words of text read (at most `LEAD_WORDS`): how much the fingerprint knows."""
    facts: Mapping[str, frozenset[str]] = field(default_factory=dict, hash=False)
    """Facts stated (`_facts`): kind ("day", "age", "mag") to values."""
    version: int = FINGERPRINT_VERSION
    # Derived from `names` for matching; not stored.
    _phrases: tuple[tuple[frozenset[str], float], ...] = field(
        init=False, repr=False, compare=False, hash=False
    )
    _name_words: frozenset[str] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        phrases = tuple((_distinctive(name), _name_weight(name)) for name in sorted(self.names))
        object.__setattr__(self, "_phrases", phrases)
        object.__setattr__(self, "_name_words", frozenset().union(*(p for p, _ in phrases)))

    def to_json(self) -> str:
        """A compact JSON string holding everything `from_json` needs."""
        return json.dumps(
            {
                "v": self.version,
                "published": self.published.astimezone(UTC).isoformat(),
                "source": self.source,
                "terms": dict(self.terms),
                "title": sorted(self.title),
                "names": sorted(self.names),
                "numbers": dict(self.numbers),
                "words": self.words,
                "facts": {kind: sorted(values) for kind, values in self.facts.items()},
            },
            ensure_ascii=False,
            separators=(",", ":"),
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, data: str | bytes) -> Fingerprint:
        """The fingerprint `to_json` wrote. Raises ValueError if `data` is not one."""
        try:
            raw: Any = json.loads(data)
            published = datetime.fromisoformat(raw["published"])
            if published.tzinfo is None:
                raise ValueError("the published time has no time zone")
            return cls(
                published=published.astimezone(UTC),
                source=str(raw["source"]),
                terms={str(k): float(v) for k, v in raw["terms"].items()},
                title=frozenset(str(t) for t in raw["title"]),
                names=frozenset(str(n) for n in raw["names"]),
                numbers={str(k): float(v) for k, v in raw["numbers"].items()},
                words=int(raw.get("words", 0)),
                facts={
                    str(kind): frozenset(str(v) for v in values)
                    for kind, values in raw.get("facts", {}).items()
                },
                version=int(raw["v"]),
            )
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not a story fingerprint: {exc!r}") from exc


# --------------------------------------------------------------------------- words

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_DASHES = re.compile("[\u2010-\u2015\u2212]")
_WORD = re.compile(r"[^\W_]+(?:['.\-][^\W_]+)*")
_SENTENCE_GAP = re.compile(r"[.!?:;\"()\[\]|]|\n|\s[-–]\s")
_HAS_DIGIT = re.compile(r"\d")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    return _CURRENCY_PREFIX.sub("$", _DASHES.sub("-", text))


def _stem(word: str) -> str:
    """A light, deterministic stemmer: enough to meet "releases", "released", "releasing"
    and "licence", "license" in one form; not linguistics."""
    w = word.lower()
    if w.endswith("'s"):
        w = w[:-2]
    w = w.strip("'.")
    if len(w) <= 3 or _HAS_DIGIT.search(w):
        return w
    return _one_spelling(_without_verb_ending(_singular(w)))


def _singular(w: str) -> str:
    if w.endswith(("ies", "ied")) and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("sses"):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def _without_verb_ending(w: str) -> str:
    """Without -ing or -ed ("releasing" -> "releas"), undoubled ("stopped" -> "stop")."""
    if w.endswith("ing") and len(w) >= 6:
        w = w[:-3]
    elif w.endswith("ed") and len(w) >= 5:
        w = w[:-2]
    else:
        return w
    if w[-1] == w[-2] and w[-1] not in "lsz":
        w = w[:-1]
    return w


def _one_spelling(w: str) -> str:
    """British and American spellings meet ("monopolised", "monopolized"), and a final e
    or y goes the same way in every form."""
    if w.endswith("ise"):
        w = w[:-3] + "ize"
    elif w.endswith("is"):
        w = w[:-2] + "iz"
    if w.endswith("tre") and len(w) > 4:
        w = w[:-3] + "ter"
    if w.startswith("licen"):
        w = "licens" + w[6:] if len(w) > 6 and w[5] in "cs" else w
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    if w.endswith("y") and len(w) > 4:
        w = w[:-1] + "i"
    return w


_COMMON_STEMS = frozenset(_stem(w) for w in _COMMON)
_STOP_STEMS = frozenset(_stem(w) for w in _STOPWORDS) | _STOPWORDS
_GENERIC_WORD_STEMS = frozenset(_stem(w) for w in _GENERIC_NAME_WORDS)
_GENERIC_NAME_STEMS = frozenset(_stem(w) for w in _GENERIC_NAMES)


@dataclass(slots=True)
class _Word:
    surface: str
    sentence_start: bool


def _words(text: str) -> list[_Word]:
    words: list[_Word] = []
    last_end = 0
    for m in _WORD.finditer(text):
        gap = text[last_end : m.start()]
        start = not words or bool(_SENTENCE_GAP.search(gap))
        words.append(_Word(m.group(), start))
        last_end = m.end()
    return words


def _is_code(surface: str) -> bool:
    """A product or identifier: starts with a letter, holds a digit ("Orion-4", "M2",
    "us-east-2", "CVE-2026-21877", "H100"). "2nm", "48m" and "12-month" are quantities."""
    return surface[0].isalpha() and bool(_HAS_DIGIT.search(surface))


# --------------------------------------------------------------------------- names


def _is_title_case(words: Sequence[_Word]) -> bool:
    content = [w.surface for w in words if w.surface[0].isalpha()]
    content = [s for s in content if s.lower() not in _STOPWORDS or s[0].isupper()]
    if len(content) < 4:
        return False
    capitalised = sum(1 for s in content if s[0].isupper())
    return capitalised / len(content) > 0.75


def _name_word(surface: str) -> str | None:
    """The stemmed form of a word that can be part of a name, else None."""
    if not surface[0].isupper():
        return None
    low = surface.lower().removesuffix("'s").strip("'.")
    if not low or low in _STOPWORDS or low in _HONORIFICS:
        return None
    return _stem(low)


def _phrases(words: Sequence[_Word], trusted: bool, known: frozenset[str]) -> set[str]:
    """Name phrases: runs of capitalised words. A sentence's first word only when it is
    possessive, an acronym, runs into another capitalised word, or is known as a name
    elsewhere in the item. In an untrusted (Title Case) title, only known names."""
    phrases: set[str] = set()
    run: list[str] = []

    def close() -> None:
        if run:
            phrases.add(" ".join(run))
            run.clear()

    for i, word in enumerate(words):
        surface = word.surface
        if _is_code(surface):
            close()
            phrases.add(surface.lower())
            continue
        stem = _name_word(surface)
        if word.sentence_start:
            close()
        if stem is None:
            close()
            continue
        if not trusted:
            if stem in known or (surface.isupper() and len(surface) > 1):
                phrases.add(stem)
            continue
        if word.sentence_start and stem not in known:
            nxt = words[i + 1] if i + 1 < len(words) else None
            runs_on = (
                nxt is not None and not nxt.sentence_start and _name_word(nxt.surface) is not None
            )
            is_acronym = surface.isupper() and len(surface) > 1
            if not (runs_on or is_acronym or surface.endswith("'s")):
                continue
        run.append(stem)
    close()
    return {p for p in phrases if p not in _COMMON_STEMS and len(p) > 1}


def _distinctive(phrase: str) -> frozenset[str]:
    """The words of a name that say which thing it is; the whole phrase when none does."""
    words = frozenset(w for w in phrase.split() if w not in _GENERIC_WORD_STEMS)
    return words or frozenset({phrase})


def _name_weight(phrase: str) -> float:
    if _HAS_DIGIT.search(phrase) and " " not in phrase:
        return W_CODE
    words = [w for w in phrase.split() if w not in _GENERIC_WORD_STEMS]
    if all(w in _GENERIC_NAME_STEMS for w in words):  # also when every word is generic
        return W_GENERIC_NAME
    return W_NAME


# --------------------------------------------------------------------------- numbers

_NUMBER = re.compile(
    r"(?P<cur>[$€£¥])?\s?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:(?P<gap>\s?)(?P<scale>thousand|millions?|mln|mn|m|billions?|bn|b|trillion|tn|k)\b)?"
    rf"(?:\s?(?P<pct>{_PERCENT_WORDS}))?"
    r"(?:-?\s?(?P<unit>[a-z]{1,12}))?",
    re.IGNORECASE,
)
_WORD_NUMBER = re.compile(
    r"\b(?P<num>one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|thirty|forty|fifty|sixty|hundred|a|an)[\s-]+"
    r"(?P<scale>thousand|million|billion|trillion)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_UNIT_WORDS = frozenset(
    """dollar dollars euro euros pound pounds yen usd eur gbp share shares job jobs
    employee employees people worker workers staff user users customer customers subscriber
    subscribers device devices qubit qubits token tokens satellite satellites hospital
    hospitals store stores country countries watt watts kw mw gw kwh mwh gwh kilowatt
    kilowatts megawatt megawatts gigawatt gigawatts nm nanometre nanometres nanometer
    nanometers gb tb pb mah mile miles km parameter parameters unit units car cars vehicle
    vehicles""".split()  # noqa: SIM905
)
"""Words after a number that make it a specific quantity even when it is small."""
_BARE_SCALES = frozenset({"m", "b", "k"})
_CURRENCY_PREFIX = re.compile(
    r"\b(?:US|USD|AU|AUD|A|C|CA|CAD|NZ|HK|S|NT)\s?\$|\$\s?(?:US|AU|A|C|CA|NZ|HK|S)(?=\s?\d)"
)
"""A currency's country marks ("US$", "$US6,500", "A$", "C$"): a dollar amount, not a
product code ("US6") and a bare 500."""
_TIME_OF_DAY = re.compile(
    r"\b(?P<h>[01]?\d|2[0-3])(?::(?P<m>[0-5]\d))?\s?(?P<ap>[ap])\.?\s?m\b\.?"
    r"|\b(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)\b",
    re.IGNORECASE,
)
"""A time of day ("6am", "1:15 a.m.", "3:00 PM", "14:30"): one key, never a quantity."""


def _value_key(value: float) -> str:
    """Three significant digits: "2.1e+09" and "2100000000" are one value."""
    if value == 0 or not math.isfinite(value):
        return "0"
    return f"{float(f'{value:.3g}'):g}"


def _time_key(m: re.Match[str], add: Callable[[str, float], None]) -> str:
    """Records a time of day as "t06:00" and blanks it out of the text."""
    hour = int(m.group("h") or m.group("h24"))
    minute = int(m.group("m") or m.group("m24") or 0)
    if m.group("ap"):
        hour = hour % 12 + (12 if m.group("ap").lower() == "p" else 0)
    add(f"t{hour:02d}:{minute:02d}", W_TIME)
    return " " * len(m.group())


def _numbers(text: str) -> dict[str, float]:
    """Quantities: normalised value to evidence weight."""
    found: dict[str, float] = {}

    def add(key: str, weight: float) -> None:
        found[key] = max(weight, found.get(key, 0.0))

    text = _CURRENCY_PREFIX.sub("$", text)
    text = _TIME_OF_DAY.sub(lambda m: _time_key(m, add), text)
    # Codes ("us-east-2", "CVE-2026-21877", "M2") are names, not quantities.
    text = _WORD.sub(lambda m: " " * len(m.group()) if _is_code(m.group()) else m.group(), text)
    for m in _NUMBER.finditer(text):
        start = m.start("num")
        if start > 0 and text[start - 1].isalpha():
            continue
        raw = m.group("num").replace(",", "")
        if len(raw) > 18:
            continue
        value = float(raw)
        scale_word = (m.group("scale") or "").lower()
        # "5 m" is five metres; "48m", "1M" and "$5 m" are millions.
        if scale_word in _BARE_SCALES and m.group("gap") and not m.group("cur"):
            scale_word = ""
        unit = (m.group("unit") or "").lower()
        if m.group("pct"):
            add(_value_key(value) + "%", W_QUANTITY)
        elif scale_word:
            add(_value_key(value * _SCALES[scale_word.rstrip("s")]), W_QUANTITY)
        elif _YEAR.fullmatch(raw) and not m.group("cur") and unit not in _UNIT_WORDS:
            add(raw, W_YEAR)
        elif m.group("cur") or unit in _UNIT_WORDS or value >= 100 or "." in raw:
            add(_value_key(value), W_QUANTITY)
        elif value >= 2:
            add(_value_key(value), W_SMALL_NUMBER)
    for m in _WORD_NUMBER.finditer(text):
        value = _NUMBER_WORDS[m.group("num").lower()] * _SCALES[m.group("scale").lower()]
        add(_value_key(value), W_QUANTITY)
    return found


# --------------------------------------------------------------------------- facts
#
# Facts two reports of one event cannot disagree on: the day it happened, the ages of the
# people in it, an earthquake's magnitude. (Death tolls and counts of the injured were
# tried: reports of one event update them, and they cost more recall than they saved.)
# Two reports of one kind of event on different occasions (the same boxer's two title
# fights, two shootings in one city in one week) share names and vocabulary; they give
# different facts (#19).

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        )
    )
    for m in names.split()
}
_DAY_WORDS = re.compile(
    r"\b(?:(?:on|late|early|last|this|since)\s+)?(?P<wd>monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday)\b|\b(?P<rel>yesterday|today|tonight|this morning|"
    r"this afternoon|this evening)\b",
    re.IGNORECASE,
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = re.compile(
    rf"\b(?P<mon>{_MONTH})\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\b"
    rf"|\b(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon2>{_MONTH})\b",
    re.IGNORECASE,
)
_FUTURE_BEFORE = re.compile(
    r"\b(?:will|next|until|scheduled|set|due|expected|plans?)\W+(?:\w+\W+){0,3}$", re.IGNORECASE
)
_AGE = re.compile(
    r"\b(?P<n>\d{1,3})[\s-]years?[\s-]old\b|\baged?\s+(?P<n2>\d{1,3})\b"
    r"|(?<=[A-Za-z]),\s(?P<n3>\d{1,3})(?:,\s|$)",
    re.IGNORECASE | re.MULTILINE,
)
"""An age: "23-year-old", "aged 23", "Jane Doe, 23, of ..." and a title's closing "girl, 5"
(two shootings of a girl of 3 and one of 5 merged when only the title gave it, #19)."""
_MAGNITUDE = re.compile(
    r"\bmagnitude(?:\s+of)?\s+(?P<n>\d\.\d)\b|\b(?P<n2>\d\.\d)[\s-]*(?:-\s*)?magnitude\b",
    re.IGNORECASE,
)
_FACT_KINDS = frozenset({"day", "age", "mag"})
_FACT_DAYS = 1
"""Two days are one event's when at most this many days apart (late Friday, early
Saturday; a report dated by its publisher's time zone)."""


def _facts(text: str, published: datetime) -> dict[str, frozenset[str]]:
    """The facts an item states: kind to values. "day": the days (ISO) it says things
    happened, read relative to its publication ("Saturday" is the last Saturday on or
    before it; not a day it says is to come); "age"; "mag" (an earthquake's magnitude)."""
    found: dict[str, set[str]] = {}
    today = published.date()
    for m in _DAY_WORDS.finditer(text):
        if _FUTURE_BEFORE.search(text[max(0, m.start() - 40) : m.start()]):
            continue
        if m.group("wd"):
            back = (today.weekday() - _WEEKDAYS.index(m.group("wd").lower())) % 7
        else:
            back = 1 if m.group("rel").lower() == "yesterday" else 0
        found.setdefault("day", set()).add((today - timedelta(days=back)).isoformat())
    for m in _DATE.finditer(text):
        month = _MONTHS[(m.group("mon") or m.group("mon2")).lower()[:3]]
        day = int(m.group("d") or m.group("d2"))
        try:
            when = today.replace(month=month, day=day)
        except ValueError:
            continue
        if (when - today).days > 31:  # "Dec. 30" read on Jan. 2
            try:
                when = when.replace(year=when.year - 1)
            except ValueError:
                continue
        if (when - today).days <= 1:  # a date to come is not when it happened
            found.setdefault("day", set()).add(when.isoformat())
    for kind, pattern in (("age", _AGE), ("mag", _MAGNITUDE)):
        for m in pattern.finditer(text):
            raw = next(g for g in m.groups() if g is not None and g[:1].isalnum())
            found.setdefault(kind, set()).add(raw.lstrip("0") or "0")
    return {kind: frozenset(values) for kind, values in found.items()}


def _contradicts(a: Fingerprint, b: Fingerprint) -> str | None:
    """The kind of fact `a` and `b` both state and disagree on, else None."""
    for kind, values in a.facts.items():
        other = b.facts.get(kind) if kind in _FACT_KINDS else None
        if not other or not values.isdisjoint(other):
            continue
        if kind == "day":
            days = [datetime.fromisoformat(d).toordinal() for d in values]
            if any(
                abs(d - datetime.fromisoformat(o).toordinal()) <= _FACT_DAYS
                for d in days
                for o in other
            ):
                continue
        return kind
    return None


# --------------------------------------------------------------------------- fingerprint


def fingerprint(story: StoryText) -> Fingerprint:
    """The matcher's view of one item. Never raises on any text."""
    title = _without_outlet(_fold(story.title[:MAX_INPUT_CHARS]))
    text, read = _lead(_fold(story.text[:MAX_INPUT_CHARS]), LEAD_WORDS)
    title_words = _words(title)
    text_words = _words(text)

    # The text's sentence case is trusted. A title in Title Case is not: it only confirms
    # the names that the text has.
    text_names = _phrases(text_words, trusted=True, known=frozenset())
    known = frozenset(w for p in text_names for w in p.split())
    title_trusted = not _is_title_case(title_words)
    title_names = _phrases(title_words, trusted=title_trusted, known=known)
    known |= frozenset(w for p in title_names for w in p.split())
    # Second pass: a sentence's first word is a name when the item names it elsewhere.
    text_names |= _phrases(text_words, trusted=True, known=known)
    names = _limit(_fold_phrases(text_names | title_names))
    name_words = frozenset(w for p in names for w in p.split())

    counts: dict[str, float] = {}
    title_terms: set[str] = set()
    for words, boost in ((title_words, TITLE_BOOST), (text_words, 1.0)):
        for term in _terms(words, name_words):
            counts[term] = counts.get(term, 0.0) + boost
            if boost == TITLE_BOOST:
                title_terms.add(term)
    for word in title_words:
        stem = _name_word(word.surface) if not _is_code(word.surface) else word.surface.lower()
        if stem is not None and stem in name_words:
            title_terms.add(stem)

    weights = {
        term: (W_COMMON if term in _COMMON_STEMS else W_WORD) * (1.0 + math.log(count))
        for term, count in counts.items()
    }
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TERMS]
    norm = math.sqrt(sum(w * w for _, w in top)) or 1.0

    published = story.published
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return Fingerprint(
        published=published.astimezone(UTC),
        source=" ".join(_fold(story.source).casefold().split()),
        # Rounded here, not only in JSON, so a stored fingerprint reads back equal.
        terms={term: round(w / norm, 4) for term, w in top},
        title=frozenset(title_terms),
        names=frozenset(names),
        numbers=_numbers(f"{title}\n{text}"),
        words=read,
        facts=_facts(f"{title}\n{text}", published.astimezone(UTC)),
    )


_TITLE_TAIL = re.compile(r"\s+[-|]\s+(?P<tail>(?:(?!\s[-|]\s).)+)$")


def _without_outlet(title: str) -> str:
    """The title without the outlet's name that feeds append to it ("Two shot in Dayton -
    WHIO TV 7 and WHIO Radio", "... | Reuters"): every outlet's name would otherwise be a
    name that all its stories share."""
    for _ in range(2):
        m = _TITLE_TAIL.search(title)
        if m is None:
            break
        tail = m.group("tail").split()
        head = title[: m.start()]
        looks_like_a_name = all(
            w[0].isupper() or w[0].isdigit() or not w[0].isalnum() or w.lower() in _STOPWORDS
            for w in tail
        )
        if not (looks_like_a_name or "." in m.group("tail")) or len(head.split()) < 4:
            break
        title = head
    return title


def _lead(text: str, limit: int) -> tuple[str, int]:
    """The text up to its `limit`-th word, and how many words that is."""
    count = 0
    for m in _WORD.finditer(text):
        count += 1
        if count == limit:
            return text[: m.end()], count
    return text, count


def _fold_phrases(names: set[str]) -> set[str]:
    """Drops a name that is part of a longer one ("Stratus" beside "Stratus Cloud"), so one
    thing named twice is not counted as two."""
    words_of_longer = {w for p in names if " " in p for w in p.split()}
    return {p for p in names if " " in p or p not in words_of_longer}


def _limit(names: set[str]) -> set[str]:
    if len(names) <= MAX_NAMES:
        return names
    return set(sorted(names, key=lambda p: (-_name_weight(p), len(p), p))[:MAX_NAMES])


def _terms(words: Iterable[_Word], names: frozenset[str]) -> Iterable[str]:
    """Content terms: stemmed words that are neither function words nor names."""
    for word in words:
        if _is_code(word.surface):
            continue
        for part in word.surface.split("-"):
            if len(part) < 2 or _HAS_DIGIT.search(part):
                continue
            stem = _stem(part)
            if len(stem) < 2 or stem in _STOP_STEMS or part.lower() in _STOPWORDS:
                continue
            if part[0].isupper() and stem in names:
                continue
            yield stem


# --------------------------------------------------------------------------- matching


def same_story(a: Fingerprint, b: Fingerprint, common: frozenset[str] = frozenset()) -> float:
    """How surely `a` and `b` report the same story: a score in [0, 1], symmetric; above
    `THRESHOLD` means the same story. 0 for two items of the same source, or fingerprints
    of different versions. `common`: name words many recent stories use (`common_names`),
    weak evidence."""
    if a.version != b.version or a.source == b.source:
        return 0.0
    # Most pairs share neither a name nor a figure, so no evidence of one event: a set
    # test decides them before any sum (median match vs 500 recent: 7.3 -> 2.0 ms, #19).
    if a._name_words.isdisjoint(b._name_words) and a.numbers.keys().isdisjoint(b.numbers):
        return 0.0

    if _contradicts(a, b) is not None or _different_actors(a, b):
        return 0.0
    specific = _shared_names(a, b, common) + _shared_numbers(a, b)
    if specific < MIN_SPECIFIC or _years_differ(a, b):
        return 0.0
    event = _event_evidence(a, b, common)
    if event < MIN_EVENT_WEAK:
        return 0.0

    small, large = (a.terms, b.terms) if len(a.terms) <= len(b.terms) else (b.terms, a.terms)
    content = sum(w * large.get(t, 0.0) for t, w in small.items())
    title = (_title_coverage(a, b) + _title_coverage(b, a)) / 2
    evidence = 1.0 - math.exp(-max(0.0, specific - 1.0) / SPECIFIC_SCALE)
    score = W_CONTENT * content + W_TITLE * title + W_SPECIFIC * evidence

    hours = abs((a.published - b.published).total_seconds()) / 3600
    if hours > TIME_GRACE_HOURS:
        score /= 1.0 + (hours - TIME_GRACE_HOURS) / TIME_DECAY_HOURS
    score = max(0.0, min(1.0, score))
    if event < MIN_EVENT:  # one shared name: all or nothing, so it never tips a story
        score -= WEAK_EVENT_MARGIN
        return score if score > threshold_for(a, b) else 0.0
    return score


def _different_actors(a: Fingerprint, b: Fingerprint) -> bool:
    """Each title names someone or something the other item never mentions: the same
    boxer against two opponents, one team's two players in two stories (#19)."""
    return _title_name_unknown(a, b) and _title_name_unknown(b, a)


def _title_name_unknown(a: Fingerprint, b: Fingerprint) -> bool:
    return any(
        term in a._name_words
        and len(term) > 2
        and term not in _GENERIC_NAME_STEMS
        and term not in _GENERIC_WORD_STEMS
        and term not in b._name_words
        and term not in b.terms
        for term in a.title
    )


def _shared_names(a: Fingerprint, b: Fingerprint, common: frozenset[str]) -> float:
    """Evidence from names: each side's names the other side also uses (as a name, or as a
    word where it missed it as a name), averaged over the two sides."""
    return (_covered_names(a, b, common) + _covered_names(b, a, common)) / 2


def _event_evidence(a: Fingerprint, b: Fingerprint, common: frozenset[str]) -> float:
    """Evidence that `a` and `b` report one event, not only one topic: names each side
    uses that the other also uses as a name (a word of the other's text is not enough:
    "hospital" or "police" in any shooting report), plus shared figures (amounts, counts
    with a unit, times of day; not bare small numbers or years)."""
    names = (_named_by(a, b, common) + _named_by(b, a, common)) / 2
    figures = sum(
        min(w, b.numbers[k]) for k, w in a.numbers.items() if k in b.numbers and w >= W_TIME
    )
    return names + figures


def _named_by(a: Fingerprint, b: Fingerprint, common: frozenset[str]) -> float:
    """`a`'s names that `b` also names, each thing once: "South Bend" and "South Bend
    Police" are one piece of evidence (the place), not two."""
    total = 0.0
    seen: set[str] = set()
    for words, weight in sorted(a._phrases, key=lambda p: -len(p[0])):
        shared = words & b._name_words
        if shared and not shared <= seen:
            total += _weight(words, weight, common)
            seen |= shared
    return total


def _years_differ(a: Fingerprint, b: Fingerprint) -> bool:
    """Both items date themselves by year and no year is common: two events of one kind
    (a star's stay in rehab in 2008, another's in 2013), not one."""
    years_a = {k for k, w in a.numbers.items() if w == W_YEAR}
    years_b = {k for k, w in b.numbers.items() if w == W_YEAR}
    return bool(years_a) and bool(years_b) and years_a.isdisjoint(years_b)


def _covered_names(a: Fingerprint, b: Fingerprint, common: frozenset[str]) -> float:
    total = 0.0
    for words, weight in a._phrases:
        if not words.isdisjoint(b._name_words) or any(w in b.terms for w in words):
            total += _weight(words, weight, common)
    return total


def _weight(words: frozenset[str], weight: float, common: frozenset[str]) -> float:
    """A name's weight as evidence: that of a generic name when many recent stories use
    it ("Klitschko" in a week of his fights, a city's police in its shootings)."""
    return min(weight, W_COMMON_NAME) if words <= common else weight


def common_names(
    new: Fingerprint, stories: Sequence[tuple[int, Sequence[Fingerprint]]]
) -> frozenset[str]:
    """The words of `new`'s names that at least `COMMON_STORIES` of the stories use as
    names: they say which kind of story, not which one (#19). A story that shares more
    with `new` than that one name (another of its names, or a figure) is a candidate for
    `new`'s own event and is not counted: the reports of one event that did not merge
    would otherwise make the event's own names common, and keep the next report out."""
    counts: dict[str, int] = {}
    for _, members in stories:
        if not members:
            continue
        first = members[0]
        used = new._name_words & first._name_words
        if not used or _candidate(new, first, used):
            continue
        for word in used:
            counts[word] = counts.get(word, 0) + 1
    return frozenset(w for w, n in counts.items() if n >= COMMON_STORIES)


def _candidate(new: Fingerprint, first: Fingerprint, used: frozenset[str]) -> bool:
    """`first` may report `new`'s event: it shares two distinct names with `new`, or a
    name and a figure, and states no fact or actor that rules it out."""
    if _contradicts(new, first) is not None or _different_actors(new, first):
        return False
    phrases = [words for words, weight in new._phrases if words & used and weight >= W_NAME]
    if not phrases:
        return False
    figures = any(
        k in first.numbers and w >= W_TIME and first.numbers[k] >= W_TIME
        for k, w in new.numbers.items()
    )
    if figures:
        return True
    # Two phrases of `new` that `first` meets on different words.
    seen: list[frozenset[str]] = []
    for words in phrases:
        hit = words & used
        if any(hit.isdisjoint(other) for other in seen):
            return True
        seen.append(hit)
    return False


def _shared_numbers(a: Fingerprint, b: Fingerprint) -> float:
    small, large = (
        (a.numbers, b.numbers) if len(a.numbers) <= len(b.numbers) else (b.numbers, a.numbers)
    )
    return sum(max(w, large[k]) for k, w in small.items() if k in large)


def _title_coverage(a: Fingerprint, b: Fingerprint) -> float:
    """The weighted share of `a`'s title that `b` also says."""
    total = 0.0
    covered = 0.0
    for term in a.title:
        if term in a._name_words:
            weight = W_TITLE_NAME
            hit = term in b._name_words or term in b.terms
        else:
            weight = W_COMMON if term in _COMMON_STEMS else W_WORD
            hit = term in b.terms or term in b._name_words
        total += weight
        if hit:
            covered += weight
    return covered / total if total else 0.0


def threshold_for(a: Fingerprint, b: Fingerprint) -> float:
    """The score above which `a` and `b` are the same story. Scores of short items run
    differently from those of long ones (fewer terms, so a shared word weighs more), so
    the bar depends on the shorter of the two, as calibrated on the development set."""
    known = min(a.words, b.words) / SHORT_WORDS
    return THRESHOLD_TITLES + (THRESHOLD - THRESHOLD_TITLES) * min(1.0, known)


def best_story(
    new: Fingerprint,
    stories: Sequence[tuple[int, Sequence[Fingerprint]]],
    *,
    window: timedelta = DEFAULT_WINDOW,
) -> int | None:
    """The key of the story `new` joins: each story is its members, its first post first.
    `new` must be the same story as the first post, or as most of the members (at least
    two): matching one later member is not enough, or one wrong merge would draw in the
    reports of its own event and the story drift away from what was posted (#19). Among
    the stories it joins, the one it matches best, on a tie the earliest. None if none."""
    best_key: int | None = None
    best: tuple[float, float] = (0.0, 0.0)
    common = common_names(new, stories)
    for key, members in stories:
        if not members or abs(members[0].published - new.published) > window:
            continue
        score = _story_score(new, members, common)
        rank = (score, -members[0].published.timestamp())
        if score > 0.0 and (best_key is None or rank > best):
            best_key, best = key, rank
    return best_key


def _story_score(new: Fingerprint, members: Sequence[Fingerprint], common: frozenset[str]) -> float:
    """How far above the bar `new` scores against the story: against its first post, else
    the median margin over members when most of them pass. 0 when it does not join."""
    margins = [same_story(new, m, common) - threshold_for(new, m) for m in members]
    if margins[0] > 0:
        return margins[0]
    passed = sorted((m for m in margins if m > 0), reverse=True)
    if len(passed) >= 2 and 2 * len(passed) > len(members):
        return passed[len(passed) // 2]
    return 0.0


def best_match(
    new: Fingerprint,
    candidates: Sequence[tuple[int, Fingerprint]],
    *,
    window: timedelta = DEFAULT_WINDOW,
) -> int | None:
    """The key of the candidate that reports the same story as `new`: the best
    `same_story` score above `THRESHOLD` among the candidates published within `window`
    of `new` (before or after); on a tie, the earliest published. None if none does."""
    best_key: int | None = None
    best: tuple[float, float] = (THRESHOLD, 0.0)
    for key, candidate in candidates:
        if abs(candidate.published - new.published) > window:
            continue
        score = same_story(new, candidate)
        rank = (score, -candidate.published.timestamp())
        if score > threshold_for(new, candidate) and (best_key is None or rank > best):
            best_key, best = key, rank
    return best_key
