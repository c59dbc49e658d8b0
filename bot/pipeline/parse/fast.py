"""The fast parse path: well-formed, plain RSS 2.0 and Atom 1.0 read with lxml.

feedparser (the tolerant parser, :mod:`bot.parse`) costs about 1.5 ms per item even with
its sanitizer off; lxml reads the same document an order of magnitude faster. This module
reads only documents it can read *exactly as feedparser would*, and answers ``None`` on
any doubt, so the caller falls back to feedparser:

* not strict UTF-8 (or another declared encoding), a DOCTYPE, not well-formed XML;
* a root other than ``<rss version="2.0">`` or an Atom 1.0 ``<feed>``;
* ``xml:base`` anywhere, an item or entry element outside a short known list, XHTML or
  out-of-line (``src``) Atom content, base64, a repeated text element, an RSS ``<author>``
  or author text that feedparser would split into name and e-mail, a permalink ``<guid>``
  with no ``<link>`` before it, a date in a form other than plain RFC 822 / RFC 3339;
* a channel element outside a known list (feedparser maps many namespaced ones onto the
  feed's title and subtitle), ``text/xml`` with no charset and non-ASCII bytes.

Where feedparser rewrites a value, the fast path does the same: Windows-1252 characters
(``&#146;``, a raw U+0092) put right in every value, an Atom ``<id>`` as the link when
there is none, ``dc:title``/``dc:description``/``itunes:subtitle`` as the feed's title
and subtitle, and HTML that is not plain markup passed through feedparser's own HTML pass.

What it returns is built with the same helpers as the feedparser path (keys, text, image,
tags); ``tests/bot/pipeline/parse/test_fast.py`` and ``test_fast_corpus.py`` hold the two
paths equal on fixture feeds and thousands of generated edge cases (``&nbsp;``, bare
``&``, missing guids and links, HTML in titles, relative links, images, categories,
authors, namespaces, encodings, Windows-1252 references, embed/object/iframe).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.entities import name2codepoint
from typing import Any

from feedparser.html import _BaseHTMLProcessor, _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import _urljoin, resolve_relative_uris
from lxml import etree  # type: ignore[import-untyped]

__all__ = ["parse_fast"]

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
MEDIA = "{http://search.yahoo.com/mrss/}"
SY = "{http://purl.org/rss/1.0/modules/syndication/}"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    remove_comments=True,
    remove_pis=True,
    huge_tree=False,
    recover=False,
)
_RFC822 = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} "
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
    r"\d{2}:\d{2}:\d{2} (?:[+-]\d{4}|GMT|UT|UTC|Z)"
)
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})", re.ASCII
)
_DECLARED = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_UTF8 = frozenset({"utf-8", "utf8"})
_XML_TYPES = frozenset(
    {
        "",
        "application/rss+xml",
        "application/atom+xml",
        "application/xml",
        "text/xml",
        "application/rdf+xml",
    }
)
_RSS_ITEM = frozenset(
    {
        "title",
        "link",
        "description",
        "guid",
        "pubDate",
        "category",
        "comments",
        f"{CONTENT}encoded",
        f"{DC}creator",
        f"{MEDIA}content",
        f"{MEDIA}thumbnail",
        "enclosure",
    }
)
_ATOM_ENTRY = frozenset(
    f"{ATOM}{name}"
    for name in ("title", "id", "link", "published", "updated", "author", "category", "summary")
) | {f"{ATOM}content"}
_RSS_SINGLE = ("title", "link", "description", "guid", "pubDate", f"{CONTENT}encoded")
_ATOM_SINGLE = tuple(
    f"{ATOM}{name}" for name in ("title", "id", "published", "updated", "summary", "content")
)
_ATOM_FEED_IGNORED = frozenset(
    f"{ATOM}{name}" for name in ("updated", "author", "generator", "icon", "logo", "rights")
)
_ATOM_TEXT_TYPES = {"text": "text/plain", "html": "text/html", "": "text/plain"}
# Channel elements feedparser keeps away from the feed's title, link, subtitle and ttl (the
# only feed fields read): skipped. Any other element makes the document doubtful.
_RSS_CHANNEL_IGNORED = frozenset(
    {
        "language",
        "copyright",
        "managingEditor",
        "webMaster",
        "pubDate",
        "lastBuildDate",
        "category",
        "generator",
        "docs",
        "cloud",
        "rating",
        "skipHours",
        "skipDays",
        "image",
        "textInput",
        "textinput",
        f"{SY}updatePeriod",
        f"{SY}updateFrequency",
        f"{SY}updateBase",
        f"{DC}language",
        f"{DC}rights",
        f"{DC}date",
        f"{DC}creator",
        f"{DC}publisher",
        f"{ITUNES}author",
        f"{ITUNES}explicit",
        f"{ITUNES}image",
        f"{ITUNES}category",
        f"{ITUNES}owner",
        f"{ITUNES}type",
        f"{ITUNES}keywords",
        f"{ITUNES}block",
        f"{ITUNES}complete",
    }
)
# The channel elements feedparser reads as the feed's title or subtitle, with the media
# type it gives them ("" for the title's guess between text and HTML).
_RSS_CHANNEL_TITLE = {"title": "text/plain", f"{DC}title": "text/plain"}
_RSS_CHANNEL_SUBTITLE = {
    "description": "text/html",
    f"{DC}description": "text/html",
    f"{ITUNES}subtitle": "text/plain",
}
_VOID = frozenset(_BaseHTMLProcessor.elements_no_end_tag)
# Markup that feedparser's HTML pass (resolve_relative_uris, which re-writes every HTML
# value) gives back unchanged in meaning: plain tags with double-quoted attributes that
# hold no "&" or "<", "/>" only on void elements, no end tag of a void element, entities
# it keeps as they are. Anything else goes through that pass itself.
_PLAIN_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:\s+[a-zA-Z][a-zA-Z0-9-]*=\"[^\"<>&]*\")*\s*(/?)>"
)
_REFERENCE = re.compile(r"&(?:([a-zA-Z][a-zA-Z0-9]*)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")

looks_like_html = _FeedParserMixin.looks_like_html


class Doubt(Exception):
    """The document is not one the fast path reads exactly as feedparser would."""


def parse_fast(body: bytes, content_type: str | None) -> dict[str, Any] | None:
    """The document as feedparser's result would hold it (``version``, ``feed`` and
    ``entries`` with the keys :mod:`bot.parse` reads), or None when in doubt."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type not in _XML_TYPES:
        return None
    charset = _CHARSET.search(content_type or "")
    if charset and charset.group(1).lower() not in _UTF8:
        return None
    if media_type.startswith("text/") and not charset and not body.isascii():
        return None  # text/xml without a charset is US-ASCII to feedparser (RFC 3023)
    declared = _DECLARED.search(body[:1024])
    if declared and declared.group(1).decode("ascii").lower() not in _UTF8:
        return None
    head = body[:4096]
    if b"<!DOCTYPE" in head or b"<!doctype" in head or body.startswith(b"\xef\xbb\xbf"):
        return None
    try:
        body.decode("utf-8")
        root = etree.fromstring(body, _PARSER)
    except (UnicodeDecodeError, etree.LxmlError, ValueError):
        return None
    try:
        if root.tag == "rss" and root.get("version") == "2.0":
            return _rss(root)
        if root.tag == f"{ATOM}feed":
            return _atom(root)
    except Doubt:
        return None
    return None


