"""Article clean-up, before any ranking: the story's paragraphs without page furniture.

Feeds and fetched pages carry bylines, datelines, photo captions, share and sign-up
prompts, comment notices, ad and player text, credits and related-link lists. Left in,
they are ranked like sentences and reach the brief ("... contributed to this report.") or
its key details ("CNN" as Who). Each class is a named pattern here, tested one by one
(tests/bot/brief/fixtures/boilerplate.txt). A dateline's place is kept as a Where
candidate. Pure functions; precision first: a line that might be a sentence is kept.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

# News agencies and publishers that sign datelines and credits; never an actor of a story.
AGENCIES = frozenset(
    [
        "AP",
        "AFP",
        "PA",
        "Reuters",
        "CNN",
        "Associated Press",
        "The Associated Press",
        "Press Association",
        "Bloomberg",
        "UPI",
        "dpa",
        "Xinhua",
        "EFE",
        "ANSA",
        "Kyodo",
        "Yonhap",
        "TASS",
        "BBC",
        "CNBC",
        "AAP",
        "IANS",
        "PTI",
    ]
)
_AGENCY = r"(?:" + "|".join(re.escape(a) for a in sorted(AGENCIES, key=len, reverse=True))
_AGENCY += r"|[A-Z][A-Za-z0-9.&/-]{1,12}(?: [A-Z0-9][A-Za-z0-9.&/-]{0,12}){0,2})"
_CAPS_PLACE = r"[A-Z][A-Z.'-]+(?: [A-Z][A-Z.'-]+){0,3}"
_STATE = r"(?:, [A-Z][A-Za-z.]{1,14}\.?(?: [A-Z][A-Za-z.]{1,14})?)"
_DASH = r"(?:--|[-—–])"
# "LONDON (Reuters) -", "(CNN) --", "MARKSVILLE, La. (AP) -", "SAN ANTONIO -",
# "WASHINGTON-April 27 -": a place in capitals and/or an agency in brackets, then a dash.
_DATELINE = re.compile(
    rf"^(?P<place>{_CAPS_PLACE}{_STATE}?)?\s*(?:{_DASH}\s*[A-Z][a-z]{{2,8}}\.? \d{{1,2}}\s*)?"
    rf"(?:\((?P<agency>{_AGENCY})\))?\s*{_DASH}\s*(?=\S)"
)

# Whole lines that are not the story, one pattern per class (named for the tests).
LINE_CLASSES: dict[str, re.Pattern[str]] = {
    # "By Jane Doe" (two capitalised words at once: "By Saturday, ..." is a sentence).
    "byline": re.compile(
        r"^(?:By|BY|Posted by|Written by|Words by|Story by)\s+[A-Z][\w.'-]+\s+[A-Z][\w.'-]+"
        r"(?:\s+[A-Z][\w.'-]+)?(?:\s*(?:,|\||and\b|&)[^.!?]{0,120}|[^\s.!?]*)$|"
        r"^Posted by\b.{0,80}\|.{0,120}$|"
        r"^[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){1,3},? (?:staff|contributing|senior) "
        r"(?:writer|reporter|editor)\b.{0,60}$|"
        r"^(?:Reach|Contact) [A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,2} (?:at|on|by)\b|"
        r"\bcan be reached (?:at|by|on)\b|^[\w.+-]+@[\w-]+\.[\w.]+(?:\s*\|.*)?$|"
        r"^[Tt]witter: @\w+$",
    ),
    "author_bio": re.compile(
        r"^[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){1,3} (?:is|writes) (?:a|an|the) [^.]{0,80}"
        r"\b(?:reporter|writer|editor|correspondent|journalist|columnist|contributor)\b",
    ),
    "credit": re.compile(
        r"\bcontributed (?:to )?(?:this|the) (?:report|story|article)\b|"
        r"^(?:additional )?reporting by\b|^(?:written|edited) by\b|"
        r"\b(?:all rights reserved|this material may not be published)\b|"
        r"^\(?(?:copyright|©)|^\(c\) \d{4}",
        re.IGNORECASE,
    ),
    "caption": re.compile(
        r"\b(?:image copyright|image caption|hide caption|show caption|enlarge (?:photo|image)|"
        r"photo(?:graph)? by|photo courtesy|picture courtesy|file photo|ap photo\b|"
        r"getty images)|\((?:photo|image|video|source): [^)]*\)\s*$|"
        r"^(?:photo|image|video|picture|credit|source)s?\s*:\s|^caption\b|view full caption|"
        r"^(?:l to r|left to right|from left|pictured|above|top|file)\s*:|"
        r"^[^.!?]{0,120}\. (?:Video|Image|Photo): [^.]{1,60}\.?$|"
        # "<a long caption>. Image: NASA Bill Ingalls." (Wikinews): ends on its credit
        r"^.{20,400}?[.!?] (?:Video|Image|Photo)s?: [^.:]{1,60}\.?$",
        re.IGNORECASE,
    ),
    "prompt": re.compile(
        r"^\W*(?:share (?:this|on|via)\b|share\W*$|tweet\W*$|email\W*$|print\W*$|facebook\W*$|"
        r"twitter\W*$|linkedin\W*$|whatsapp\W*$|pinterest\W*$|reddit\W*$|click to share\b|"
        r"like this:|(?:sign up|subscribe|register)\b|get (?:free |our )?[\w -]{0,30}"
        r"(?:alerts|newsletter|updates)\b|(?:get|join) (?:our|the) (?:newsletter|daily)|"
        r"follow (?:us|@|[\w.]+ on)\b|keep up with\b|become a fan\b|click here\b|"
        r"download (?:our|the) app\b|invalid email\b|enter your email\b|"
        r"we'd love to hear\b|have a (?:news )?tip\b)|"
        r"\b(?:newsletter|inbox)\b.{0,40}\b(?:sign up|subscribe)\b|"
        r"\bsubscribe\W*$",
        re.IGNORECASE,
    ),
    "comments": re.compile(
        r"your email address will not be published|required fields are marked|"
        r"(?:not|no longer) (?:currently )?accepting comments|comments? (?:are|is) (?:now )?"
        r"closed|^\W*leave a (?:reply|comment)|^\W*\d+ (?:comments?|responses?)\W*$|"
        r"^\W*comments?\W*$|^\W*post a comment|view comments\b|join the (?:conversation|"
        r"discussion)\b|^\W*add a comment",
        re.IGNORECASE,
    ),
    "player": re.compile(
        r"\bskip (?:ad|in)\b|\bad loading\b|^\W*advertisement\W*$|^\W*sponsored\W*$|"
        r"please enable javascript|media playback is not supported|"
        r"\bembed\b.{0,10}\bshare\b|mobile users tap here|^\W*(?:more )?videos?\b.{0,3}\.\.\.|"
        r"^\W*\[?video:|^\W*watch(?: the)? video\b|^\W*(?:close|replay|loading)\W*$|"
        r"this video (?:is|has been) (?:not|un)available",
        re.IGNORECASE,
    ),
    "read_more": re.compile(
        r"^\W*(?:read|see|watch) (?:more|also)\b|^\W*read or share this story\b|"
        r"^\W*related(?: stories| articles| reading| coverage| content| links?| story)?\s*:?"
        r"(?:\s|$)|^\W*more (?:from|on)\b.{0,80}$|^\W*you (?:may|might) also like\b|"
        r"^\W*recommended(?: for you)?\b|^\W*(?:the post|this article) .{1,300} "
        r"(?:appeared first on|was originally published)\b|^\W*(?:also|more) read\W",
        re.IGNORECASE,
    ),
    "timestamp": re.compile(
        r"^\W*(?:(?:last )?updated|posted|published|date published|first published)\s*(?:on|at)?"
        r"\s*:?\s*(?:\w+,? )?(?:[\d/.:-]+|[A-Z][a-z]+\.? \d|\d|\w+day)|"
        r"^[^.!?]{0,120} (?:Posted|Updated): \w+, \w+ \d|"
        r"\((?:Published|Posted|Updated) [^)]{3,60}\)\s*$|"
        r"^\W*\d+ (?:minutes?|hours?|days?|weeks?|months?) ago\W*$|\|\s*views?: \d|"
        r"^categories:",
        re.IGNORECASE,
    ),
}
_FRAGMENT = re.compile(r"^[a-z]+ (?:\S+ ){0,13}\S+$")
# A heading: a short line with no sentence-final stop and no verb-like lower-case run.
_HEADING = re.compile(r"^[^.!?\"“”]{1,80}$")
# Inline furniture at a paragraph's start or end (the rest of the paragraph is kept).
_INLINE = [
    re.compile(r"^(?:CLOSE\s+)?(?:Skip in\s+)?(?:Skip\s+)?x Embed x Share\s+", re.IGNORECASE),
    re.compile(r"^Mobile users tap here for video\s+", re.IGNORECASE),
    re.compile(r"^(?:\[ \] (?:Hide|Show) Caption\s*)+", re.IGNORECASE),
    re.compile(r"\s*\((?:Source|Photo|Image): [^)]{1,60}\)\s*$", re.IGNORECASE),
    re.compile(r"^Image copyright [^.]{0,60}?Image caption\s+", re.IGNORECASE),
    re.compile(r"^Advertisement\s+(?=[A-Z])"),
]
_CAPTION_PREFIX = re.compile(
    r"^[^.!?]{3,160}\[ \] Hide Caption \[ \] Show Caption\s*|"
    # "<caption>. View Full Caption DNAinfo/Benjamin Woodard ROGERS PARK — story"
    r"^.{0,400}?\bView Full Caption\s+(?:[\w.]+/[\w.]+(?: [A-Z][\w.]+)*|[\w.]+)\s+(?=[A-Z])"
)


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The cleaned text (paragraphs joined by a blank line) and the dateline's place."""

    text: str
    dateline_place: str | None = None


