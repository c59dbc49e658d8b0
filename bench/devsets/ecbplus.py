"""ECB+ (EventCorefBank+): 982 tokenized news texts in 43 topics, two events per topic.

Read from the mirror of ``cltl/ECB-parser`` (folder ``ECB+/<topic>/``), which holds the
unzipped corpus; ``cltl/ecbPlus`` itself ships it as a zip too large for a snapshot.

- ``<t>_<n>ecb.xml`` are the original ECB texts (Google News, 2008-2009; short, no URL,
  no title, no date) about one seminal event of topic t; ``<t>_<n>ecbplus.xml`` are the
  texts added by ECB+ about a second, similar but distinct event of the same topic. Their
  sentence 0 is the source URL, usually followed by the headline and a dateline.
- Annotations: ACTION_* / NEG_ACTION_* (what happened), TIME_* (when), LOC_* (where),
  HUMAN_PART_* (who), NON_HUMAN_PART* (things), linked across documents by
  CROSS_DOC_COREF chains (the seminal events' components).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from common import Mirror, Record, unique
from dates import find_date, url_date

REPO = "cltl/ECB-parser"
FOLDER = "ECB+"
SOURCE = "cltl/ECB-parser:ECB+"

_FILE = re.compile(r"(?P<topic>\d+)_(?P<num>\d+)(?P<kind>ecbplus|ecb)\.xml$")

# --- detokenisation ---------------------------------------------------------------------

_NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", "%", ")", "]", "}", "''", "...", "”", "’"}
_NO_SPACE_AFTER = {"(", "[", "{", "$", "``", "#", "“", "‘"}
_CLITICS = {"'s", "'S", "n't", "N'T", "'re", "'ve", "'ll", "'d", "'m", "’s", "’re", "’ll"}
_APOSTROPHE_TAILS = {"s", "t", "re", "ve", "ll", "d", "m"}
_DOMAINS = {"com", "org", "net", "gov", "edu", "co", "uk", "au", "ca"}


@dataclass
class _Quotes:
    """Whether a straight double quote is open, across the sentences of one document."""

    open: bool = False


def _glued(prev: str, token: str, nxt: str, hyphens: bool) -> tuple[bool, bool]:
    """(no space before ``token``, no space after it)."""
    before = token in _NO_SPACE_BEFORE or token in _CLITICS
    after = token in _NO_SPACE_AFTER
    if token in {":", "/", "."} and prev[-1:].isdigit() and nxt[:1].isdigit():
        before = after = True  # 3:00, 11/27/2005, $2.6
    if token == "." and len(prev) == 1 and prev.isalpha() and len(nxt) == 1 and nxt.isalpha():
        after = True  # U.S., L.A., a.m.
    if token == "." and prev[-1:].isalnum() and nxt in _DOMAINS:
        before = after = True  # MyFoxHouston.com
    if token in {"'", "’"} and nxt in _APOSTROPHE_TAILS:
        before = after = True  # Teenager ’ s
    # court - ordered, T - Mobile; but not "Paris - the latest" (a dash)
    dash = prev[:1].isupper() and nxt.islower() and len(nxt) > 1
    if hyphens and token == "-" and prev[-1:].isalnum() and nxt[:1].isalnum() and not dash:
        before = after = True
    return before, after


def detokenize(tokens: Sequence[str], hyphens: bool, quotes: _Quotes | None = None) -> str:
    """Join word tokens back into text ("court - ordered" only when ``hyphens``)."""
    quotes = quotes if quotes is not None else _Quotes()
    out: list[str] = []
    glue_next = True
    for index, raw in enumerate(tokens):
        token = {"``": '"', "''": '"'}.get(raw, raw)
        prev = tokens[index - 1] if index else ""
        nxt = tokens[index + 1] if index + 1 < len(tokens) else ""
        before, after = _glued(prev, raw, nxt, hyphens)
        if token == '"' and raw == '"':
            before, after = (True, False) if quotes.open else (False, True)
            quotes.open = not quotes.open
        elif token.count('"') % 2:
            quotes.open = not quotes.open
        if raw == "``":
            after = True
        if out and not (before or glue_next):
            out.append(" ")
        out.append(token)
        glue_next = after
    return "".join(out).strip()


# --- parsing ----------------------------------------------------------------------------

CATEGORIES = {
    "ACTION": "what",
    "NEG_ACTION": "what",
    "TIME": "when",
    "LOC": "where",
    "HUMAN_PART": "who",
    "NON_HUMAN_PART": "things",
}
_PRONOUNS = {
    *("i", "me", "my", "mine", "we", "us", "our", "ours", "you", "your", "yours", "he", "him"),
    *("his", "she", "her", "hers", "it", "its", "they", "them", "their", "theirs", "who", "whom"),
    *("whose", "which", "that", "this", "these", "those", "himself", "herself", "itself"),
    *("themselves", "ourselves", "myself", "yourself", "one", "someone", "anyone", "everyone"),
    *("where", "there", "here", "when", "then"),
}


def category(tag: str) -> str | None:
    for prefix, name in CATEGORIES.items():
        if tag == prefix or tag.startswith(prefix + "_"):
            return name
    return None


@dataclass
class Mention:
    tag: str
    token_ids: list[int]


@dataclass
class EcbDoc:
    name: str
    topic: int
    number: int
    kind: str  # "ecb" or "ecbplus"
    sentences: dict[int, list[int]]  # sentence number -> token ids
    tokens: dict[int, str]  # token id -> text
    mentions: dict[int, Mention]
    cross_doc: dict[str, list[int]] = field(default_factory=dict)  # instance -> mention ids

    @property
    def hyphens(self) -> bool:
        return self.kind == "ecbplus"

    def sentence_text(self, number: int, quotes: _Quotes | None = None) -> str:
        return detokenize([self.tokens[t] for t in self.sentences[number]], self.hyphens, quotes)


def parse(name: str, xml: bytes) -> EcbDoc:
    match = _FILE.search(name)
    if match is None:
        raise ValueError(f"not an ECB+ file name: {name}")
    root = ET.fromstring(xml)
    tokens: dict[int, str] = {}
    sentences: dict[int, list[int]] = defaultdict(list)
    for token in root.iter("token"):
        tid = int(token.attrib["t_id"])
        tokens[tid] = token.text or ""
        sentences[int(token.attrib["sentence"])].append(tid)
    mentions: dict[int, Mention] = {}
    markables = root.find("Markables")
    for markable in markables if markables is not None else []:
        anchors = [int(a.attrib["t_id"]) for a in markable.iter("token_anchor")]
        if anchors:
            mentions[int(markable.attrib["m_id"])] = Mention(markable.tag, sorted(anchors))
    cross: dict[str, list[int]] = defaultdict(list)
    relations = root.find("Relations")
    for relation in relations if relations is not None else []:
        if relation.tag == "CROSS_DOC_COREF":
            note = relation.attrib.get("note", "")
            cross[note] += [int(s.attrib["m_id"]) for s in relation.iter("source")]
    return EcbDoc(
        name=name.rsplit("/", 1)[-1].removesuffix(".xml"),
        topic=int(match["topic"]),
        number=int(match["num"]),
        kind=match["kind"],
        sentences=dict(sorted(sentences.items())),
        tokens=tokens,
        mentions=mentions,
        cross_doc=dict(cross),
    )


# --- documents as news items ------------------------------------------------------------


@dataclass
class Item:
    doc: EcbDoc
    url: str | None
    title: str
    title_derived: bool  # True when the title is the first sentence (no headline)
    published: date | None
    published_from: str | None  # "dateline", "url" or None
    body: list[str]  # sentences, in order
    url_sentence: int | None  # the sentence that is the source URL


_DATELINE_WORDS = re.compile(
    r"\b(?:posted|published|updated|last|release|am|pm|a\.m\.|p\.m\.|edt|est|cdt|cst|pdt|pst|"
    r"et|gmt|bst|ist|utc|aest|hkt|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"mon|tue|wed|thu|fri|sat|sun|on|at|by|uk|"
    r"[a-z]+uary|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b",
    re.IGNORECASE,
)


def _is_dateline(text: str) -> bool:
    """A short line that is a date (and times, weekdays, "Posted"...) and little else."""
    if len(text.split()) > 16 or find_date(text) is None:
        return False
    rest = [w for w in re.findall(r"[A-Za-z]{3,}", _DATELINE_WORDS.sub(" ", text))]
    return len(rest) <= 3


def to_item(doc: EcbDoc) -> Item:
    numbers = list(doc.sentences)
    quotes = _Quotes()
    texts = {n: doc.sentence_text(n, quotes) for n in numbers}
    url: str | None = None
    header: set[int] = set()
    title: str | None = None
    published: date | None = None
    source: str | None = None
    if doc.kind == "ecbplus" and numbers and texts[numbers[0]].startswith("http"):
        url = "".join(doc.tokens[t] for t in doc.sentences[numbers[0]])
        header.add(numbers[0])
        for number in numbers[1:5]:
            text = texts[number]
            if _is_dateline(text):
                header.add(number)
                if published is None:
                    published, source = find_date(text), "dateline"
            elif title is None:
                title = text
                header.add(number)
        if published is None and (from_url := url_date(url)) is not None:
            published, source = from_url, "url"
    body = [texts[n] for n in numbers if n not in header and texts[n]]
    derived = title is None
    if title is None:
        title = body[0] if body else ""
    if not body and title:
        body = [title]  # a page with a headline (or one sentence) only
    url_sentence = numbers[0] if url is not None else None
    return Item(doc, url, title, derived, published, source, body, url_sentence)


def outlet(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def event_label(doc: EcbDoc) -> str:
    """ECB texts report the topic's first seminal event, ECB+ texts its second one."""
    return f"ecbplus:{doc.topic}:{1 if doc.kind == 'ecb' else 2}"