# -- RSS 2.0 ---------------------------------------------------------------------------


def _rss(root: Any) -> dict[str, Any]:
    _no_xml_base(root)
    channels = root.findall("channel")
    if len(channels) != 1:
        raise Doubt
    channel = channels[0]
    feed: dict[str, Any] = {}
    entries: list[dict[str, Any]] = []
    for child in channel:
        tag = child.tag
        if tag == "item":
            entries.append(_rss_item(child))
        elif tag in _RSS_CHANNEL_TITLE:
            _once(feed, "title")
            feed["title"], feed["title_detail"] = _rss_text(child, _RSS_CHANNEL_TITLE[tag])
        elif tag == "link":
            _once(feed, "link")
            feed["link"] = _link(_raw(child), entry=False)
        elif tag in _RSS_CHANNEL_SUBTITLE:
            if "subtitle" in feed or "summary" in feed:
                raise Doubt  # a second one, or after a summary: feedparser's own rules
            feed["subtitle"], feed["subtitle_detail"] = _rss_text(child, _RSS_CHANNEL_SUBTITLE[tag])
        elif tag == f"{ITUNES}summary":
            feed["summary"] = True  # only its place matters (before a description)
        elif tag == "ttl":
            feed["ttl"] = _text(child)
        elif tag == f"{ATOM}link":
            if child.get("rel") != "self":
                raise Doubt
        elif tag not in _RSS_CHANNEL_IGNORED and isinstance(tag, str):
            raise Doubt  # an element feedparser may map onto the feed itself
    feed.pop("summary", None)
    return {"version": "rss20", "feed": feed, "entries": entries}


