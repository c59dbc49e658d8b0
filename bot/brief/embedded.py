"""The embedded summarizer: offline, CPU only, extractive. Pure: text in, Brief out.

1. Labelled key details ("Who: ...") are taken as they are.
2. The text is cleaned (cleanup.py: bylines, datelines, captions, credits, prompts, notices,
   player text, headings dropped; the dateline's place kept) and cut into paragraphs and
   sentences (pysbd); a sentence that is page furniture is dropped too.
3. The Introduction is the lead: 1-3 sentences from the start of the cleaned article
   (25-70 words), skipping an opener only for a named reason (lead_skip_reason). Sentences
   are ranked (lead-biased PageRank over TF-IDF similarity) for the other parts.
4. Key details come from the lead first (details.py): Who from its subject and the names
   the opening repeats (never a publisher or agency), Where from the dateline or "in X",
   When from its date phrase and clock time resolved against the published date, What from
   the headline when the opening backs it else the lead's main clause, Why and How only on
   an explicit cue about the main event. A detail the article does not give is left out.
5. Why it matters and Takeaway are further ranked sentences (consequence and forward cues),
   none repeating the title, the Introduction or each other.
6. The grounding check drops any line naming a person, place or date that the source lacks.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.brief.cleanup import clean, is_clutter
from bot.brief.details import headline_clause, is_first_person, main_clause, when, where, who
from bot.brief.entities import extract
from bot.brief.grounding import Grounding
from bot.brief.labelled import split_labelled
from bot.brief.model import MAX_BULLET, MAX_DETAIL, MAX_INTRO, Brief, KeyDetails
from bot.brief.rank import terms, textrank
from bot.brief.sentences import Sentence, paragraphs, split
from bot.brief.when import find_dates

_QUOTE_START = re.compile(r"^[\"“‘']")
_QUOTED = re.compile(r"[\"“][^\"”]*[\"”]")
_WHY_CUES = [
    re.compile(r"\bbecause(?: of)?\b"),
    # "due to appear in court" is a schedule, not a cause
    re.compile(
        r"\bdue to (?!(?:appear|be|face|start|begin|open|close|take|make|return|arrive|meet|"
        r"stand|give|hold|launch|release|go|visit|speak|testify|resume)\b)"
    ),
    re.compile(r"\b(?:in response to|citing)\b"),
    re.compile(r"\bso that\b"),
    re.compile(
        r"\bto (?:keep up with|meet (?:demand|rising|growing|targets|the demand)|cope with|"
        r"reduce|cut costs|protect|avoid|comply with|address|save|improve)\b"
    ),
]
_HOW_CUES = [
    re.compile(r"\bpay for [^.,;]{1,40}? (with [^.;]+)"),
    # a method: "by cutting", "using", "via"; not "drive-by shooting", not "by saying"
    re.compile(
        r"(?<![\w-])(?:by (?!(?:saying|telling|announcing|shooting|stabbing)\b)\w+ing\b|"
        r"using\b|via\b)"
    ),
    re.compile(r"\b(?:in (?:cash|stock|an all-cash deal|a cash-and-stock deal))\b"),
]
_MATTERS = re.compile(
    r"\b(?:will|could|would|may|expected|means?|first|largest|biggest|record|percent|%|"
    r"analysts?|pressure|customers|users|market|bottleneck|compet\w+|risk|cost\w*|billion|"
    r"million|regulat\w+|law|jobs|prices?)\b",
    re.IGNORECASE,
)
_FORWARD = re.compile(
    r"\b(?:will|plans?|planned|expects?|expected|next|later|by (?:19|20)\d\d|is due|are due|"
    r"deadline|would|intends?|aims?)\b",
    re.IGNORECASE,
)
_ATTRIBUTION = re.compile(
    r"^(?P<subject>.{2,90}?),? (?:said|says|announced|confirmed|reported)(?: that)? "
    r"(?:it|they|the company|the group)\b (?P<rest>.+)$"
)
_APPOSITIVE = re.compile(
    r", (?:a|an|the|which|who|whose|one of)\b[^,]{3,120}?,(?= )|, (?:one of|a|an) [^,]{3,80}$"
)
_MISMATCH_RATIO = 0.34
WHAT_FROM_HEADLINE = True


@dataclass(frozen=True, slots=True)
class Article:
    """What a brief is made from."""

    title: str
    text: str
    published: datetime | None = None
    source: str = ""


def summarize(article: Article) -> Brief:
    """The brief of one article, extractive and grounded. Pure and deterministic."""
    labelled, rest = split_labelled(article.text)
    published = article.published.date() if article.published else None
    cleaned = clean(rest)
    # Furniture inside a paragraph ("... Click here to search the archives.") is caught
    # again sentence by sentence.
    kept = [s for s in split(paragraphs(cleaned.text)) if not is_clutter(s.text)]
    sentences = [Sentence(i, s.paragraph, s.text) for i, s in enumerate(kept)]
    if not sentences and article.title.strip():
        sentences = [Sentence(0, 0, " ".join(article.title.split()))]
    grounding = Grounding(f"{article.title}\n{article.text}", published)
    if not sentences:
        return Brief(introduction="", method="labelled" if labelled else "embedded")
    scores = textrank(sentences)
    entities = extract(sentences, article.title)
    actors = [e for e in entities if e.kind in ("person", "org")]
    named = {i for e in actors for i in e.sentences}
    intro = _introduction(sentences, named)
    used = {s.index for s in intro}
    lead = next((s for s in intro if s.index in named), intro[0])
    details = {
        "who": who(entities, intro[0], lead, article.title),
        "what": _what(lead, article.title, sentences),
        "when": when(sentences, lead, published),
        "where": where(entities, intro[0], cleaned.dateline_place, cleaned.text),
        "why": _cue_clause(sentences, scores, _WHY_CUES, lead),
        "how": _cue_clause(sentences, scores, _HOW_CUES, lead),
    }
    details.update(labelled)
    key_details = KeyDetails(
        **{
            name: _shorten(value, MAX_DETAIL)
            for name, value in details.items()
            if value and (name in labelled or grounding.grounded(value))
        }
    )
    shown = [article.title, *(s.text for s in intro)]
    takeaway = _takeaway(sentences, scores, used, shown)
    if takeaway and not grounding.grounded(takeaway.text):
        takeaway = None
    if takeaway is not None:
        used.add(takeaway.index)
    if takeaway is not None:
        shown.append(takeaway.text)
    bullets = [b for b in _bullets(sentences, scores, used, shown) if grounding.grounded(b)]
    return Brief(
        introduction=_shorten(" ".join(s.text for s in intro), MAX_INTRO),
        key_details=key_details,
        why_it_matters=[_shorten(b, MAX_BULLET) for b in bullets],
        takeaway=_shorten(takeaway.text, 300) if takeaway else None,
        method="labelled" if labelled else "embedded",
        title_mismatch=title_mismatch(article.title, rest),
    )


def title_mismatch(title: str, body: str) -> bool:
    """True when most of the title's content words are absent from the body."""
    title_terms = {t for t in terms(title) if not t[0].isdigit()}
    if len(title_terms) < 3 or len(body) < 200:
        return False
    body_terms = set(terms(body))
    return len(title_terms & body_terms) / len(title_terms) < _MISMATCH_RATIO


