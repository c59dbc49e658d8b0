"""Story matching: does a new item report the same story as one posted recently?

Pure functions: no I/O, no clock. Times come from the items themselves.

How an item is seen (`fingerprint`, once per item, stored as JSON with the item):

- **terms**: content words of the title and text, lower-cased, lightly stemmed (plural,
  -ed, -ing, British spellings), function words dropped. Each gets a static weight: a
  name (a word written with a capital where a sentence does not start, an acronym, a product
  code such as ``Orion-4`` or ``CVE-2026-21877``) weighs most, everyday news vocabulary
  ("said", "company", "shares", "billion") least; title words count twice; term frequency is
  dampened. The vector is L2-normalised and cut to the heaviest ``MAX_TERMS``.
- **entities**: those names, as lower-case tokens (``Kestrel Semiconductor`` gives
  ``kestrel`` and ``semiconductor``, so an outlet that writes only "Kestrel" still shares it).
- **numbers**: quantities normalised to their value, so "$2.1bn", "$2.1 billion" and
  "2.1 billion dollars" are one key, as are "48m" and "48 million", "12%" and "12 percent".
  Years and small bare counts are kept apart as weak evidence.
- **title**: the stemmed content words of the title.

How two items are compared (`same_story`): the cosine of the term vectors, how much of
each title the other item covers, the share of names in common, and quantities in common,
combined into one score in [0, 1], then scaled down as the items drift apart in time. A
different story about the same company on the same day shares a name or two and the
company's vocabulary but not the specifics (other people, places, amounts, products), and
the combination is set so that such a pair stays under `THRESHOLD`: a missed merge is
preferred to a false one. Two items need at least two distinct pieces of specific evidence
(names or strong quantities) in common before they can match at all.

Two items of the same source are never the same story: an outlet that writes about a
story again is publishing an update or a follow-up, which readers should see. (Caveat: an
aggregator feed that carries several outlets under one source name is the exception;
duplicates within one feed are the identity stage's business, not this module's.)
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = [
    "DEFAULT_WINDOW",
    "FINGERPRINT_VERSION",
    "THRESHOLD",
    "Fingerprint",
    "StoryText",
    "best_match",
    "fingerprint",
    "same_story",
]

FINGERPRINT_VERSION = 1
"""Bumped whenever `fingerprint` changes: fingerprints of another version never match."""

THRESHOLD = 0.42
"""`same_story` scores above this are the same story."""

DEFAULT_WINDOW = timedelta(hours=48)
MAX_TERMS = 64
"""Terms kept per fingerprint (the heaviest): bounds the stored size and the match time."""
MAX_INPUT_CHARS = 4000
"""Only this much of an item's text is read: the lede says what the story is."""

# Weights of the parts of the score (they sum to 1).
W_COSINE = 0.40
W_TITLE = 0.25
W_ENTITIES = 0.20
W_NUMBERS = 0.15
MIN_EVIDENCE = 2.0
"""Shared specific evidence (names, strong quantities) required before a pair can match."""
TIME_GRACE_HOURS = 24.0
TIME_DECAY_HOURS = 96.0
"""Beyond the grace period, the score is divided by 1 + (hours - grace) / decay."""

# Term weights.
W_NAME = 2.5
W_CODE = 3.0
W_WORD = 1.0
W_COMMON = 0.35
TITLE_BOOST = 2.0

# Quantity weights (by the key's prefix).
_NUMBER_WEIGHTS = {"q": 1.5, "n": 0.6, "y": 0.3}


