"""Parse stage: feed bytes in, plain immutable data out.

Pure functions, no I/O and no clock; the caller runs them off the event loop
(:mod:`bot.parse_workers`).
Well-formed, plain RSS 2.0 and Atom 1.0 are read by the fast lxml path
(:mod:`bot.parse_fast`), which answers in feedparser's shape or declines on any doubt;
everything else (RSS 0.9x/1.0, Atom 0.3, malformed XML, odd encodings) goes through
feedparser (the tolerant parser), set to the same result (a test holds them equal);
JSON Feed 1.0/1.1 by :mod:`bot.parse_json`. Markup is turned into plain
text by :mod:`bot.text`, never by feedparser's sanitizer. Item identity and the
result's shape are in :mod:`bot.feed_items`; a page's feed links in :mod:`bot.discover`.

The only error raised on purpose is :class:`bot.errors.NotAFeed`.
"""

from __future__ import annotations

import codecs
import io
import re
import xml.sax
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser

from bot.errors import NotAFeed
from bot.pipeline.parse.discover import discover_feed_links
from bot.pipeline.parse.fast import parse_fast
from bot.pipeline.parse.items import (
    WHITESPACE,
    ParsedFeed,
    ParsedItem,
    as_str,
    clean_guid,
    clean_tags,
    dicts,
    http_url,
    item_key,
    normalize_link,
    strip_bom,
    unique,
)
from bot.pipeline.parse.json_feed import looks_like_json_feed, parse_json_feed
from bot.text.from_html import first_image, html_to_text, normalize_text

__all__ = [
    "ParsedFeed",
    "ParsedItem",
    "discover_feed_links",
    "looks_like_json_feed",
    "normalize_link",
    "parse_feed",
]

MAX_TTL_SECONDS = 24 * 60 * 60
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".bmp", ".svg")

_BINARY_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"%PDF",
    b"PK\x03\x04",  # zip, docx, epub
    b"\x1f\x8b",  # gzip that was never decompressed
    b"RIFF",  # webp, wav, avi
    b"\x00\x00\x01\x00",  # ico
    b"OggS",
    b"\x7fELF",
)

