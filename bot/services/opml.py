"""OPML in and out."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

import listparser

from bot.errors import InvalidOption
from bot.redact import hide_credentials

MAX_OPML_BYTES = 1024 * 1024
MAX_OUTLINES = 500


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    title: str


def read_opml(
    data: bytes, *, max_bytes: int = MAX_OPML_BYTES, max_outlines: int = MAX_OUTLINES
) -> list[OpmlFeed]:
    """The feeds an OPML file lists, deduplicated. Raises InvalidOption with one sentence
    for an oversized, unreadable or empty file, or one with too many feeds."""
    if len(data) > max_bytes:
        raise InvalidOption(f"That OPML file is larger than {max_bytes // 1024} KB.")
    result = listparser.parse(data)
    feeds: dict[str, OpmlFeed] = {}
    for entry in result.feeds:
        url = str(entry.get("url") or "").strip()
        if url and url not in feeds:
            feeds[url] = OpmlFeed(url=url, title=str(entry.get("title") or "").strip())
    if not feeds:
        raise InvalidOption("That file is not OPML, or it lists no feeds (no xmlUrl outlines).")
    if len(feeds) > max_outlines:
        raise InvalidOption(
            f"That OPML file lists {len(feeds)} feeds; at most {max_outlines} can be imported "
            "at once."
        )
    return list(feeds.values())


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
