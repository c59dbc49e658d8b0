"""Names in news text without a statistical model: capitalised runs, a place gazetteer
(derived from GeoNames, shipped in data/places.tsv), organisation suffixes and the cues
newswriting leaves around people ("said", "chief executive", "Dr").

The aim is precision: a run that gives no evidence of being a person, an organisation or a
place is left out rather than guessed."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Literal

from bot.brief.rank import STOPWORDS
from bot.brief.sentences import Sentence

Kind = Literal["person", "org", "place", "other"]

_TOKEN = (
    r"(?:[A-Z][A-Za-z0-9'’&.-]*[A-Za-z0-9]|[A-Z]|(?:al|el|bin|ibn)-[A-Z][A-Za-z'’-]*[a-z]|"
    r"[a-z]+[A-Z][A-Za-z0-9]*)"
)
_CONNECTOR = r"(?:of|de|du|da|van|von|der|den|la|le|al|bin|y|&)"
RUN = re.compile(rf"{_TOKEN}(?:(?: {_CONNECTOR})? {_TOKEN})*")

ORG_SUFFIXES = frozenset(
    [
        "Inc",
        "Inc.",
        "Corp",
        "Corp.",
        "Corporation",
        "Co",
        "Co.",
        "Company",
        "Ltd",
        "Ltd.",
        "LLC",
        "plc",
        "PLC",
        "AG",
        "SA",
        "NV",
        "GmbH",
        "Group",
        "Holdings",
        "Systems",
        "Labs",
        "Lab",
        "Technologies",
        "Technology",
        "Networks",
        "Network",
        "Software",
        "Security",
        "Semiconductor",
        "Semiconductors",
        "Motors",
        "Energy",
        "Bank",
        "Capital",
        "Partners",
        "Ventures",
        "University",
        "Institute",
        "Commission",
        "Agency",
        "Authority",
        "Department",
        "Ministry",
        "Council",
        "Court",
        "Administration",
        "Foundation",
        "Association",
        "Union",
        "Games",
        "Health",
        "Media",
        "Press",
        "Data",
        "Cloud",
        "AI",
        "Robotics",
        "Fiber",
        "Fibre",
        "Telecom",
        "Airlines",
        "Pharma",
        "Therapeutics",
        "Microsystems",
        "Communications",
        "Studios",
        "Studio",
        "Exchange",
        "Parliament",
        "Senate",
        "Congress",
        "Reserve",
        "Board",
        "Office",
        "Services",
        "Bureau",
        "Police",
        "Army",
        "Navy",
        "Industries",
        "Electronics",
        "Devices",
        "Memory",
        "Power",
        "Motor",
        "Mobility",
        "Insights",
        "Analytics",
        "Solutions",
        "Dynamics",
        "Aerospace",
        "Space",
        "Satellite",
        "Satellites",
        "Wireless",
        "Mobile",
        "Payments",
        "Pay",
        "Bio",
        "Biotech",
        "Foods",
        "Markets",
        "Financial",
        "Insurance",
        "Logistics",
        "Automotive",
        "Computing",
        "Compute",
        "Chips",
        "Micro",
        "Digital",
        "Interactive",
        "Entertainment",
        "Records",
        "Publishing",
        "News",
        "Times",
        "Post",
        "Journal",
        "Review",
        "Canada",
    ]
)
ORG_PREFIXES = ("City of ", "Bank of ", "University of ", "Ministry of ", "Department of ")
NOT_NAMES = frozenset(
    [
        "AI",
        "CEO",
        "CTO",
        "CFO",
        "COO",
        "CISO",
        "GMT",
        "UTC",
        "GPU",
        "GPUs",
        "CPU",
        "CPUs",
        "API",
        "APIs",
        "IPO",
        "EV",
        "EVs",
        "PC",
        "PCs",
        "TV",
        "SaaS",
        "VPN",
        "OK",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Prof",
        "PhD",
        "It",
        "He",
        "She",
        "They",
        "We",
        "I",
        "You",
        "The",
        "A",
        "An",
        "This",
        "That",
        "These",
        "Those",
        "Its",
        "Our",
        "Their",
        "His",
        "Her",
        "Series",
        "Act",
        "Regulation",
        "Law",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Internet",
        "Web",
        "Wi-Fi",
        "Bluetooth",
        "Covid",
        "Christmas",
        "Easter",
        "Black",
        "Friday",
        "Cyber",
        "Monday",
        "Chief",
        "Executive",
        "Officer",
        "President",
    ]
)
DEMONYMS_AND_LANGUAGES = re.compile(
    r"^(?:[A-Z][a-z]+(?:ish|ese|ian|ean|an|ic|i|ch))$"  # English, Japanese, Indian, Dutch...
)
TITLES = (
    "Dr ",
    "Dr. ",
    "Mr ",
    "Mr. ",
    "Ms ",
    "Ms. ",
    "Mrs ",
    "Mrs. ",
    "Judge ",
    "Professor ",
    "Prof. ",
    "Governor ",
    "Senator ",
    "Mayor ",
    "Sir ",
    "Dame ",
    "President ",
    "Minister ",
    "Commissioner ",
)
ROLE_WORDS = (
    r"chief [a-z ]{0,30}?(?:officer|executive|scientist|economist|engineer|architect)|"
    r"(?:co-)?founder|(?:vice |deputy )?president|chair(?:man|woman|person)?|"
    r"(?:managing |executive |technical |research |general )?director|head of [a-z ]+|head|"
    r"(?:general |product |engineering |senior )?manager|analyst|spokes(?:person|man|woman)|"
    r"(?:deputy |prime |foreign |finance )?minister|(?:under |deputy )?secretary|"
    r"(?:deputy )?commissioner|governor|mayor|alderman|judge|professor|researcher|scientist|"
    r"engineer|economist|(?:general )?counsel|partner|lead(?:er)?|officer|executive|"
    r"CEO|CTO|CFO|COO|CISO|director|editor|inventor|developer|programmer|designer|"
    r"senior vice president|vice president"
)
_ROLE = re.compile(rf"\b(?:{ROLE_WORDS})\b")
_SPEECH = re.compile(
    r"\b(?:said|says|told|wrote|added|explained|noted|argued|warned|according to|asked)\b"
)
_SUBJECT_VERB = re.compile(
    r"^(?:,[^,]{1,120},)?\s*(?:has |have |had |is |was |will |would |also |then |on \w+ )?"
    r"(?:said|says|announced|agreed|plans?|planned|released|launched|reported|raised|opened|"
    r"began|started|filed|sued|approved|ordered|fined|awarded|recalled|expects?|expected|"
    r"forecasts?|forecast|unveiled|acquired|bought|sold|cut|warned|disclosed|delayed|stopped|"
    r"switched|runs|operates|employs|sells|makes|built|builds|chose|received|denied|confirmed|"
    r"declined|won|signed|named|hired|invested|completed|moved|detected|traced|trained|"
    r"apologi[sz]ed|rolled|went|began|has|have|is|was|will|would|can|could)\b"
)
_LEADING_COMMON = STOPWORDS - {"new"}
_AGE_BEFORE = re.compile(r"\b\d{1,3}-year-old (?:[a-z]+ ){0,2}$")
_IDENTIFIED_AS = re.compile(
    r"\bidentified (?:(?:him|her|them|the [a-z]+(?: [a-z]+)?|\w+day) ){0,2}as "
    r"(?:(?:\d{1,3}-year-old |[A-Z][\w.’'-]*, \d{1,3}(?: of [^,;]{2,40})?,? |"
    r"[A-Z][\w.’'-]*(?: [A-Z][\w.’'-]*){0,3}(?:, \d{1,3})?(?:, of [^,;]{2,40})?[,;] |"
    r"and )){0,5}$"
)
_PARTY_NOUN_BEFORE = re.compile(
    r"\b(?:victims?|suspects?|gunman|shooter|deceased|dead (?:man|woman|boy|girl)),? "
    r"(?:\d{1,3}-year-old )?$"
)
_AGE_AFTER = re.compile(r"^,\s+(?:age |aged )?\d{1,3}(?:,|\s+of\b)")

_OF_HEADS = frozenset({"City", "Bank", "University", "Ministry", "Department", "Port", "Isle"})
_PLACE_SUFFIX = re.compile(r" (?:County|Province|Prefecture|Island|Islands|Valley)$")
_LOCATION_CUE = re.compile(
    r"\b(?:in|at|near|from|outside|across|to|into|around|throughout|based in|headquartered in|"
    r"of)\s+(?:the\s+)?$"
)


@functools.cache
def places() -> dict[str, tuple[str, int]]:
    """Place name -> (kind, population), from the shipped gazetteer."""
    table: dict[str, tuple[str, int]] = {}
    text = resources.files("bot.brief").joinpath("data/places.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, kind, population = line.split("\t")
        table[name] = (kind, int(population))
    table.setdefault("United States", ("country", 0))
    table.setdefault("United Kingdom", ("country", 0))
    table.setdefault("US", ("country", 0))
    table.setdefault("UK", ("country", 0))
    return table


def is_major_place(name: str) -> bool:
    """A place named anywhere counts: a country, US state, region, or a city of 500k+."""
    entry = places().get(name)
    return entry is not None and (entry[0] != "city" or entry[1] >= 500_000)


@dataclass
class Entity:
    name: str
    kind: Kind
    count: int = 0
    first: int = 10**6
    subject: bool = False
    role: str | None = None
    sentences: set[int] = field(default_factory=set)
    initial_only: bool = False
    speech: bool = False
    # named as a party to the event: with an age ("21-year-old Terrance Carroll",
    # "Leco Cole, 38,"), as the one identified ("identified the victim as ..."), or after
    # "the victim," / "the suspect,"
    participant: bool = False


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    start: int
    end: int
    sentence_initial: bool
    titled: bool = False


def runs(text: str) -> list[Span]:
    """Capitalised runs of a text, with possessives and trailing dots dropped; a sentence's
    first word is dropped when it is a common word ("The", "Shares")."""
    out: list[Span] = []
    pieces: list[tuple[str, int]] = []
    for m in RUN.finditer(text):
        offset = m.start()
        for piece in re.split(r"(?<=['’]s) ", m.group(0)):
            pieces.append((piece, offset))
            offset += len(piece) + 1
    for value, start in pieces:
        before = text[:start].rstrip(" “\"'‘(")
        initial = not before or before[-1] in ".!?:\n"
        words = value.split(" ")
        titled = False
        while words and (words[0] in NOT_NAMES or words[0].lower() in _LEADING_COMMON):
            start += len(words[0]) + 1
            words = words[1:]
            initial = False
        if (
            initial
            and len(words) > 1
            and (words[0].endswith("ing") or (words[1] == "of" and words[0] not in _OF_HEADS))
        ):
            skip = 2 if words[1] == "of" else 1
            start += sum(len(w) + 1 for w in words[:skip])
            words = words[skip:]
            initial = False
        if words and words[0] + " " in TITLES and len(words) > 1:
            titled = True
        while words and (
            (words[-1] in NOT_NAMES and (len(words) == 1 or words[-1] not in ORG_SUFFIXES))
            or words[-1] in ("of", "&")
        ):
            words = words[:-1]
        if not words:
            continue
        value = " ".join(words)
        value = re.sub(r"['’]s?$", "", value)
        if value.endswith(".") and value.split(" ")[-1] not in ORG_SUFFIXES:
            value = value.rstrip(".")
        if len(value) < 2 or value in NOT_NAMES:
            continue
        if " of " in value:
            head, _, tail = value.partition(" of ")
            if tail in places() and head.split(" ")[-1] in ORG_SUFFIXES:
                out.append(Span(head, start, start + len(head), initial, titled))
                tail_start = start + len(head) + 4
                out.append(Span(tail, tail_start, tail_start + len(tail), False, False))
                continue
        out.append(Span(value, start, start + len(value), initial, titled))
    return out


def _classify(name: str, context_before: str, context_after: str) -> Kind:
    words = name.split(" ")
    if name.startswith(ORG_PREFIXES) or (len(words) > 1 and words[-1] in ORG_SUFFIXES):
        return "org"
    if _PLACE_SUFFIX.search(name):
        return "place"
    if name in places():
        if is_major_place(name) or _LOCATION_CUE.search(context_before):
            return "place"
        if re.match(r"^,\s+[A-Z]", context_after) or context_after.startswith("-based"):
            return "place"
        if re.match(
            r"^ (?:region|area|office|campus|plant|factory|site|headquarters|facility|data cent)",
            context_after,
        ):
            return "place"
    if any(context_before.endswith(t.strip()) for t in TITLES):
        return "person"
    if 2 <= len(words) <= 4 and all(
        re.fullmatch(
            r"[A-Z][a-z'’-]+|de|van|von|der|da|du|la|le|al|bin|(?:al|el)-[A-Z][a-z'’-]+", w
        )
        for w in words
    ):
        if _SPEECH.search(context_after[:12]) or _SPEECH.search(context_before[-25:]):
            return "person"
        if _ROLE.search(context_before[-45:]) or re.match(
            rf"^,\s+(?:the |a |an |who |[A-Z][\w’']+ )?(?:{ROLE_WORDS})", context_after
        ):
            return "person"
        if re.match(r"^,\s+(?:the |a )?[a-z ]{0,30}\b(?:at|of)\b", context_after):
            return "person"
        # "Destin Burks, 17, was arrested": an age after a name marks a person
        if re.match(r"^,\s+(?:age |aged )?\d{1,3},", context_after):
            return "person"
    if DEMONYMS_AND_LANGUAGES.match(name) and len(words) == 1 and name not in places():
        return "other"
    return "other"


def is_party_context(before: str, after: str) -> bool:
    """True where a name is given as a party to the event: with an age ("21-year-old
    Terrance Carroll", "Leco Cole, 38, of Baton Rouge"), as the one identified
    ("identified the victim as Leco Cole"), or after "the victim," / "the suspect,"."""
    return bool(
        _AGE_BEFORE.search(before[-40:])
        or _AGE_AFTER.match(after)
        or _IDENTIFIED_AS.search(before[-160:])
        or _PARTY_NOUN_BEFORE.search(before[-40:])
    )


def _role_of(name: str, text: str, start: int, end: int) -> str | None:
    """The role the text gives a person, in its own words."""
    after = text[end:]
    m = re.match(
        rf",\s+((?:the |a |an )?"
        rf"(?:[A-Z][\w&’'.-]*(?: [A-Z][\w&’'.-]*)*['’]s? |the [a-z]+['’]s |its )?"
        rf"(?:[a-z-]+ ){{0,3}}?(?:{ROLE_WORDS})"
        rf"(?: (?:of|at|for|in|responsible for|who oversees|who leads) [^,.;]{{2,60}})?)"
        rf"(?=[,.;]| said| says)",
        after,
    )
    if m:
        return re.sub(r"^(?:the|a|an) (?:company['’]s )?|^its ", "", m.group(1))
    m = re.match(r",\s+who (leads|heads|runs|founded|oversees|manages) ([^,.;]{3,80})", after)
    if m:
        return f"{m.group(1)} {m.group(2)}"
    before = text[:start]
    if before[:1].isupper() and not re.match(r"[A-Z][\w&’'.-]*['’]s? ", before):
        before = before[:1].lower() + before[1:]
    m = re.search(
        rf"(?:(?P<org>[A-Z][\w&’'.-]*(?: [A-Z][\w&’'.-]*)*)['’]s |the company['’]s |[Tt]he )?"
        rf"(?<![\w’'])(?P<role>(?:[a-z-]+ ){{0,2}}(?:{ROLE_WORDS})),? $",
        before,
    )
    if m:
        role = m.group("role").strip()
        if role.split(" ")[0].lower() in STOPWORDS:
            return None
        org = m.group("org")
        if org in ("Its", "His", "Her", "Their", "Our"):
            return None
        return f"{role} of {org}" if org and not org.startswith(("The ", "the ")) else role
    return None


def _is_person_form(name: str) -> bool:
    """Two to four capitalised words, the middle ones possibly initials: a person's form."""
    words = name.split(" ")
    return (
        2 <= len(words) <= 4
        and all(
            re.fullmatch(r"[A-Z][a-z'’-]+|[A-Z]\.(?:[A-Z]\.)?|de|van|von|der|da|du|la|le|al|bin", w)
            for w in words
        )
        and name not in places()
    )


def _mark_party(entity: Entity, before: str, after: str) -> None:
    if _is_person_form(entity.name) and is_party_context(before, after):
        entity.participant = True
        if entity.kind == "other":
            entity.kind = "person"


def extract(sentences: Sequence[Sentence], title: str = "") -> list[Entity]:
    """The people, organisations and places named in the sentences, most important first."""
    found: dict[str, Entity] = {}
    spans: list[tuple[Span, Sentence]] = []
    for sentence in sentences:
        for span in runs(sentence.text):
            spans.append((span, sentence))
    capitalised_inside = {span.text for span, _ in spans if not span.sentence_initial}
    for span, sentence in spans:
        text = sentence.text
        name = span.text
        for title_word in TITLES:
            if name.startswith(title_word.strip() + " "):
                name = name[len(title_word.strip()) + 1 :]
        before, after = text[: span.start], text[span.end :]
        after = re.sub(r"^['’]s?", "", after)
        kind = "person" if span.titled else _classify(name, before, after)
        speech = bool(_SPEECH.match(after.lstrip(" ,")) or _SPEECH.search(before[-12:]))
        entity = found.get(name)
        if entity is None:
            entity = found[name] = Entity(name, kind)
            entity.initial_only = True
        if not (span.sentence_initial and name not in capitalised_inside):
            entity.initial_only = False
        elif entity.kind == "other" and kind != "other":
            entity.kind = kind
        entity.count += 1
        entity.speech = entity.speech or speech
        _mark_party(entity, before, after)
        entity.first = min(entity.first, sentence.index)
        entity.sentences.add(sentence.index)
        if _SUBJECT_VERB.match(after):
            entity.subject = True
        if entity.kind == "person" and entity.role is None:
            entity.role = _role_of(name, text, span.start, span.end)
    _merge_short_forms(found)
    entities = [e for e in found.values() if not (e.kind == "other" and e.initial_only)]
    for entity in entities:
        if entity.kind == "other" and (entity.subject and entity.count >= 2):
            entity.kind = "org"
        camel = re.fullmatch(r"[A-Z]{2,6}|[a-z]*[A-Z][a-z]+[A-Z]\w*", entity.name)
        if entity.kind == "other" and camel and (entity.count >= 2 or entity.subject):
            entity.kind = "org"
    title_lower = title.lower()
    entities.sort(key=lambda e: -_importance(e, title_lower))
    return entities


def _importance(entity: Entity, title_lower: str) -> float:
    score = entity.count + (3.0 if entity.name.lower() in title_lower else 0.0)
    score += 2.0 if entity.first == 0 else (1.0 if entity.first <= 2 else 0.0)
    score += 1.0 if entity.subject else 0.0
    return score


def _merge_short_forms(found: dict[str, Entity]) -> None:
    """ "Northwind" after "Northwind Systems", "Raman" after "Priya Raman": one entity."""
    names = sorted(found, key=len, reverse=True)
    for short in names:
        entity = found.get(short)
        if entity is None or (" " in short and entity.kind != "other"):
            continue
        for long in names:
            if long == short or long not in found or len(long) <= len(short):
                continue
            parts = long.split(" ")
            if short in (parts[0], parts[-1]) or long.startswith(short + " "):
                target = found[long]
                if target.kind == "place" or entity.kind == "place":
                    continue
                if (
                    entity.speech
                    and target.kind != "person"
                    and short == parts[-1]
                    and parts[-1] not in ORG_SUFFIXES
                    and 2 <= len(parts) <= 3
                    and all(p[:1].isupper() for p in parts)
                ):
                    target.kind = "person"
                target.count += entity.count
                target.first = min(target.first, entity.first)
                target.subject = target.subject or entity.subject
                target.sentences |= entity.sentences
                target.initial_only = target.initial_only and entity.initial_only
                target.participant = target.participant or entity.participant
                del found[short]
                break


def names_in(text: str) -> list[str]:
    """Every capitalised name-like run of a text (for grounding and scoring), less the
    common sentence-initial words."""
    return [span.text for span in runs(text)]


def unique(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for value in values:
        if value.lower() not in seen:
            seen.add(value.lower())
            out.append(value)
    return out