_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_HTML_START = re.compile(rb"<\s*(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.IGNORECASE)


def parse_feed(
    body: bytes, url: str, content_type: str | None = None, *, fast: bool = True
) -> ParsedFeed:
    """Parse an RSS, Atom or JSON Feed document fetched from ``url``.

    Relative links resolve against ``url`` (and ``xml:base``). A valid feed
    with no items returns ``items=()``; a malformed document from which items
    could still be read returns them with ``warning`` set. ``fast=False`` sends every
    RSS/Atom document through feedparser (the equivalence test and the benches use it).

    Raises:
        NotAFeed: the bytes are not a feed (an HTML page, plain text, an
            image, an empty body, JSON that is not a JSON Feed).
    """
    if not body.strip(WHITESPACE + b"\x00"):
        raise NotAFeed("The address returned an empty document, not a feed.")
    if looks_like_json_feed(body, content_type):
        return parse_json_feed(body, url)
    if _is_binary(body):
        raise NotAFeed("The address returned binary data (such as an image or a file), not a feed.")
    return _parse_xml_feed(body, url, content_type, fast=fast)


def _parse_xml_feed(body: bytes, url: str, content_type: str | None, *, fast: bool) -> ParsedFeed:
    # No Content-Location header on purpose: with one, feedparser resolves an
    # RSS <guid> (isPermaLink defaults to true) against the fetch URL, so a
    # guid such as "item-17" would become "https://host/item-17" and every
    # key would change when the feed URL does. Links are resolved against
    # ``url`` here instead (feedparser still applies xml:base).
    quick = parse_fast(body, content_type) if fast else None
    if quick is not None:
        return _xml_result(quick, body, url, repaired=False)
    headers = {"content-type": content_type} if content_type else {}
    data, repaired = _repair_utf8(body, content_type)
    try:
        # A BytesIO, never the bytes: feedparser treats a bytes/str argument
        # that names an existing file as a path and opens it.
        result = feedparser.parse(
            io.BytesIO(data),
            response_headers=headers,
            sanitize_html=False,
            resolve_relative_uris=True,
        )
    except Exception as error:  # feedparser on hostile input; one source must not stop others
        raise NotAFeed("The document could not be read as an RSS or Atom feed.") from error
    return _xml_result(result, body, url, repaired=repaired)


def _xml_result(result: Mapping[str, Any], body: bytes, url: str, *, repaired: bool) -> ParsedFeed:
    """ParsedFeed from feedparser's result (or the fast path's result of the same shape)."""
    version = str(result.get("version") or "")
    entries = result.get("entries") or []
    if not version and not entries:
        if _HTML_START.search(body[:2048]):
            raise NotAFeed("The address returned a web page (HTML), not an RSS, Atom or JSON feed.")
        raise NotAFeed("The document is not an RSS, Atom or JSON feed.")

    # Plain dict copies: FeedParserDict answers ``updated`` with ``published``
    # when an entry has no update date (a deprecated fallback) and maps other
    # legacy names; we want exactly what the document holds.
    feed = dict(result.get("feed") or {})
    items = unique(_xml_item(dict(entry), url) for entry in entries if isinstance(entry, dict))
    warning = _bozo_warning(result) if result.get("bozo") else None
    if warning is None and repaired:
        warning = "The feed contained invalid UTF-8 bytes, which were replaced."
    return ParsedFeed(
        title=_detail_text(feed, "title"),
        link=http_url(feed.get("link"), url),
        description=_detail_text(feed, "subtitle"),
        format=version or "unknown",
        ttl_seconds=_ttl_seconds(feed.get("ttl")),
        items=items,
        warning=warning,
    )


def _xml_item(entry: Mapping[str, Any], url: str) -> ParsedItem:
    title = _detail_text(entry, "title")
    summary = _detail_text(entry, "summary")
    contents = [c for c in entry.get("content") or [] if isinstance(c, Mapping)]
    content_texts = [_content_text(c) for c in contents]
    content = max(content_texts, key=len, default="") or summary
    guid = clean_guid(entry.get("id"))
    raw_link = as_str(entry.get("link"))
    if entry.get("guidislink") and raw_link.strip() == (guid or "") and not _is_absolute(raw_link):
        raw_link = ""  # a guid that is not a URL, promoted to a link by feedparser
    link = http_url(raw_link, url)
    date_text = as_str(entry.get("published")) or as_str(entry.get("updated"))
    published = (
        _struct_time_to_datetime(entry.get("published_parsed"))
        or _struct_time_to_datetime(entry.get("updated_parsed"))
        or _struct_time_to_datetime(entry.get("created_parsed"))
    )
    html_sources = [
        as_str(c.get("value")) for c in contents if as_str(c.get("type")).lower() in _HTML_TYPES
    ]
    summary_detail = entry.get("summary_detail") or {}
    if as_str(summary_detail.get("type")).lower() in _HTML_TYPES:
        html_sources.append(as_str(entry.get("summary")))
    return ParsedItem(
        key=item_key(guid, link, title, date_text, summary),
        guid=guid,
        title=title,
        link=link,
        summary=summary,
        content=content,
        author=_xml_author(entry),
        image_url=_xml_image(entry, url, link, html_sources),
        published=published,
        updated=_struct_time_to_datetime(entry.get("updated_parsed")),
        tags=clean_tags(
            as_str(tag.get("label")) or as_str(tag.get("term")) for tag in dicts(entry.get("tags"))
        ),
    )


def _detail_text(mapping: Mapping[str, Any], name: str) -> str:
    """The clean text of a feedparser text construct (``title``, ``summary``...)."""
    value = as_str(mapping.get(name))
    if not value:
        return ""
    detail = mapping.get(f"{name}_detail") or {}
    return _typed_text(value, as_str(detail.get("type")) if isinstance(detail, Mapping) else "")


def _content_text(content: Mapping[str, Any]) -> str:
    return _typed_text(as_str(content.get("value")), as_str(content.get("type")))


def _typed_text(value: str, media_type: str) -> str:
    if media_type.lower() == "text/plain":
        return normalize_text(value)
    return html_to_text(value)


def _xml_author(entry: Mapping[str, Any]) -> str | None:
    detail = entry.get("author_detail")
    name = as_str(detail.get("name")) if isinstance(detail, Mapping) else ""
    text = html_to_text(name or as_str(entry.get("author")))
    return text or None


def _xml_image(
    entry: Mapping[str, Any], url: str, link: str | None, html_sources: list[str]
) -> str | None:
    for thumbnail in dicts(entry.get("media_thumbnail")):
        found = http_url(thumbnail.get("url"), url)
        if found:
            return found
    for media in dicts(entry.get("media_content")):
        medium = as_str(media.get("medium")).lower()
        media_type = as_str(media.get("type")).lower()
        media_url = as_str(media.get("url"))
        is_image = (
            medium == "image"
            or media_type.startswith("image/")
            or (not medium and not media_type and _has_image_extension(media_url))
        )
        found = http_url(media_url, url) if is_image else None
        if found:
            return found
    enclosures = [e for e in dicts(entry.get("links")) if as_str(e.get("rel")) == "enclosure"]
    for enclosure in enclosures:
        if as_str(enclosure.get("type")).lower().startswith("image/"):
            found = http_url(enclosure.get("href") or enclosure.get("url"), url)
            if found:
                return found
    image = entry.get("image")
    if isinstance(image, Mapping):
        found = http_url(image.get("href") or image.get("url"), url)
        if found:
            return found
    for html in html_sources:
        # feedparser has applied xml:base; what is still relative was copied
        # from the item's page, so it is relative to the item's link.
        found = first_image(html, link or url)
        if found:
            return found
    return None


def _bozo_warning(result: Mapping[str, Any]) -> str | None:
    error = result.get("bozo_exception")
    if isinstance(error, feedparser.NonXMLContentType):
        return None  # a wrong Content-Type header is the server's quirk, not a broken feed
    if isinstance(error, feedparser.CharacterEncodingOverride):
        encoding = as_str(result.get("encoding")) or "another encoding"
        return f"The feed's declared character encoding was wrong, so it was read as {encoding}."
    if isinstance(error, feedparser.CharacterEncodingUnknown):
        return (
            "The feed's character encoding could not be determined, "
            "so some characters may be wrong."
        )
    if isinstance(error, feedparser.UndeclaredNamespace):
        return "The feed uses an undeclared XML namespace, so it was read leniently."
    if isinstance(error, xml.sax.SAXParseException):
        message = error.getMessage()
        line = error.getLineNumber()
        return (
            f"The feed is not well-formed XML ({message} at line {line}), "
            "so it was read leniently and some items may be missing."
        )
    return "The feed is malformed, so it was read leniently and some items may be missing."


def _ttl_seconds(value: Any) -> int | None:
    text = as_str(value).strip()
    if not text.isascii() or not text.isdigit():
        return None
    minutes = int(text[:9])  # caps absurd digit strings before multiplying
    if minutes <= 0:
        return None
    return min(minutes * 60, MAX_TTL_SECONDS)


def _repair_utf8(body: bytes, content_type: str | None) -> tuple[bytes, bool]:
    """Replace invalid byte sequences of a UTF-8 document with U+FFFD.

    feedparser falls back to windows-1252 for a document that does not
    decode as its declared UTF-8, which turns every correct multibyte
    character into mojibake. When the document is declared (or defaults to)
    UTF-8 and it holds valid multibyte sequences at least half as many as
    its invalid bytes, it is UTF-8 with some bad bytes: repair it (Latin-1
    text almost never forms a valid UTF-8 sequence by chance). Otherwise, for
    instance Latin-1 bytes under a UTF-8 declaration, leave it to
    feedparser's fallback. Returns the bytes and whether they were repaired.
    """
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return body, False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return body, False
    declared = _declared_encoding(body, content_type)
    if declared not in {None, "utf-8", "utf8"}:
        return body, False
    text = body.decode("utf-8", "replace")
    invalid = text.count("\ufffd") - body.count(b"\xef\xbf\xbd")
    multibyte = sum(1 for char in text if char > "\x7f" and char != "\ufffd")
    if multibyte == 0 or multibyte * 2 < invalid:
        return body, False
    return text.encode("utf-8"), True


def _declared_encoding(body: bytes, content_type: str | None) -> str | None:
    match = _CHARSET.search(content_type or "")
    if match:
        return match.group(1).lower()
    xml_match = _XML_ENCODING.search(strip_bom(body[:1024]))
    if xml_match:
        return xml_match.group(1).decode("ascii").lower()
    return None


def _struct_time_to_datetime(value: Any) -> datetime | None:
    """feedparser's ``*_parsed`` (a UTC struct_time) as an aware datetime; None if unusable."""
    if value is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in tuple(value)[:6])
        return datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _is_absolute(value: str) -> bool:
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)


def _is_binary(body: bytes) -> bool:
    return body.startswith(_BINARY_MAGIC) or (
        body[:12].startswith(b"\x00\x00\x00") and body[4:8] == b"ftyp"  # mp4, heic, avif
    )


def _has_image_extension(url: str) -> bool:
    try:
        return urlsplit(url).path.lower().endswith(_IMAGE_EXTENSIONS)
    except ValueError:
        return False
