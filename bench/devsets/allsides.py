"""AllSides headline roundups (the NeuS corpus): general news from many outlets, by story.

AllSides.com groups each day's stories and shows, for each, one report from a left-, a
centre- and a right-rated outlet: headline, link and the opening of the article (about 90
words, cut with "..."). The NeuS authors crawled 506 roundups (April-October 2021) into
``data/raw_crawled/headline_11_2021-10-19_crawled_all.jsonl`` of their repository. Each
roundup is one story here (``event``); AllSides' topic ("Coronavirus", "US Senate") is the
``topic``, so two stories of one topic are "same topic, different story".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime

from common import Mirror, Record, clean_paragraphs, word_count
from dates import url_date
from gva import outlet

REPO = "HLTCHKUST/framing-bias-metric"
PATH = "data/raw_crawled/headline_11_2021-10-19_crawled_all.jsonl"
SOURCE = f"{REPO}:AllSides"
SIDES = ("left", "center", "right")


def _published(url: str, roundup: date) -> tuple[date, str]:
    """The day in the article's URL when it has one (and it is not after the roundup),
    else the roundup's day: AllSides posts a roundup within a day or two of the reports."""
    found = url_date(url)
    if found is not None and found <= roundup and (roundup - found).days <= 7:
        return found, "url"
    return roundup, "roundup"


def _text(paragraphs: object) -> str:
    if not isinstance(paragraphs, list):
        return ""
    text = clean_paragraphs("\n\n".join(str(p) for p in paragraphs))
    # The excerpt ends where AllSides cut it: "...".
    return text.removesuffix("...").removesuffix("…").rstrip()


def event_records(mirror: Mirror) -> Iterator[Record]:
    raw = mirror.text(PATH)
    if raw is None:
        return
    rows = [json.loads(line) for line in raw.splitlines() if line.strip()]
    rows.sort(key=lambda r: (str(r.get("date")), int(r.get("id", 0))))
    order = 0
    for row in rows:
        try:
            roundup = datetime.fromisoformat(str(row["date"])).date()
        except (KeyError, ValueError):
            continue
        news = row.get("news") or {}
        for side in SIDES:
            article = news.get(side)
            if not isinstance(article, dict):
                continue
            title = " ".join(str(article.get("newsTitle") or "").split())
            text = _text(article.get("newBody"))
            url = str(article.get("newsLink") or "") or None
            if not title or word_count(text) < 20 or url is None:
                continue
            published, published_from = _published(url, roundup)
            yield {
                "id": f"allsides:{row['id']}/{side}",
                "source": SOURCE,
                "event": f"allsides:{row['id']}",
                "topic": f"allsides:{row.get('topic') or 'none'}",
                "title": title,
                "text": text,
                "published": published.isoformat(),
                "published_from": published_from,
                "title_from": "headline",
                "outlet": outlet(url),
                "url": url,
                "order": order,
                "outlet_name": article.get("newsSource"),
                "kind": (article.get("opinionTag") or "news").lower(),
                "story": row.get("issue"),
            }
            order += 1