@dataclass(frozen=True, slots=True)
class StoryText:
    """What the matcher sees of an item."""

    title: str
    text: str
    """Summary, introduction or first paragraphs, as plain text."""
    published: datetime
    """Timezone-aware; compared in UTC."""
    source: str
    """The outlet's name, as the guild's source calls it."""


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A compact, precomputed view of one item. Build it with `fingerprint`; store it with
    `to_json` and read it back with `from_json`."""

    published: datetime
    source: str
    terms: Mapping[str, float] = field(hash=False)
    """Term to weight, L2-normalised."""
    title: frozenset[str]
    entities: frozenset[str]
    numbers: frozenset[str]
    version: int = FINGERPRINT_VERSION

    def to_json(self) -> str:
        """A compact JSON string holding everything `from_json` needs."""
        return json.dumps(
            {
                "v": self.version,
                "published": self.published.astimezone(UTC).isoformat(),
                "source": self.source,
                "terms": {term: round(weight, 4) for term, weight in self.terms.items()},
                "title": sorted(self.title),
                "entities": sorted(self.entities),
                "numbers": sorted(self.numbers),
            },
            ensure_ascii=False,
            separators=(",", ":"),
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, data: str) -> Fingerprint:
        """The fingerprint `to_json` wrote. Raises ValueError if `data` is not one."""
        try:
            raw: Any = json.loads(data)
            published = datetime.fromisoformat(raw["published"])
            if published.tzinfo is None:
                raise ValueError("naive published time")
            return cls(
                published=published.astimezone(UTC),
                source=str(raw["source"]),
                terms={str(k): float(v) for k, v in raw["terms"].items()},
                title=frozenset(str(t) for t in raw["title"]),
                entities=frozenset(str(e) for e in raw["entities"]),
                numbers=frozenset(str(n) for n in raw["numbers"]),
                version=int(raw["v"]),
            )
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not a story fingerprint: {exc}") from exc


# --------------------------------------------------------------------------- vocabulary

_STOPWORDS = frozenset(
    """a about above across after again against ago all almost along already also although
    am among amid an and another any anyone anything are around as at away back be became
    because become been before being below between both but by can cannot could did do does
    doing done down during each either else even ever every few for from further get gets
    got had has have having he her here hers herself him himself his how however i if in
    into is it its itself just least less like many may me might more most much must my
    myself near neither next no nor not now of off on once one only onto or other others
    otherwise our ours ourselves out over own per perhaps quite rather same she should since
    so some still such than that the their theirs them themselves then there these they
    this those though through thus to too toward towards under unless until up upon us very
    via vs was we well were what whatever when where whether which while who whom whose why
    will with within without would yet you your yours yourself yourselves
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
    tonight week weeks month months year years day days hour hours morning evening night
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    mr mrs ms dr st inc ltd llc corp co plc gmbh
    two three four five six seven eight nine ten half dozen first second third
    """.split()  # noqa: SIM905
)
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

_NAME_STOP = frozenset(
    """the a an this that these those it its in on at of for to and or but as by with
    from after before when while if why how what who where which there here he she they we
    you i our their his her my your new more most some many all one two""".split()  # noqa: SIM905
)
"""Capitalised words that start sentences but are never names."""

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
_PERCENT = frozenset({"%", "percent", "per cent", "pc", "percentage points"})

# --------------------------------------------------------------------------- tokenising

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_DASHES = re.compile("[\u2010-\u2015\u2212]")
_WORD = re.compile(r"[^\W_]+(?:['.\-][^\W_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?:;\"()\[\]]\s*$|\n\s*$")
_HAS_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(
    r"(?P<cur>[$€£¥])?\s?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<scale>thousand|millions?|mln|mn|m|billions?|bn|b|trillion|tn|t|k)\b)?"
    r"(?:\s?(?P<pct>%|percent\b|per cent\b|pc\b|percentage points?\b))?"
    r"(?:-?\s?(?P<unit>[a-z]{1,12}))?",
    re.IGNORECASE,
)
_WORD_NUMBER = re.compile(
    r"\b(?P<num>(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|thirty|forty|fifty|sixty|hundred|a|an))[\s-]+"
    r"(?P<scale>thousand|million|billion|trillion)\b"
    r"(?:[\s-]+(?P<unit>[a-z]{1,12}))?",
    re.IGNORECASE,
)
_NUMBER_AND_UNIT = re.compile(r"\d+(?:\.\d+)?[a-z]{1,4}", re.IGNORECASE)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_UNIT_WORDS = frozenset(
    """dollar dollars euro euros pound pounds yen usd eur gbp share shares job jobs
    employee employees people worker workers staff user users customer customers subscriber
    subscribers device devices qubit qubits token tokens satellite satellites hospital
    hospitals country countries watt watts kw mw gw kwh mwh gwh w kilowatt kilowatts
    megawatt megawatts gigawatt gigawatts nm nanometre nanometres nanometer nanometers gb tb
    pb mah mile miles km hours minutes parameter parameters unit units car cars vehicle
    vehicles""".split()  # noqa: SIM905
)
"""Words after a number that make it a specific quantity even without a scale."""


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    return _DASHES.sub("-", text)


def _stem(word: str) -> str:
    """A light, deterministic stemmer: enough to meet "releases", "released", "releasing"
    and "licence"/"license" in one form; not linguistics."""
    w = word.lower()
    if w.endswith("'s"):
        w = w[:-2]
    elif w.endswith("'"):
        w = w[:-1]
    if len(w) <= 3 or _HAS_DIGIT.search(w):
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("ied") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ing") and len(w) >= 6:
        w = w[:-3]
        if len(w) > 2 and w[-1] == w[-2] and w[-1] not in "lsz":
            w = w[:-1]
    elif w.endswith("ed") and len(w) >= 5:
        w = w[:-2]
        if len(w) > 2 and w[-1] == w[-2] and w[-1] not in "lsz":
            w = w[:-1]
    # British and American spellings meet ("monopolised", "monopolized").
    if w.endswith("ise"):
        w = w[:-3] + "ize"
    elif w.endswith("is"):
        w = w[:-2] + "iz"
    if w.endswith("tre") and len(w) > 4:
        w = w[:-3] + "ter"
    if w.endswith("ence") and w.startswith("licen"):
        w = "license"
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    if w.endswith("y") and len(w) > 4:
        w = w[:-1] + "i"
    return w


_COMMON_STEMS = frozenset(_stem(w) for w in _COMMON)
_STOP_STEMS = frozenset(_stem(w) for w in _STOPWORDS) | _STOPWORDS


def _format_value(value: float) -> str:
    if value == 0:
        return "0"
    digits = 3 - int(math.floor(math.log10(abs(value)))) - 1
    return f"{round(value, digits):g}" if digits > 0 else f"{round(value, digits):.0f}"


def _numbers(text: str) -> set[str]:
    """Quantities as value keys: ``q:`` specific (scaled, money, percent, a unit, or at
    least 100), ``n:`` a small bare count, ``y:`` a year."""
    keys: set[str] = set()
    # Codes ("us-east-2", "CVE-2026-21877", "M2") are names, not quantities.
    text = _WORD.sub(lambda m: " " * len(m.group()) if _is_code(m.group()) else m.group(), text)
    for m in _NUMBER.finditer(text):
        raw = m.group("num").replace(",", "")
        try:
            value = float(raw)
        except ValueError:  # pragma: no cover - the pattern only matches numbers
            continue
        start = m.start("num")
        if start > 0 and text[start - 1].isalpha():
            continue
        scale_word = (m.group("scale") or "").lower()
        if scale_word in {"m", "b", "t", "k"} and m.group("cur") is None:
            # "5 m" is metres and "2 b" a list item unless money is meant: "1M tokens" and
            # "48m" (no space) are the usual forms of a scaled number without a currency.
            if text[m.end("num") : m.start("scale")] != "":
                scale_word = ""
        scale = _SCALES.get(scale_word, 1.0)
        unit = (m.group("unit") or "").lower()
        if m.group("pct"):
            keys.add(f"q:{_format_value(value)}%")
            continue
        if scale_word and scale != 1.0:
            keys.add(f"q:{_format_value(value * scale)}")
            continue
        if m.group("cur") or unit in _UNIT_WORDS or value >= 100:
            if _YEAR.match(raw) and not m.group("cur") and unit not in _UNIT_WORDS:
                keys.add(f"y:{raw}")
            else:
                keys.add(f"q:{_format_value(value)}")
            continue
        if "." in raw:
            keys.add(f"q:{_format_value(value)}")
        elif value >= 2:
            keys.add(f"n:{_format_value(value)}")
    for m in _WORD_NUMBER.finditer(text):
        base = _NUMBER_WORDS[m.group("num").lower()]
        keys.add(f"q:{_format_value(base * _SCALES[m.group('scale').lower()])}")
    return keys


@dataclass(slots=True)
class _Word:
    surface: str
    sentence_start: bool


def _words(text: str) -> list[_Word]:
    words: list[_Word] = []
    last_end = 0
    for m in _WORD.finditer(text):
        gap = text[last_end : m.start()]
        start = not words or bool(_SENTENCE_END.search(gap))
        surface = m.group().rstrip(".")
        words.append(_Word(surface, start))
        last_end = m.end()
    return words


def _is_capitalised(surface: str) -> bool:
    first = surface[0]
    return first.isupper() or (first.isdigit() and any(c.isupper() for c in surface))


def _is_code(surface: str) -> bool:
    """A product or identifier: letters and digits mixed ("Orion-4", "M2", "us-east-2",
    "CVE-2026-21877", "2nm" is not: a number and a unit)."""
    has_digit = bool(_HAS_DIGIT.search(surface))
    has_alpha = any(c.isalpha() for c in surface)
    if not (has_digit and has_alpha):
        return False
    # A number followed by a unit ("2nm", "48m", "5G" stays a code: short and upper-case).
    return not _NUMBER_AND_UNIT.fullmatch(surface)


def _is_title_case(words: Sequence[_Word]) -> bool:
    content = [w for w in words if w.surface.lower() not in _NAME_STOP and w.surface[0].isalpha()]
    if len(content) < 3:
        return False
    capitalised = sum(1 for w in content if w.surface[0].isupper())
    return capitalised / len(content) > 0.7


def _names(words: Sequence[_Word], trusted_caps: bool, known: set[str]) -> set[str]:
    """Lower-case name tokens: capitalised words inside a sentence, acronyms and codes;
    a sentence's first word only when it runs into another capitalised word or is known as
    a name from elsewhere in the item."""
    names: set[str] = set()
    for i, word in enumerate(words):
        surface = word.surface
        low = surface.lower().removesuffix("'s")
        if _is_code(surface):
            names.add(low)
            continue
        if not _is_capitalised(surface) or low in _NAME_STOP:
            continue
        if not trusted_caps and not surface.isupper():
            if low in known:
                names.add(low)
            continue
        if word.sentence_start:
            following = words[i + 1] if i + 1 < len(words) else None
            runs_on = (
                following is not None
                and not following.sentence_start
                and _is_capitalised(following.surface)
                and following.surface.lower() not in _NAME_STOP
            )
            if not (runs_on or low in known or (surface.isupper() and len(surface) > 1)):
                continue
        names.add(low)
    return {n for n in names if n not in _STOPWORDS and len(n) > 1}


# --------------------------------------------------------------------------- fingerprint


def fingerprint(story: StoryText) -> Fingerprint:
    """The matcher's view of one item. Never raises on any text."""
    title = _fold(story.title[:MAX_INPUT_CHARS])
    text = _fold(story.text[:MAX_INPUT_CHARS])
    title_words = _words(title)
    text_words = _words(text)

    # Names: the text's sentence case is trusted; a title in Title Case is not, and then
    # gives only the names the text confirms.
    text_names = _names(text_words, trusted_caps=True, known=set())
    text_names |= _names(text_words, trusted_caps=True, known=text_names)
    title_trusted = not _is_title_case(title_words)
    title_names = _names(title_words, trusted_caps=title_trusted, known=text_names)
    entities = {_stem(n) if not _HAS_DIGIT.search(n) else n for n in text_names | title_names}
    entities -= _COMMON_STEMS

    counts: dict[str, float] = {}
    title_terms: set[str] = set()
    for words, boost, into_title in ((title_words, TITLE_BOOST, True), (text_words, 1.0, False)):
        for term in _terms(words):
            counts[term] = counts.get(term, 0.0) + boost
            if into_title:
                title_terms.add(term)

    weights: dict[str, float] = {}
    for term, count in counts.items():
        if term in entities:
            base = W_CODE if _HAS_DIGIT.search(term) else W_NAME
        elif term in _COMMON_STEMS:
            base = W_COMMON
        else:
            base = W_WORD
        weights[term] = base * (1.0 + math.log(count))
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TERMS]
    norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
    terms = {term: w / norm for term, w in top}

    published = story.published
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return Fingerprint(
        published=published.astimezone(UTC),
        source=_source_key(story.source),
        terms=terms,
        title=frozenset(title_terms),
        entities=frozenset(entities),
        numbers=frozenset(_numbers(title) | _numbers(text)),
    )


