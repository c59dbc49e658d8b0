"""What the parse stage hands on (ParsedFeed, ParsedItem) and the rules every feed format
shares: item identity, links, guids, tags. Pure functions; none raises.

Identity (docs/reliability.md): an item's ``key`` is ``guid:<guid>`` when the
item has a non-empty guid/id, else ``link:<normalized link>``, else
``hash:<sha256 of title, date text and the first 200 characters of the
summary>``; so a feed that re-dates or reorders items keeps their keys.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from bot.text.from_html import normalize_text

HASH_SUMMARY_CHARS = 200
WHITESPACE = b" \t\r\n\x0c"
"""What may stand before a document's first character."""

_TRACKING_PARAMS = frozenset({"fbclid", "gclid"})
_DEFAULT_PORTS = {"http": 80, "https": 443}

# An absolute http(s) URL that urljoin and urlsplit leave as it is (no userinfo, brackets,
# ";" parameters, empty "?" or "#"): taken without them, most of a link's parse time.
_PLAIN_HTTP_URL = re.compile(r"https?://[A-Za-z0-9.:-]+(?:/[^\s?#;]*)?(?:\?[^\s#]+)?(?:#\S+)?")


@dataclass(frozen=True, slots=True)
class ParsedItem:
    """One item (RSS item, Atom entry, JSON Feed item) as clean plain data."""

    key: str
    guid: str | None
    title: str
    link: str | None
    summary: str
    content: str
    author: str | None
    image_url: str | None
    published: datetime | None
    updated: datetime | None
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed document: feed metadata plus its items in document order."""

    title: str
    link: str | None
    description: str
    format: str
    ttl_seconds: int | None
    items: tuple[ParsedItem, ...]
    warning: str | None


def normalize_link(url: str) -> str:
    """The canonical form of a link, for item identity.

    Lowercases scheme and host, drops a default port, the fragment, ``utm_*``
    / ``fbclid`` / ``gclid`` query parameters and the ``/`` of an empty path;
    other query parameters keep their order and encoding. Never raises: a
    URL that cannot be split is returned stripped.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        netloc = _normalize_netloc(scheme, parts.netloc, parts.hostname, parts.port)
    except ValueError:
        return url
    kept = [
        segment
        for segment in parts.query.split("&")
        if segment and not _is_tracking_param(segment.split("=", 1)[0])
    ]
    path = "" if parts.path == "/" else parts.path
    # Stripped again: dropping a fragment can leave a trailing space ("0 #").
    return urlunsplit((scheme, netloc, path, "&".join(kept), "")).strip()


def item_key(guid: str | None, link: str | None, title: str, date_text: str, summary: str) -> str:
    if guid:
        return f"guid:{guid}"
    if link:
        return f"link:{normalize_link(link)}"
    material = "\x1f".join((title, date_text.strip(), summary[:HASH_SUMMARY_CHARS]))
    return "hash:" + hashlib.sha256(material.encode("utf-8", "replace")).hexdigest()


def unique(items: Iterable[ParsedItem]) -> tuple[ParsedItem, ...]:
    """Items in order with repeated keys removed (the first kept) and empty ones dropped.

    An item with no title, link, summary or content (what a malformed
    document can leave behind) has nothing to show and is dropped.
    """
    seen: set[str] = set()
    kept: list[ParsedItem] = []
    for item in items:
        if not (item.title or item.link or item.summary or item.content):
            continue
        if item.key not in seen:
            seen.add(item.key)
            kept.append(item)
    return tuple(kept)


def clean_guid(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    guid = normalize_text(value)
    return guid or None


def clean_tags(values: Iterable[str]) -> tuple[str, ...]:
    """Clean, non-empty, distinct values in their first order."""
    tags: dict[str, None] = {}
    for value in values:
        tag = normalize_text(value)
        if tag:
            tags.setdefault(tag)
    return tuple(tags)


def http_url(value: Any, base: str | None) -> str | None:
    """``value`` made absolute against ``base``; None unless it is an http(s) URL."""
    if not isinstance(value, str):
        return None
    text = normalize_text(value).replace("\n", "")
    if _PLAIN_HTTP_URL.fullmatch(text):
        return text
    joined = join_url(base, text)
    if joined is None:
        return None
    try:
        parts = urlsplit(joined)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return joined


def join_url(base: str | None, value: str) -> str | None:
    if not value:
        return None
    try:
        return urljoin(base, value) if base else value
    except ValueError:
        return None


def _normalize_netloc(scheme: str, netloc: str, hostname: str | None, port: int | None) -> str:
    if not netloc or hostname is None:
        return netloc.lower()
    userinfo, _, _ = netloc.rpartition("@")
    host = f"[{hostname}]" if ":" in hostname else hostname  # hostname is already lowercased
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    return f"{userinfo}@{host}" if userinfo else host


def _is_tracking_param(name: str) -> bool:
    name = unquote(name).lower()
    return name.startswith("utm_") or name in _TRACKING_PARAMS


def strip_bom(data: bytes) -> bytes:
    return data[3:] if data.startswith(codecs.BOM_UTF8) else data


def as_str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def dicts(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, Mapping)]