def _rss_item(item: Any) -> dict[str, Any]:
    return _read_entry(item, _RSS_ITEM, _RSS_SINGLE, _RSS_READERS)


def _read_entry(
    element: Any, known: Any, single: tuple[str, ...], readers: dict[str, Any]
) -> dict[str, Any]:
    """An item's or entry's fields, read by each element's reader; Doubt on any element the
    fast path does not know, an xml:base, or a repeated single element."""
    entry: dict[str, Any] = {}
    seen: set[str] = set()
    for child in element:
        tag = child.tag
        if tag not in known or child.get(XML_BASE) is not None:
            raise Doubt
        _once_per_entry(tag, single, seen)
        read = readers.get(tag)
        if read is not None:
            read(entry, child)
    return entry


def _once_per_entry(tag: str, single: tuple[str, ...], seen: set[str]) -> None:
    """Doubt when an element that may appear once in an item or entry comes again."""
    if tag in single:
        if tag in seen:
            raise Doubt
        seen.add(tag)


# Each element of an item or entry is read into the entry by its reader.
_Reader = Callable[[dict[str, Any], Any], None]


def _rss_title(entry: dict[str, Any], child: Any) -> None:
    entry["title"], entry["title_detail"] = _rss_text(child, "text/plain")


def _rss_link(entry: dict[str, Any], child: Any) -> None:
    entry["link"] = _link(_raw(child), entry=True)


def _rss_guid(entry: dict[str, Any], child: Any) -> None:
    permalink = child.get("isPermaLink", child.get("ispermalink", "true")) == "true"
    if permalink and "link" not in entry:
        raise Doubt  # feedparser promotes it to the link
    entry["id"] = _finish(_raw(child))


def _rss_pub_date(entry: dict[str, Any], child: Any) -> None:
    text = _text(child)
    entry["published"] = text
    entry["published_parsed"] = _rfc822(text)


def _rss_description(entry: dict[str, Any], child: Any) -> None:
    entry["summary"], entry["summary_detail"] = _rss_text(child, "text/html")


def _rss_encoded(entry: dict[str, Any], child: Any) -> None:
    value = _finish(_html(_raw(child)))
    entry.setdefault("content", []).append({"type": "text/html", "value": value})
    entry.setdefault("summary", value)


def _rss_category(entry: dict[str, Any], child: Any) -> None:
    term = _text(child)
    if term:
        entry.setdefault("tags", []).append({"term": term, "label": None})


def _rss_creator(entry: dict[str, Any], child: Any) -> None:
    if "author" in entry:
        raise Doubt
    author = _text(child)
    if author:
        entry["author"] = author
        entry["author_detail"] = _author_detail(author)


def _rss_media_content(entry: dict[str, Any], child: Any) -> None:
    if len(child):
        raise Doubt
    entry.setdefault("media_content", []).append(dict(child.attrib))


def _rss_media_thumbnail(entry: dict[str, Any], child: Any) -> None:
    if len(child) or (child.text or "").strip():
        raise Doubt
    entry.setdefault("media_thumbnail", []).append(dict(child.attrib))


def _rss_enclosure(entry: dict[str, Any], child: Any) -> None:
    if "url" not in child.attrib:
        raise Doubt
    link = {"rel": "enclosure", **child.attrib}
    link["href"] = link.pop("url")
    entry.setdefault("links", []).append(link)


# `comments` has none: it is allowed and ignored.
_RSS_READERS: dict[str, _Reader] = {
    "title": _rss_title,
    "link": _rss_link,
    "guid": _rss_guid,
    "pubDate": _rss_pub_date,
    "description": _rss_description,
    f"{CONTENT}encoded": _rss_encoded,
    "category": _rss_category,
    f"{DC}creator": _rss_creator,
    f"{MEDIA}content": _rss_media_content,
    f"{MEDIA}thumbnail": _rss_media_thumbnail,
    "enclosure": _rss_enclosure,
}