@functools.lru_cache(maxsize=4096)
def line_class(line: str) -> str | None:
    """The furniture class of a whole line ("credit", "prompt", ...), None for a sentence.
    Cached: a sentence is checked in the clean-up and again before it is shown."""
    line = " ".join(line.split())
    for name, pattern in LINE_CLASSES.items():
        if pattern.search(line):
            return name
    return None


def is_clutter(line: str) -> bool:
    """True for a line that must never be shown in a brief."""
    return line_class(line) is not None


def is_heading(line: str) -> bool:
    """A section heading or repeated headline: short, no sentence stop, not a sentence.
    Only used for lines among others (a feed item's whole text is never dropped)."""
    words = line.split()
    return bool(_HEADING.match(line)) and len(words) <= 12 and not line.endswith((":", ",", ";"))


def strip_dateline(paragraph: str) -> tuple[str, str | None]:
    """The paragraph without its dateline, and the dateline's place (title-cased)."""
    m = _DATELINE.match(paragraph)
    if not m or not (m.group("place") or m.group("agency")):
        return paragraph, None
    place = m.group("place")
    if place and not re.search(r"[A-Z]{2}", place.split(",")[0]):
        return paragraph, None  # "It was chaos -": not a dateline in capitals
    rest = paragraph[m.end() :]
    if not rest[:1].isupper() and not rest[:1].isdigit() and rest[:1] not in "\"“'‘":
        return paragraph, None
    return rest, _place_name(place) if place else None


