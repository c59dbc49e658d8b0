"""Gun Violence Archive articles of SemEval-2018 task 5 (``cltl/LongTailQATask``).

``EventRegistries/GunViolenceArchive/the_violent_corpus/<incident>/<hash>.json`` holds one
news article (crawled from archive.org) per file, filed under the Gun Violence Archive
(GVA) incident it reports: the event label. Despite the name each file is a Python pickle
of ``classes.NewsItem`` (title, dct, uri, id, content). ``.../frames/<category>`` are
pickled pandas DataFrames (pandas 0.18) of the GVA incident records: date, state, city,
address, killed, injured, participants (name, age, type, status), and which article
(``hashed_ids``) reports the incident. The Gun Violence Corpus (GVC) was annotated on a
subset of these articles.

Both kinds of pickle are read with a restricted unpickler: only the classes named in
`_ALLOWED` are built, pandas and numpy objects become inert stand-ins (no pandas needed),
anything else stops the load.
"""

from __future__ import annotations

import io
import pickle
import re
import struct
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from common import Mirror, Record, clean_paragraphs, stable_key, unique, word_count
from dates import find_date

REPO = "cltl/LongTailQATask"
BASE = "EventRegistries/GunViolenceArchive"
CORPUS = f"{BASE}/the_violent_corpus"
FRAMES = f"{BASE}/frames"
SOURCE = f"{REPO}:{CORPUS}"
TOPIC = "gva:gun-violence"

MIN_WORDS = 80
MAX_WORDS = 3000  # longer "articles" are whole pages of boilerplate or live blogs
DETAILS_SAMPLE = 300

# --- restricted unpickling --------------------------------------------------------------