def _rss_text(element: Any, media_type: str) -> tuple[str, dict[str, str]]:
    value = _raw(element)
    if media_type == "text/plain" and looks_like_html(value):
        media_type = "text/html"
    if media_type == "text/html":
        value = _html(value)
    return _finish(value), {"type": media_type}


# -- Atom 1.0 --------------------------------------------------------------------------


def _atom(root: Any) -> dict[str, Any]:
    _no_xml_base(root)
    feed: dict[str, Any] = {}
    entries: list[dict[str, Any]] = []
    feed_id = None
    for child in root:
        tag = child.tag
        if tag == f"{ATOM}entry":
            entries.append(_atom_entry(child))
        elif tag == f"{ATOM}id":
            if feed_id is not None:
                raise Doubt
            feed_id = _link(_raw(child), entry=False)
        elif tag == f"{ATOM}title":
            _once(feed, "title")
            feed["title"], feed["title_detail"] = _atom_text(child)
        elif tag == f"{ATOM}subtitle":
            _once(feed, "subtitle")
            feed["subtitle"], feed["subtitle_detail"] = _atom_text(child)
        elif tag == f"{ATOM}link":
            rel = child.get("rel", "alternate")
            if rel == "alternate" and child.get("type", "text/html") == "text/html":
                if "link" in feed:
                    raise Doubt
                feed["link"] = child.get("href")
            elif rel != "self":
                raise Doubt
        elif not isinstance(tag, str) or tag in _ATOM_FEED_IGNORED:
            continue
        else:
            raise Doubt
    if feed_id and "link" not in feed:
        feed["link"] = feed_id  # feedparser takes the id for the link when there is none
    return {"version": "atom10", "feed": feed, "entries": entries}


def _atom_entry(element: Any) -> dict[str, Any]:
    entry = _read_entry(element, _ATOM_ENTRY, _ATOM_SINGLE, _ATOM_READERS)
    if "link" not in entry and entry.get("guidislink"):
        entry["link"] = entry["id"]  # feedparser takes the id for the link when there is none
    return entry


def _atom_title(entry: dict[str, Any], child: Any) -> None:
    entry["title"], entry["title_detail"] = _atom_text(child)


def _atom_id(entry: dict[str, Any], child: Any) -> None:
    entry["id"] = _finish(_urljoin("", _raw(child)))
    entry["guidislink"] = "link" not in entry


def _atom_link(entry: dict[str, Any], child: Any) -> None:
    rel = child.get("rel", "alternate")
    href = child.get("href")
    if href is None or len(child):
        raise Doubt
    if rel == "alternate":
        if "link" in entry or child.get("type", "text/html") != "text/html":
            raise Doubt
        entry["link"] = _urljoin("", href)
    elif rel == "enclosure":
        entry.setdefault("links", []).append({"rel": rel, **child.attrib})
    else:
        raise Doubt


def _atom_date(name: str) -> _Reader:
    """The reader of `published` or `updated`."""

    def read(entry: dict[str, Any], child: Any) -> None:
        text = _text(child)
        entry[name] = text
        entry[f"{name}_parsed"] = _rfc3339(text)

    return read


def _atom_author(entry: dict[str, Any], child: Any) -> None:
    if "author" in entry or len(child) != 1 or child[0].tag != f"{ATOM}name":
        raise Doubt
    author = _text(child[0])
    if not author:
        raise Doubt
    entry["author"] = author
    entry["author_detail"] = {"name": author}


def _atom_category(entry: dict[str, Any], child: Any) -> None:
    if len(child) or (child.text or "").strip():
        raise Doubt
    term = child.get("term")
    if term:
        entry.setdefault("tags", []).append({"term": term, "label": child.get("label")})


def _atom_summary(entry: dict[str, Any], child: Any) -> None:
    entry["summary"], entry["summary_detail"] = _atom_text(child)


def _atom_content(entry: dict[str, Any], child: Any) -> None:
    value, detail = _atom_text(child)
    entry.setdefault("content", []).append({**detail, "value": value})
    entry.setdefault("summary", value)


_ATOM_READERS: dict[str, _Reader] = {
    f"{ATOM}title": _atom_title,
    f"{ATOM}id": _atom_id,
    f"{ATOM}link": _atom_link,
    f"{ATOM}published": _atom_date("published"),
    f"{ATOM}updated": _atom_date("updated"),
    f"{ATOM}author": _atom_author,
    f"{ATOM}category": _atom_category,
    f"{ATOM}summary": _atom_summary,
    f"{ATOM}content": _atom_content,
}