def load(mirror: Mirror) -> list[Item]:
    paths = [p for p in mirror.files(FOLDER) if _FILE.search(p)]
    items: list[Item] = []
    for path in paths:
        data = mirror.read(path)
        if data is None:
            continue
        items.append(to_item(parse(path, data)))
    items.sort(key=lambda i: (i.doc.topic, i.doc.kind, i.doc.number))
    return items


def event_records(items: Sequence[Item]) -> Iterator[Record]:
    for order, item in enumerate(items):
        doc = item.doc
        yield {
            "id": f"ecbplus:{doc.name}",
            "source": SOURCE,
            "event": event_label(doc),
            "topic": f"ecbplus:{doc.topic}",
            "title": item.title,
            "text": "\n\n".join(item.body),
            "published": item.published.isoformat() if item.published else None,
            "published_from": item.published_from,
            "title_from": "first_sentence" if item.title_derived else "headline",
            "outlet": outlet(item.url),
            "url": item.url,
            "order": order,
        }


def _phrase(doc: EcbDoc, mention: Mention) -> str:
    return detokenize([doc.tokens[t] for t in mention.token_ids], doc.hyphens)


# Generic or recurring mentions ("people", "organization", "annual") are not key details.
_NOT_KEY = ("_GENERIC", "TIME_REPETITION")


