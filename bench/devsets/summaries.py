"""News articles with human reference summaries, for the brief ("briefs" set).

- GUM news (``amir-zeldes/gum``, ``dep/GUM_news_*.conllu``): 24 Wikinews articles, each
  with five independent one-sentence human summaries (``# meta::summary1..5``), a title
  and a creation date. Abstractive, written for GUM.
- XSum (``voidism/Lookback-Lens``, ``data/xsum-1000.jsonl``): 1000 BBC articles from
  XSum (the repository does not say which split); the reference is the article's own
  introductory sentence, written by the BBC journalist and removed from the body by XSum.
  No title, no date.
- BBC News Summary (``Miguel-G-Soares/PRI_proj1``, ``BBC News Summary/``; the Kaggle set
  of Pariza Sharif): 2225 BBC articles of 2004-2005 with a title; the reference is an
  *extractive* summary (a selection of the article's sentences), not an abstract.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from common import Mirror, Record, clean_paragraphs, stable_key, word_count
from dates import find_date

MIN_WORDS = 300
MAX_WORDS = 1500

GUM_REPO = "amir-zeldes/gum"
GUM_DIR = "dep"
XSUM_REPO = "voidism/Lookback-Lens"
XSUM_PATH = "data/xsum-1000.jsonl"
XSUM_SAMPLE = 125
BBC_REPO = "Miguel-G-Soares/PRI_proj1"
BBC_DIR = "BBC News Summary"
BBC_PER_CATEGORY = 25
BBC_CATEGORIES = ("business", "entertainment", "politics", "sport", "tech")


def _fits(text: str) -> bool:
    return MIN_WORDS <= word_count(text) <= MAX_WORDS


# --- GUM --------------------------------------------------------------------------------


@dataclass
class _GumDoc:
    name: str
    meta: dict[str, str]
    paragraphs: list[tuple[bool, list[str]]]  # (is heading, sentences)


def _parse_conllu(name: str, conllu: str) -> _GumDoc:
    meta: dict[str, str] = {}
    paragraphs: list[tuple[bool, list[str]]] = []
    for line in conllu.splitlines():
        if line.startswith("# meta::"):
            key, _, value = line[len("# meta::") :].partition(" = ")
            meta[key.strip()] = value.strip()
        elif line.startswith("# newpar_block") and paragraphs:
            block = line.partition("=")[2]
            heading = block.strip().startswith("head") or "| head" in block
            paragraphs[-1] = (heading, paragraphs[-1][1])
        elif line.startswith("# newpar"):
            paragraphs.append((False, []))
        elif line.startswith("# text = "):
            if not paragraphs:
                paragraphs.append((False, []))
            paragraphs[-1][1].append(line[len("# text = ") :].strip())
    return _GumDoc(name, meta, paragraphs)


def _gum_body(doc: _GumDoc) -> list[str]:
    body: list[str] = []
    for index, (heading, sentences) in enumerate(doc.paragraphs):
        text = " ".join(sentences).strip()
        if heading or not text:
            continue
        if index <= 2 and not body and len(text.split()) <= 8 and find_date(text):
            continue  # the dateline under the headline
        body.append(text)
    return body


def gum_records(mirror: Mirror) -> Iterator[Record]:
    for path in mirror.files(GUM_DIR):
        name = path.rsplit("/", 1)[-1].removesuffix(".conllu")
        if not name.startswith("GUM_news_"):
            continue
        conllu = mirror.text(path)
        if conllu is None:
            continue
        doc = _parse_conllu(name, conllu)
        summaries = [
            re.sub(r"^\(human\d+\)\s*", "", doc.meta[k])
            for k in sorted(doc.meta)
            if re.fullmatch(r"summary\d*", k)
        ]
        text = "\n\n".join(_gum_body(doc))
        if not summaries or not text:
            continue
        yield {
            "id": f"gum:{name}",
            "source": f"{GUM_REPO}:{path}",
            "title": doc.meta.get("title"),
            "text": text,
            "summary": summaries[0],
            "published": doc.meta.get("dateCreated") or None,
            "references": summaries,
            "summary_kind": "abstractive",
            "words": word_count(text),
            "url": doc.meta.get("sourceURL"),
        }


# --- XSum -------------------------------------------------------------------------------


def xsum_records(mirror: Mirror, sample: int = XSUM_SAMPLE) -> list[Record]:
    raw = mirror.text(XSUM_PATH)
    if raw is None:
        raise FileNotFoundError(f"{XSUM_REPO}:{XSUM_PATH} is not in the mirror")
    records: list[Record] = []
    for line in raw.splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        text = clean_paragraphs("\n\n".join(row["document"].split("\n")))
        if not _fits(text):
            continue
        records.append(
            {
                "id": f"xsum:{row['id']}",
                "source": f"{XSUM_REPO}:{XSUM_PATH}",
                "title": None,
                "text": text,
                "summary": " ".join(row["summary"].split()),
                "published": None,
                "references": [" ".join(row["summary"].split())],
                "summary_kind": "lead-sentence",
                "words": word_count(text),
                "url": None,
            }
        )
    records.sort(key=lambda r: stable_key(str(r["id"])))
    return sorted(records[:sample], key=lambda r: int(str(r["id"]).split(":")[1]))


# --- BBC News Summary -------------------------------------------------------------------

_SENTENCE_END = re.compile(r'(?<=[.!?])["\u201d\u2019]?(?=\s|$)')


def _sentences(paragraph: str) -> list[str]:
    out: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(paragraph):
        out.append(paragraph[start : match.end()].strip())
        start = match.end()
    out.append(paragraph[start:].strip())
    return [s for s in out if s]


def bbc_summary(body: str, extract: str) -> list[str] | None:
    """The article sentences that make up ``extract``, in article order; None when they
    do not account for (nearly) all of it."""
    squeezed = re.sub(r"\s+", "", extract)
    chosen: list[str] = []
    covered = 0
    for paragraph in body.split("\n\n"):
        for sentence in _sentences(paragraph):
            key = re.sub(r"\s+", "", sentence)
            if len(key) > 20 and key in squeezed:
                chosen.append(sentence)
                covered += len(key)
    if not chosen or covered < 0.9 * len(squeezed):
        return None
    return chosen


def bbc_records(mirror: Mirror, per_category: int = BBC_PER_CATEGORY) -> list[Record]:
    records: list[Record] = []
    for category in BBC_CATEGORIES:
        candidates: list[Record] = []
        for path in mirror.files(f"{BBC_DIR}/News Articles/{category}"):
            number = path.rsplit("/", 1)[-1].removesuffix(".txt")
            article = mirror.text(path)
            extract = mirror.text(f"{BBC_DIR}/Summaries/{category}/{number}.txt")
            if not article or not extract:
                continue
            title, _, rest = article.strip().partition("\n")
            body = clean_paragraphs(rest)
            summary = bbc_summary(body, extract)
            if summary is None or not _fits(body):
                continue
            candidates.append(
                {
                    "id": f"bbcsum:{category}/{number}",
                    "source": f"{BBC_REPO}:{path}",
                    "title": title.strip(),
                    "text": body,
                    "summary": "\n".join(summary),
                    "published": None,
                    "references": ["\n".join(summary)],
                    "summary_kind": "extractive",
                    "words": word_count(body),
                    "url": None,
                }
            )
        candidates.sort(key=lambda r: stable_key(str(r["id"])))
        records += sorted(candidates[:per_category], key=lambda r: str(r["id"]))
    return records