def _atom_text(element: Any) -> tuple[str, dict[str, str]]:
    kind = element.get("type", "")
    media_type = _ATOM_TEXT_TYPES.get(kind)
    if media_type is None or element.get("src") is not None or len(element):
        raise Doubt  # xhtml, out-of-line or odd types: feedparser's own rules
    value = _raw(element)
    if media_type == "text/html":
        value = _html(value)
    return _finish(value), {"type": media_type}


# -- shared --------------------------------------------------------------------------------


def _no_xml_base(root: Any) -> None:
    if root.get(XML_BASE) is not None:
        raise Doubt
    for child in root:
        if child.get(XML_BASE) is not None:
            raise Doubt


def _once(mapping: dict[str, Any], key: str) -> None:
    if key in mapping:
        raise Doubt


def _text(element: Any) -> str:
    """The element's text as feedparser keeps it: stripped, mojibake of UTF-8 undone,
    Windows-1252 characters put right."""
    return _finish(_raw(element))


def _raw(element: Any) -> str:
    if len(element):
        raise Doubt  # markup that was not escaped: feedparser re-serializes it
    return (element.text or "").strip()


def _finish(value: str) -> str:
    """What feedparser does last to every value: mojibake of UTF-8 undone, then C1
    characters (``&#146;`` or a raw U+0092) read as the Windows-1252 ones they stand for."""
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        value = value.encode("iso-8859-1").decode("utf-8")
    return value.translate(_cp1252)


def _link(value: str, *, entry: bool) -> str:
    """An RSS ``<link>`` or Atom ``<id>`` as feedparser keeps it (its URL fix-ups, step
    for step)."""
    value = _urljoin("", value)
    if entry:
        value = value.replace("&amp;", "&")
    value = re.sub("&([A-Za-z0-9_]+);", r"&\g<1>", value)
    return _finish(value)


def _html(value: str) -> str:
    """An HTML value as feedparser's HTML pass leaves it: unchanged when it is plain
    markup (most summaries; the pass costs twice the rest of the fast path), else
    through that pass itself."""
    if ("<" in value or "&" in value) and not _plain_html(value):
        return str(resolve_relative_uris(value, "", "utf-8", "text/html"))
    return value


def _plain_html(value: str) -> bool:
    def tag(match: re.Match[str]) -> str:
        closing, name, self_closing = match.groups()
        void = name.lower() in _VOID
        if (closing and (void or self_closing)) or (self_closing and not void):
            return "<"
        return ""

    def reference(match: re.Match[str]) -> str:
        name, decimal, hexadecimal = match.groups()
        if name is not None:
            return "" if name in name2codepoint or name == "apos" else "&"
        code = int(decimal) if decimal is not None else int(hexadecimal, 16)
        return "&" if code in _cp1252 else ""

    rest = _REFERENCE.sub(reference, _PLAIN_TAG.sub(tag, value))
    return "<" not in rest and "&" not in rest


_EMAIL = re.compile(
    r"(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"
    r"([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"
)


def _author_detail(author: str) -> dict[str, str]:
    """feedparser's split of "Name (email)" (mixin._sync_author_detail), step for step."""
    match = _EMAIL.search(author)
    if not match:
        return {"name": author}
    email = match.group(0)
    name = author.replace(email, "").replace("()", "").replace("<>", "")
    name = name.replace("&lt;&gt;", "").strip()
    if name and name[0] == "(":
        name = name[1:]
    if name and name[-1] == ")":
        name = name[:-1]
    name = name.strip()
    return {"name": name, "email": email} if name else {"email": email}


def _rfc822(text: str) -> Any:
    if not _RFC822.fullmatch(text):
        raise Doubt
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError) as error:
        raise Doubt from error
    return _utc_tuple(parsed)


def _rfc3339(text: str) -> Any:
    if not _RFC3339.fullmatch(text):
        raise Doubt
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise Doubt from error
    return _utc_tuple(parsed)


def _utc_tuple(parsed: datetime) -> tuple[int, ...]:
    if parsed.tzinfo is None:
        raise Doubt
    try:
        moment = parsed.astimezone(UTC)
    except (ValueError, OverflowError) as error:
        raise Doubt from error
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