class _Inert:
    """Stand-in for a pandas or numpy object: keeps its constructor args and state."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.state: Any = None

    def __setstate__(self, state: Any) -> None:
        self.state = state


class NewsItem(_Inert):
    """Stand-in for ``classes.NewsItem``."""


class _Array(_Inert):
    """Stand-in for a numpy ndarray: state is (version, shape, dtype, fortran, data)."""

    def values(self) -> list[Any]:
        _, _shape, _dtype, _fortran, raw = self.state
        if isinstance(raw, list):
            return raw
        count = len(raw) // 8  # int64 / datetime64 blocks
        return list(struct.unpack(f"<{count}q", raw))

    def shape(self) -> tuple[int, ...]:
        return tuple(self.state[1])


def _reconstruct(_cls: Any, _shape: Any, _dtype: Any) -> _Array:
    return _Array()


def _new_index(_cls: Any, state: dict[str, Any]) -> dict[str, Any]:
    return state


_ALLOWED: dict[tuple[str, str], Callable[..., Any]] = {
    ("classes", "NewsItem"): NewsItem,
    ("datetime", "date"): date,
    ("datetime", "datetime"): datetime,
    ("builtins", "slice"): slice,
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): _Inert,
    ("numpy", "dtype"): _Inert,
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return _ALLOWED[(module, name)]
        if module.startswith("pandas."):
            return _new_index if name == "_new_Index" else _Inert
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def unpickle(data: bytes) -> Any:
    return _Unpickler(io.BytesIO(data)).load()


def frame_rows(frame: Any) -> list[dict[str, Any]]:
    """The rows of a pickled (pandas 0.18) DataFrame stand-in, as dicts."""
    axes, blocks, items, _extra = frame.state["_data"].state
    nrows = axes[1]["data"].shape()[0]
    rows: list[dict[str, Any]] = [{} for _ in range(nrows)]
    for block, names in zip(blocks, items, strict=True):
        values = block.values()
        for column, name in enumerate(names["data"].values()):
            for row in range(nrows):
                rows[row][name] = values[column * nrows + row]
    return rows


# --- incidents and articles -------------------------------------------------------------


@dataclass
class Incident:
    id: str
    date: str
    state: str
    city: str
    address: str
    killed: int
    injured: int
    participants: list[dict[str, str]]
    categories: set[str] = field(default_factory=set)


@dataclass
class Article:
    incident: str
    id: str
    title: str
    text: str
    published: date | None
    url: str | None


def _strip(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def load_incidents(mirror: Mirror) -> dict[str, Incident]:
    incidents: dict[str, Incident] = {}
    for path in mirror.files(FRAMES):
        name = path.rsplit("/", 1)[-1]
        if name in {"all"} or "." in name or not name.isidentifier():
            continue
        data = mirror.read(path)
        if data is None:
            continue
        for row in frame_rows(unpickle(data)):
            key = _strip(row.get("incident_uri"))
            if key not in incidents:
                incidents[key] = Incident(
                    id=key,
                    date=_strip(row.get("date")),
                    state=_strip(row.get("state")),
                    city=_strip(row.get("city_or_county")),
                    address=_strip(row.get("address")),
                    killed=int(row.get("num_killed") or 0),
                    injured=int(row.get("num_injured") or 0),
                    participants=[
                        {k.strip(): _strip(v) for k, v in p.items()}
                        for p in row.get("participants") or []
                    ],
                )
            incidents[key].categories.add(name)
    return incidents


_ARCHIVE = re.compile(r"^https?://web\.archive\.org/web/\d+[a-z_]*/", re.IGNORECASE)


def original_url(uri: str) -> str:
    return _ARCHIVE.sub("", uri.strip())


def outlet(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url if "://" in url else "http://" + url).hostname or ""
    except ValueError:
        return None
    return host.removeprefix("www.") or None


def _drop_repeated_title(text: str, title: str) -> str:
    """The text without a first paragraph that only repeats the headline."""
    first, _, rest = text.partition("\n\n")
    if title and first.casefold().strip(" .") == title.casefold().strip(" ."):
        return rest
    return text


def load_articles(mirror: Mirror) -> tuple[list[Article], dict[str, int]]:
    """Articles with a usable text, each under one incident; and counts of what was dropped."""
    dropped: dict[str, int] = defaultdict(int)
    by_doc: dict[str, list[Article]] = defaultdict(list)
    for path in mirror.files(CORPUS):
        parts = path.split("/")
        if not path.endswith(".json") or len(parts) < 2:
            continue
        data = mirror.read(path)
        if data is None:
            dropped["missing"] += 1
            continue
        try:
            item = unpickle(data)
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError):
            dropped["unreadable"] += 1
            continue
        state = item.state if isinstance(item, NewsItem) else None
        if not isinstance(state, dict):
            dropped["unreadable"] += 1
            continue
        title = " ".join(_strip(state.get("title")).split())
        text = _drop_repeated_title(clean_paragraphs(_strip(state.get("content"))), title)
        dct = state.get("dct")
        url = original_url(_strip(state.get("uri"))) or None
        doc_id = parts[-1].removesuffix(".json")
        by_doc[doc_id].append(
            Article(
                incident=parts[-2],
                id=doc_id,
                title=title,
                text=text,
                published=dct if isinstance(dct, date) else None,
                url=url,
            )
        )
    articles: list[Article] = []
    seen_texts: set[tuple[str, str]] = set()
    for doc_id in sorted(by_doc):
        copies = by_doc[doc_id]
        if len({a.incident for a in copies}) > 1:
            dropped["filed under several incidents"] += len(copies)
            continue
        article = copies[0]
        words = word_count(article.text)
        if words < MIN_WORDS:
            dropped[f"under {MIN_WORDS} words"] += 1
            continue
        if words > MAX_WORDS:
            dropped[f"over {MAX_WORDS} words"] += 1
            continue
        key = (article.incident, article.text)
        if key in seen_texts:
            dropped["duplicate text"] += 1
            continue
        seen_texts.add(key)
        articles.append(article)
    articles.sort(key=lambda a: (a.published or date.min, int(a.incident), a.id))
    return articles, dict(dropped)


def _first_sentence(text: str) -> str:
    first = text.split("\n\n", 1)[0]
    match = re.match(r"(.+?[.!?])(\s|$)", first)
    return (match.group(1) if match else first)[:200]


def event_records(articles: Sequence[Article], incidents: dict[str, Incident]) -> Iterator[Record]:
    for order, article in enumerate(articles):
        incident = incidents.get(article.incident)
        yield {
            "id": f"gva:{article.incident}/{article.id}",
            "source": SOURCE,
            "event": f"gva:{article.incident}",
            "topic": TOPIC,
            "title": article.title or _first_sentence(article.text),
            "text": article.text,
            "published": article.published.isoformat() if article.published else None,
            "published_from": "dct" if article.published else None,
            "title_from": "headline" if article.title else "first_sentence",
            "outlet": outlet(article.url),
            "url": article.url,
            "order": order,
            "city": incident.city if incident else None,
            "state": incident.state if incident else None,
        }


# --- key details ------------------------------------------------------------------------


def _mentioned(phrase: str, text: str) -> bool:
    return bool(phrase) and re.search(rf"\b{re.escape(phrase)}\b", text, re.IGNORECASE) is not None


def _named(incident: Incident, text: str) -> list[dict[str, str]]:
    """Participants with a name whose surname the article mentions."""
    named = []
    for person in incident.participants:
        name = person.get("Name", "")
        if name and _mentioned(name.split()[-1], text):
            named.append(person)
    return named


def detail_record(article: Article, incident: Incident) -> Record | None:
    """Who/when/where from the GVA record, kept where the article mentions them."""
    text = f"{article.title}\n\n{article.text}"
    named = _named(incident, text)
    where = [p for p in (incident.address, incident.city, incident.state) if _mentioned(p, text)]
    if not named or incident.city not in where:
        return None
    when_date = find_date(incident.date)
    return {
        "id": f"gva:{article.incident}/{article.id}",
        "source": SOURCE,
        "title": article.title or _first_sentence(article.text),
        "text": article.text,
        "published": article.published.isoformat() if article.published else None,
        "who": unique(p["Name"] for p in named),
        "what": [],
        "when": [incident.date] if incident.date else [],
        "where": unique(where),
        "why": [],
        "how": [],
        "annotation": "structured",
        "event": f"gva:{article.incident}",
        "gva": {
            "incident_date": when_date.isoformat() if when_date else None,
            "city": incident.city,
            "state": incident.state,
            "address": incident.address,
            "killed": incident.killed,
            "injured": incident.injured,
            "categories": sorted(incident.categories),
            "participants": incident.participants,
        },
    }


def detail_records(
    articles: Sequence[Article], incidents: dict[str, Incident], limit: int = DETAILS_SAMPLE
) -> list[Record]:
    """A deterministic sample of at most ``limit`` articles, one per incident."""
    candidates: dict[str, Record] = {}
    for article in sorted(articles, key=lambda a: stable_key("gva", a.incident, a.id)):
        incident = incidents.get(article.incident)
        if incident is None or article.incident in candidates:
            continue
        if word_count(article.text) > 1500:
            continue
        record = detail_record(article, incident)
        if record is not None:
            candidates[article.incident] = record
    chosen = sorted(candidates.values(), key=lambda r: stable_key(r["id"]))[:limit]
    return sorted(chosen, key=lambda r: str(r["id"]))