def _terms(words: Iterable[_Word]) -> Iterable[str]:
    for word in words:
        surface = word.surface
        if _is_code(surface):
            yield surface.lower()
            continue
        for part in surface.split("-"):
            if not part or part.isdigit() or _HAS_DIGIT.search(part):
                continue
            low = part.lower().removesuffix("'s").strip("'.")
            if len(low) < 2 or low in _STOPWORDS:
                continue
            stem = _stem(low)
            if stem in _STOP_STEMS:
                continue
            yield stem


def _source_key(source: str) -> str:
    return " ".join(_fold(source).casefold().split())


# --------------------------------------------------------------------------- matching


def same_story(a: Fingerprint, b: Fingerprint) -> float:
    """How surely `a` and `b` report the same story: a score in [0, 1]; above `THRESHOLD`
    means yes. Symmetric. 0 for two items of the same source or of different fingerprint
    versions."""
    if a.version != b.version or a.source == b.source:
        return 0.0

    shared_entities = a.entities & b.entities
    shared_numbers = a.numbers & b.numbers
    number_weight = sum(_NUMBER_WEIGHTS.get(n[0], 0.0) for n in shared_numbers)
    evidence = (
        sum(1.5 if _HAS_DIGIT.search(e) else 1.0 for e in shared_entities)
        + sum(1.0 for n in shared_numbers if n.startswith("q:"))
    )
    if evidence < MIN_EVIDENCE:
        return 0.0

    small, large = (a.terms, b.terms) if len(a.terms) <= len(b.terms) else (b.terms, a.terms)
    cosine = sum(w * large.get(t, 0.0) for t, w in small.items())

    title = (_coverage(a.title, a.terms, b.terms) + _coverage(b.title, b.terms, a.terms)) / 2

    fewer = min(len(a.entities), len(b.entities))
    entities = len(shared_entities) / max(4, fewer) if fewer else 0.0

    numbers = min(1.0, number_weight / 3.0)

    score = W_COSINE * cosine + W_TITLE * title + W_ENTITIES * min(1.0, entities)
    score += W_NUMBERS * numbers

    hours = abs((a.published - b.published).total_seconds()) / 3600
    if hours > TIME_GRACE_HOURS:
        score /= 1.0 + (hours - TIME_GRACE_HOURS) / TIME_DECAY_HOURS
    return max(0.0, min(1.0, score))


def _coverage(title: frozenset[str], own: Mapping[str, float], other: Mapping[str, float]) -> float:
    """The weighted share of a title's terms that the other item also uses."""
    total = 0.0
    covered = 0.0
    for term in title:
        weight = own.get(term, 0.0)
        total += weight
        if term in other:
            covered += weight
    return covered / total if total else 0.0


def best_match(
    new: Fingerprint,
    candidates: Sequence[tuple[int, Fingerprint]],
    *,
    window: timedelta = DEFAULT_WINDOW,
) -> int | None:
    """The key of the candidate that reports the same story as `new`: the highest
    `same_story` score above `THRESHOLD` among candidates published within `window` of
    `new` (either side); ties go to the earlier candidate. None if there is none."""
    best_key: int | None = None
    best_score = THRESHOLD
    best_time: datetime | None = None
    for key, candidate in candidates:
        if abs(candidate.published - new.published) > window:
            continue
        score = same_story(new, candidate)
        if score > best_score or (
            score == best_score
            and best_key is not None
            and best_time is not None
            and candidate.published < best_time
        ):
            best_key, best_score, best_time = key, score, candidate.published
    return best_key
