"""Article text to clean paragraphs and sentences: boilerplate dropped, abbreviations kept
whole (pysbd, rule-based and offline)."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import pysbd  # type: ignore[import-untyped]

# A paragraph that is one of these is page furniture, not the story.
_BOILERPLATE_LINE = re.compile(
    r"^\W*(?:"
    r"share (?:this|on)\b|share\W*$|tweet\W*$|"
    r"leave a (?:reply|comment)|\d+ comments?\W*$|comments?\W*$|"
    r"(?:sign up|subscribe)\b.*\b(?:newsletter|inbox|updates|email)|"
    r"(?:get|join) (?:our|the) (?:newsletter|daily)|"
    r"(?:read|see) (?:more|also)\s*:|related(?: stories| articles| reading)?\s*:|"
    r"advertisement\W*$|sponsored\W*$|"
    r"follow us (?:on|at)\b|click here\b|"
    r"the post .{1,300} appeared first on\b|"
    r"(?:copyright|©|all rights reserved)|"
    r"photo(?:graph)?:|image(?: credit)?:|credit:"
    r")",
    re.IGNORECASE,
)
# From one of these on, the rest of the page is not the story (bios, FAQs, comments).
_TAIL_START = re.compile(
    r"^\W*(?:about the author|frequently asked questions|faqs?\b|more from\b|"
    r"you may also like|recommended for you|related (?:stories|articles|posts)\W*$|"
    r"comments?\W*$|\d+ (?:comments|responses)\W*$)",
    re.IGNORECASE,
)
# "Jane Doe is a senior reporter at ..." closing an article: an author bio.
_AUTHOR_BIO = re.compile(
    r"^[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){1,3} (?:is|writes) (?:a|an|the) [^.]{0,80}"
    r"\b(?:reporter|writer|editor|correspondent|journalist|columnist|contributor)\b",
)

_SEGMENTERS = threading.local()


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    paragraph: int
    text: str


def _segmenter() -> pysbd.Segmenter:
    segmenter = getattr(_SEGMENTERS, "segmenter", None)
    if segmenter is None:
        segmenter = pysbd.Segmenter(language="en", clean=False)
        _SEGMENTERS.segmenter = segmenter
    return segmenter


def paragraphs(text: str) -> list[str]:
    """The story's paragraphs: whitespace folded, boilerplate and trailing furniture dropped."""
    kept: list[str] = []
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-•*]\s|\d+\.\s))", text.replace("\r", "")):
        block = " ".join(block.split())
        if not block:
            continue
        if _TAIL_START.match(block) and kept:
            break
        if _BOILERPLATE_LINE.match(block) or (_AUTHOR_BIO.match(block) and len(block) < 300):
            continue
        kept.append(block)
    return kept


def split(paras: list[str]) -> list[Sentence]:
    """Sentences of the paragraphs, in order."""
    out: list[Sentence] = []
    segmenter = _segmenter()
    for number, para in enumerate(paras):
        for piece in segmenter.segment(para):
            piece = " ".join(str(piece).split())
            if len(piece) >= 2:
                out.append(Sentence(len(out), number, piece))
    return out