def _place_name(place: str) -> str:
    head, _, tail = place.partition(",")
    name = " ".join(w.capitalize() if w.isupper() and len(w) > 2 else w for w in head.split())
    return name if not tail else f"{name},{tail}"


def _strip_inline(paragraph: str) -> str:
    paragraph = _CAPTION_PREFIX.sub("", paragraph)
    for pattern in _INLINE:
        paragraph = pattern.sub("", paragraph).strip()
    return paragraph


def clean(text: str) -> Cleaned:
    """The story's paragraphs, furniture dropped; the first dateline's place kept.

    Paragraphs are split on blank lines; inside one, a line that is furniture is dropped
    and the others are joined (hard-wrapped text stays whole)."""
    blocks: list[str] = []
    text = text.replace("\r", "").strip()
    # "pilgrims at Mecca's Grand Mosque in 2008." opening the page: the cut tail of a
    # photo caption (a short line starting with a lower-case word), not the story
    first, newline, rest = text.partition("\n")
    if newline and rest.strip() and _FRAGMENT.match(first.strip()):
        text = rest
    for block in re.split(r"\n\s*\n", text):
        lines = [_strip_inline(" ".join(line.split())) for line in block.split("\n")]
        lines = [line for line in lines if line and not is_clutter(line)]
        if lines:
            blocks.append(" ".join(lines))
    kept: list[str] = []
    place: str | None = None
    for block in blocks:
        if len(kept) < 3:
            # The dateline opens the story, which may follow a caption or a standfirst.
            block, found = strip_dateline(block)
            place = place or found
        if len(blocks) > 1 and is_heading(block):
            continue
        kept.append(block)
    if not kept:
        return Cleaned(text)
    return Cleaned("\n\n".join(kept), place)