def _is_quote(sentence: Sentence) -> bool:
    text = sentence.text
    if _QUOTE_START.match(text):
        return True
    quoted = sum(len(m.group(0)) for m in _QUOTED.finditer(text))
    return quoted > 0.4 * len(text)


INTRO_MIN_WORDS = 40
"""Words the Introduction aims for (two sentences of a news lead); never past the max."""
INTRO_MAX_WORDS = 70
_FIRST_PERSON = re.compile(r"^(?:I|I'm|I've|We|We're|My|Our|Me)\b|^(?:Like|As) (?:me|us)\b")
_SCENE_START = re.compile(
    r"^(?:It (?:was|is|'s)|There (?:was|were|is|are)|Imagine|Picture (?:this|the)|When|As the|"
    r"On a|In the (?:early|late|dark|cold|heat)|Once upon)\b"
)


def lead_skip_reason(sentence: Sentence, named: set[int]) -> str | None:
    """Why a lead sentence does not open the Introduction (None: it does). The lead says
    what happened in news writing; only these named kinds of opener do not."""
    text = sentence.text
    if text.rstrip("\"”'’)").endswith("?"):
        return "question"
    if _is_quote(sentence):
        return "quote"
    if _FIRST_PERSON.match(text):
        return "first person"
    if sentence.index not in named and (_SCENE_START.match(text) or len(text.split()) < 5):
        return "scene-setting"
    return None


def _introduction(sentences: Sequence[Sentence], named: set[int]) -> list[Sentence]:
    """Lead first: from the first sentence that says what happened, 1-3 sentences in
    article order, up to INTRO_MAX_WORDS and on until INTRO_MIN_WORDS are reached."""
    pool = list(sentences[:8])
    start = next((s for s in pool if lead_skip_reason(s, named) is None), None)
    if start is None:
        return [sentences[0]]
    chosen = [start]
    words = len(start.text.split())
    for s in sentences[start.index + 1 :]:
        if words >= INTRO_MIN_WORDS or len(chosen) == 3:
            break
        if lead_skip_reason(s, named) in ("question", "first person"):
            continue
        size = len(s.text.split())
        if words + size > INTRO_MAX_WORDS:
            break
        chosen.append(s)
        words += size
    return chosen


def _lead_clause(lead: Sentence) -> str | None:
    text = lead.text.rstrip(".!")
    for mention in sorted(find_dates(text), key=lambda m: -m.start):
        start = mention.start
        prefix = re.search(r"\b(?:on|in|at|during|over|since) $", text[:start])
        if prefix:
            start = prefix.start()
        text = (text[:start].rstrip() + " " + text[mention.end :].lstrip()).strip()
    text = _APPOSITIVE.sub("", " ".join(text.split()))
    m = _ATTRIBUTION.match(text)
    if m:
        text = f"{m.group('subject')} {m.group('rest')}"
    text = re.sub(r",? according to [^,]+", "", text)
    text = " ".join(text.replace(" ,", ",").split())
    clause = main_clause(text)
    if clause and not is_first_person(clause):
        return clause
    return None


