"""OPML in and out."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

import listparser
from lxml import etree  # type: ignore[import-untyped]

from bot.errors import InvalidOption
from bot.redact import hide_credentials

MAX_OPML_BYTES = 1024 * 1024
MAX_OUTLINES = 500


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    title: str


def _times_listed(data: bytes) -> Counter[str]:
    """How many outlines name each feed URL: listparser keeps a feed once, but a feed listed
    twice is reported as a duplicate. Entities and DTDs are never loaded."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return Counter()
    if root is None:
        return Counter()
    urls = (
        (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        for outline in root.iter("outline")
    )
    return Counter(url for url in urls if url)


def read_opml(
    data: bytes, *, max_bytes: int = MAX_OPML_BYTES, max_outlines: int = MAX_OUTLINES
) -> list[OpmlFeed]:
    """The feeds an OPML file lists, in order, a feed listed twice included (an import
    counts it as a duplicate). Raises InvalidOption with one sentence for an oversized,
    unreadable or empty file, or one with too many feeds."""
    if len(data) > max_bytes:
        raise InvalidOption(f"That OPML file is larger than {max_bytes // 1024} KB.")
    result = listparser.parse(data)
    listed = _times_listed(data)
    feeds = [
        OpmlFeed(url=url, title=str(entry.get("title") or "").strip())
        for entry in result.feeds
        if (url := str(entry.get("url") or "").strip())
        for _ in range(listed.get(url, 1))
    ]
    if not feeds:
        raise InvalidOption("That file is not OPML, or it lists no feeds (no xmlUrl outlines).")
    if len(feeds) > max_outlines:
        raise InvalidOption(
            f"That OPML file lists {len(feeds)} feeds; at most {max_outlines} can be imported "
            "at once."
        )
    return feeds


def write_opml(feeds: Iterable[OpmlFeed], title: str = "newsdesk sources") -> bytes:
    root = ET.Element("opml", version="2.0")
    ET.SubElement(ET.SubElement(root, "head"), "title").text = title
    body = ET.SubElement(root, "body")
    for feed in feeds:
        ET.SubElement(
            body,
            "outline",
            type="rss",
            text=feed.title,
            title=feed.title,
            xmlUrl=hide_credentials(feed.url),  # an export is shared: no passwords in it
        )
    ET.indent(root)
    return cast(bytes, ET.tostring(root, encoding="utf-8", xml_declaration=True))