def key_mentions(item: Item) -> list[Record]:
    """Mentions in cross-document chains (the seminal events' parts), in text order."""
    doc = item.doc
    sentence_of = {t: s for s, ids in doc.sentences.items() for t in ids}
    instance_of = {m: inst for inst, ids in doc.cross_doc.items() for m in ids}
    chained = sorted((m for m in instance_of if m in doc.mentions), key=lambda m: m)
    chained.sort(key=lambda m: doc.mentions[m].token_ids[0])
    out: list[Record] = []
    for m in chained:
        mention = doc.mentions[m]
        slot = category(mention.tag)
        sentence = sentence_of.get(mention.token_ids[0])
        if slot is None or mention.tag.endswith(_NOT_KEY):
            continue
        if item.url_sentence is not None and sentence == item.url_sentence:
            continue
        phrase = _phrase(doc, mention)
        if phrase.casefold() in _PRONOUNS:
            continue
        out.append({"slot": slot, "tag": mention.tag, "text": phrase, "instance": instance_of[m]})
    return out


def key_details(mentions: Sequence[Record]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for mention in mentions:
        found[str(mention["slot"])].append(str(mention["text"]))
    return {k: unique(v) for k, v in found.items()}


def detail_records(items: Sequence[Item]) -> Iterator[Record]:
    for item in items:
        mentions = key_mentions(item)
        details = key_details(mentions)
        if not any(details.get(k) for k in ("who", "when", "where")):
            continue
        doc = item.doc
        yield {
            "id": f"ecbplus:{doc.name}",
            "source": SOURCE,
            "title": item.title,
            "text": "\n\n".join(item.body),
            "published": item.published.isoformat() if item.published else None,
            "who": details.get("who", []),
            "what": details.get("what", []),
            "when": details.get("when", []),
            "where": details.get("where", []),
            "why": [],
            "how": [],
            "things": details.get("things", []),
            "annotation": "span",
            "event": event_label(doc),
            "mentions": mentions,
        }