def _what(lead: Sentence, title: str, sentences: Sequence[Sentence]) -> str | None:
    """One short clause of the main event: the headline when the opening backs it, else
    the lead's main clause; never first person, never a cut sentence."""
    opening = {t for s in sentences[: lead.index + 3] for t in terms(s.text)}
    headline = headline_clause(title, opening, terms)
    if WHAT_FROM_HEADLINE and headline:
        return headline
    return _lead_clause(lead) or headline or None


CUE_SHARED_TERMS = 2
"""Content words a cue sentence shares with the lead to be about the main event."""


def _cue_clause(
    sentences: Sequence[Sentence],
    scores: Sequence[float],
    cues: Sequence[re.Pattern[str]],
    lead: Sentence,
) -> str | None:
    """The clause after an explicit cue ("because", "by using") in a sentence about the
    main event: the lead, or an opening sentence sharing its content words. Empty beats
    wrong, so a cue elsewhere in the article is not used."""
    event = set(terms(lead.text))
    pool = [
        s
        for s in sentences[: max(lead.index + 4, 5)]
        if not _is_quote(s)
        and (s.index == lead.index or len(event & set(terms(s.text))) >= CUE_SHARED_TERMS)
    ]
    for cue in cues:
        matches = [(s, m) for s in pool if (m := cue.search(s.text))]
        if not matches:
            continue
        sentence, m = max(matches, key=lambda sm: scores[sm[0].index])
        clause = m.group(1) if m.groups() else sentence.text[m.start() :]
        clause = main_clause(clause)
        if len(clause.split()) >= 3 and not is_first_person(clause):
            return clause[:1].upper() + clause[1:]
    return None


REPEAT_SHARE = 0.6
"""A line whose content words are this much inside another shown line repeats it."""


def repeats(text: str, others: Sequence[str]) -> bool:
    """True when most of the text's content words are already in one of the other lines
    (the title, the Introduction, an earlier bullet): it would say the same thing twice."""
    mine = _term_set(text)
    if not mine:
        return True
    return any(
        len(mine & (theirs := _term_set(other))) >= REPEAT_SHARE * min(len(mine), len(theirs))
        for other in others
        if other
    )


@functools.lru_cache(maxsize=2048)
def _term_set(text: str) -> frozenset[str]:
    # cached: the title and Introduction are compared with every candidate line
    return frozenset(terms(text))


def _fresh(s: Sentence, shown: Sequence[str]) -> bool:
    return not _is_quote(s) and not is_clutter(s.text) and not repeats(s.text, shown)


def _bullets(
    sentences: Sequence[Sentence], scores: Sequence[float], used: set[int], shown: list[str]
) -> list[str]:
    """Up to three ranked sentences, weighted by consequence cues, none repeating the title,
    the Introduction, the Takeaway or each other, none page furniture."""
    pool = [s for s in sentences if s.index not in used and len(s.text.split()) >= 7]

    def weight(s: Sentence) -> float:
        return scores[s.index] * (1.0 + 0.4 * min(len(_MATTERS.findall(s.text)), 3))

    chosen: list[Sentence] = []
    for s in sorted(pool, key=lambda s: -weight(s)):
        if _fresh(s, [*shown, *(c.text for c in chosen)]):
            chosen.append(s)
            if len(chosen) == 3:
                break
    return [_shorten(s.text, MAX_BULLET) for s in sorted(chosen, key=lambda s: s.index)]


def _takeaway(
    sentences: Sequence[Sentence], scores: Sequence[float], used: set[int], shown: list[str]
) -> Sentence | None:
    """A forward-looking sentence from the second half, else its last statement; never a
    repeat of the title or Introduction, never a credit line, notice or prompt."""
    half = len(sentences) // 2
    pool = [s for s in sentences[half:] if s.index not in used and len(s.text.split()) >= 5]
    pool = [s for s in pool if _fresh(s, shown) and not s.text.rstrip().endswith("?")]
    forward = [s for s in pool if _FORWARD.search(s.text)]
    if forward:
        return max(forward, key=lambda s: (scores[s.index], s.index))
    return pool[-1] if pool else None


def _shorten(text: str, limit: int) -> str:
    """At most `limit` characters: cut at a clause boundary, else a word boundary with …"""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    for boundary in ("; ", ", and ", ", but ", ", while ", ", as ", ", which ", ", "):
        at = cut.rfind(boundary)
        if at > limit // 2:
            return cut[:at].rstrip(",;") + "."
    space = cut.rfind(" ", 0, limit - 1)
    return cut[: space if space > 0 else limit - 1].rstrip(",;") + "…"
