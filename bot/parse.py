"""Parse stage: feed bytes in, plain immutable data out.

Pure functions, no I/O and no clock; the caller runs them off the event loop
(:mod:`bot.parse_workers`).
Well-formed, plain RSS 2.0 and Atom 1.0 are read by the fast lxml path
(:mod:`bot.parse_fast`), which answers in feedparser's shape or declines on any doubt;
everything else (RSS 0.9x/1.0, Atom 0.3, malformed XML, odd encodings) goes through
feedparser (the tolerant parser), set to the same result (a test holds them equal);
JSON Feed 1.0/1.1 is read here with :mod:`json`. Markup is turned into plain
text by :mod:`bot.text`, never by feedparser's sanitizer.

Identity (docs/reliability.md): an item's ``key`` is ``guid:<guid>`` when the
item has a non-empty guid/id, else ``link:<normalized link>``, else
``hash:<sha256 of title, date text and the first 200 characters of the
summary>``; so a feed that re-dates or reorders items keeps their keys.

The only error raised on purpose is :class:`bot.errors.NotAFeed`.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import re
import xml.sax
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import feedparser
from lxml import etree  # type: ignore[import-untyped]

from bot.errors import NotAFeed
from bot.parse_fast import parse_fast
from bot.text import first_image, html_to_text, normalize_text

__all__ = [
    "ParsedFeed",
    "ParsedItem",
    "discover_feed_links",
    "looks_like_json_feed",
    "normalize_link",
    "parse_feed",
]

MAX_TTL_SECONDS = 24 * 60 * 60
HASH_SUMMARY_CHARS = 200

_TRACKING_PARAMS = frozenset({"fbclid", "gclid"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".bmp", ".svg")
_JSON_FEED_VERSIONS = ("https://jsonfeed.org/version/1", "http://jsonfeed.org/version/1")
_FEED_LINK_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/json",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
    }
)
_FEED_PATH_SUFFIXES = ("/feed", "/rss", ".rss", ".xml", "/atom", "feed.json")
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
# An absolute http(s) URL that urljoin and urlsplit leave as it is (no userinfo, brackets,
# ";" parameters, empty "?" or "#"): taken without them, most of a link's parse time.
_PLAIN_HTTP_URL = re.compile(r"https?://[A-Za-z0-9.:-]+(?:/[^\s?#;]*)?(?:\?[^\s#]+)?(?:#\S+)?")
_HTML_START = re.compile(rb"<\s*(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.IGNORECASE)
_WHITESPACE = b" \t\r\n\x0c"


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


# -- public API ----------------------------------------------------------------


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
    if not body.strip(_WHITESPACE + b"\x00"):
        raise NotAFeed("The address returned an empty document, not a feed.")
    if looks_like_json_feed(body, content_type):
        return _parse_json_feed(body, url)
    if _is_binary(body):
        raise NotAFeed("The address returned binary data (such as an image or a file), not a feed.")
    return _parse_xml_feed(body, url, content_type, fast=fast)


def discover_feed_links(body: bytes, base_url: str) -> list[str]:
    """The feed URLs an HTML page advertises, absolute, in page order, without repeats.

    ``<link rel="alternate">`` with a feed media type come first and alone;
    when the page has none, ``<a href>`` whose path looks like a feed
    (``/feed``, ``/rss``, ``.rss``, ``.xml``, ``/atom``, ``feed.json``) are
    returned instead. Never raises.
    """
    root = _parse_html_page(body)
    if root is None:
        return []
    base = base_url
    for element in root.iter("base"):
        href = element.get("href")
        if href:
            base = _join(base_url, href) or base_url
            break

    found: list[str] = []
    seen: set[str] = set()

    def add(href: str | None) -> None:
        absolute = _http_url(href, base)
        if absolute is None:
            return
        normalized = normalize_link(absolute)
        if normalized not in seen:
            seen.add(normalized)
            found.append(absolute)

    for element in root.iter("link"):
        rel = (element.get("rel") or "").lower().split()
        media_type = (element.get("type") or "").split(";")[0].strip().lower()
        href = element.get("href")
        if "alternate" not in rel or media_type not in _FEED_LINK_TYPES or not href:
            continue
        if media_type == "application/json" and "/wp-json/" in href:
            continue  # WordPress advertises its REST API with this type; it is not a feed.
        add(href)
    if found:
        return found

    for element in root.iter("a"):
        href = element.get("href")
        if not href:
            continue
        absolute = _http_url(href, base)
        if absolute is None:
            continue
        path = urlsplit(absolute).path.lower().rstrip("/")
        if path.endswith(_FEED_PATH_SUFFIXES) and "sitemap" not in path:
            add(absolute)
    return found


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


def looks_like_json_feed(body: bytes, content_type: str | None) -> bool:
    """True when the body should be read as JSON (Feed) rather than XML.

    A body whose first non-blank character is ``{`` is JSON; so is a body
    served with a JSON media type that does not start with ``<``.
    """
    start = _strip_bom(body[:4096]).lstrip(_WHITESPACE)
    if start.startswith(b"{"):
        return True
    media_type = (content_type or "").split(";")[0].strip().lower()
    is_json_type = media_type.endswith(("/json", "+json"))
    return is_json_type and bool(start) and not start.startswith(b"<")


# -- XML feeds (feedparser) -------------------------------------------------------


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
    items = _unique(_xml_item(dict(entry), url) for entry in entries if isinstance(entry, dict))
    warning = _bozo_warning(result) if result.get("bozo") else None
    if warning is None and repaired:
        warning = "The feed contained invalid UTF-8 bytes, which were replaced."
    return ParsedFeed(
        title=_detail_text(feed, "title"),
        link=_http_url(feed.get("link"), url),
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
    guid = _clean_guid(entry.get("id"))
    raw_link = _str(entry.get("link"))
    if entry.get("guidislink") and raw_link.strip() == (guid or "") and not _is_absolute(raw_link):
        raw_link = ""  # a guid that is not a URL, promoted to a link by feedparser
    link = _http_url(raw_link, url)
    date_text = _str(entry.get("published")) or _str(entry.get("updated"))
    published = (
        _struct_time_to_datetime(entry.get("published_parsed"))
        or _struct_time_to_datetime(entry.get("updated_parsed"))
        or _struct_time_to_datetime(entry.get("created_parsed"))
    )
    html_sources = [
        _str(c.get("value")) for c in contents if _str(c.get("type")).lower() in _HTML_TYPES
    ]
    summary_detail = entry.get("summary_detail") or {}
    if _str(summary_detail.get("type")).lower() in _HTML_TYPES:
        html_sources.append(_str(entry.get("summary")))
    return ParsedItem(
        key=_item_key(guid, link, title, date_text, summary),
        guid=guid,
        title=title,
        link=link,
        summary=summary,
        content=content,
        author=_xml_author(entry),
        image_url=_xml_image(entry, url, link, html_sources),
        published=published,
        updated=_struct_time_to_datetime(entry.get("updated_parsed")),
        tags=_clean_tags(
            _str(tag.get("label")) or _str(tag.get("term")) for tag in _dicts(entry.get("tags"))
        ),
    )


def _detail_text(mapping: Mapping[str, Any], name: str) -> str:
    """The clean text of a feedparser text construct (``title``, ``summary``...)."""
    value = _str(mapping.get(name))
    if not value:
        return ""
    detail = mapping.get(f"{name}_detail") or {}
    return _typed_text(value, _str(detail.get("type")) if isinstance(detail, Mapping) else "")


def _content_text(content: Mapping[str, Any]) -> str:
    return _typed_text(_str(content.get("value")), _str(content.get("type")))


def _typed_text(value: str, media_type: str) -> str:
    if media_type.lower() == "text/plain":
        return normalize_text(value)
    return html_to_text(value)


def _xml_author(entry: Mapping[str, Any]) -> str | None:
    detail = entry.get("author_detail")
    name = _str(detail.get("name")) if isinstance(detail, Mapping) else ""
    text = html_to_text(name or _str(entry.get("author")))
    return text or None


def _xml_image(
    entry: Mapping[str, Any], url: str, link: str | None, html_sources: list[str]
) -> str | None:
    for thumbnail in _dicts(entry.get("media_thumbnail")):
        found = _http_url(thumbnail.get("url"), url)
        if found:
            return found
    for media in _dicts(entry.get("media_content")):
        medium = _str(media.get("medium")).lower()
        media_type = _str(media.get("type")).lower()
        media_url = _str(media.get("url"))
        is_image = (
            medium == "image"
            or media_type.startswith("image/")
            or (not medium and not media_type and _has_image_extension(media_url))
        )
        found = _http_url(media_url, url) if is_image else None
        if found:
            return found
    enclosures = [e for e in _dicts(entry.get("links")) if _str(e.get("rel")) == "enclosure"]
    for enclosure in enclosures:
        if _str(enclosure.get("type")).lower().startswith("image/"):
            found = _http_url(enclosure.get("href") or enclosure.get("url"), url)
            if found:
                return found
    image = entry.get("image")
    if isinstance(image, Mapping):
        found = _http_url(image.get("href") or image.get("url"), url)
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
        encoding = _str(result.get("encoding")) or "another encoding"
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
    text = _str(value).strip()
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
    xml_match = _XML_ENCODING.search(_strip_bom(body[:1024]))
    if xml_match:
        return xml_match.group(1).decode("ascii").lower()
    return None


# -- JSON Feed -------------------------------------------------------------------


def _parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    raw = _strip_bom(body)
    text = raw.decode("utf-8", "replace")
    repaired = text.count("\ufffd") != raw.count(b"\xef\xbf\xbd")
    try:
        document = json.loads(text, parse_int=_json_int)
    except (ValueError, RecursionError) as error:
        raise NotAFeed(
            "The document looks like JSON but is not valid JSON, so it is not a feed."
        ) from error
    if not isinstance(document, dict):
        raise NotAFeed("The document is JSON but not a JSON Feed.")
    version = document.get("version")
    if not isinstance(version, str) or not version.strip().startswith(_JSON_FEED_VERSIONS):
        raise NotAFeed("The document is JSON but not a JSON Feed (it has no JSON Feed version).")

    raw_items = document.get("items")
    warning: str | None = None
    if not isinstance(raw_items, list):
        raw_items = []
        if "items" in document:
            warning = "The JSON Feed's items field is not a list, so no items were read."
    objects = [item for item in raw_items if isinstance(item, dict)]
    skipped = len(raw_items) - len(objects)
    if skipped and warning is None:
        warning = (
            f"{skipped} entries of the JSON Feed's items list were not objects and were skipped."
        )
    if repaired and warning is None:
        warning = "The feed contained invalid UTF-8 bytes, which were replaced."

    return ParsedFeed(
        title=html_to_text(_str(document.get("title"))),
        link=_http_url(document.get("home_page_url"), url),
        description=html_to_text(_str(document.get("description"))),
        format="json1",
        ttl_seconds=None,
        items=_unique(_json_item(item, url) for item in objects),
        warning=warning,
    )


def _json_int(digits: str) -> int | float:
    """A JSON integer; one longer than Python's int-conversion limit becomes a float (a
    5,000-digit number in some field must not make the whole feed unreadable)."""
    return int(digits) if len(digits) <= 4000 else float(digits)


def _json_item(item: Mapping[str, Any], base: str) -> ParsedItem:
    raw_id = item.get("id")
    if isinstance(raw_id, bool):
        raw_id = None
    guid = _clean_guid(str(raw_id) if isinstance(raw_id, int | float) else raw_id)
    link = _http_url(item.get("url"), base) or _http_url(item.get("external_url"), base)
    title = html_to_text(_str(item.get("title")))
    summary = html_to_text(_str(item.get("summary")))
    content_html = _str(item.get("content_html"))
    content = max(
        (html_to_text(content_html), normalize_text(_str(item.get("content_text")))), key=len
    )
    date_published = _str(item.get("date_published"))
    date_modified = _str(item.get("date_modified"))
    published = _parse_date_text(date_published) or _parse_date_text(date_modified)
    return ParsedItem(
        key=_item_key(guid, link, title, date_published or date_modified, summary),
        guid=guid,
        title=title,
        link=link,
        summary=summary,
        content=content or summary,
        author=_json_author(item),
        image_url=_json_image(item, base, link, content_html),
        published=published,
        updated=_parse_date_text(date_modified),
        tags=_clean_tags(_str(tag) for tag in _list(item.get("tags"))),
    )


def _json_author(item: Mapping[str, Any]) -> str | None:
    authors = [a for a in _list(item.get("authors")) if isinstance(a, dict)]
    single = item.get("author")
    if not authors and isinstance(single, dict):
        authors = [single]
    names = _clean_tags(html_to_text(_str(author.get("name"))) for author in authors)
    return ", ".join(names) or None


def _json_image(
    item: Mapping[str, Any], base: str, link: str | None, content_html: str
) -> str | None:
    for field in ("image", "banner_image"):
        found = _http_url(item.get(field), base)
        if found:
            return found
    for attachment in _list(item.get("attachments")):
        if isinstance(attachment, dict) and _str(attachment.get("mime_type")).lower().startswith(
            "image/"
        ):
            found = _http_url(attachment.get("url"), base)
            if found:
                return found
    # Markup is copied from the item's page: its relative URLs are relative to it.
    return first_image(content_html, link or base) if content_html else None


# -- shared helpers -----------------------------------------------------------------


def _item_key(guid: str | None, link: str | None, title: str, date_text: str, summary: str) -> str:
    if guid:
        return f"guid:{guid}"
    if link:
        return f"link:{normalize_link(link)}"
    material = "\x1f".join((title, date_text.strip(), summary[:HASH_SUMMARY_CHARS]))
    return "hash:" + hashlib.sha256(material.encode("utf-8", "replace")).hexdigest()


def _unique(items: Iterable[ParsedItem]) -> tuple[ParsedItem, ...]:
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


def _clean_guid(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    guid = normalize_text(value)
    return guid or None


def _clean_tags(values: Iterable[str]) -> tuple[str, ...]:
    """Clean, non-empty, distinct values in their first order."""
    tags: dict[str, None] = {}
    for value in values:
        tag = normalize_text(value)
        if tag:
            tags.setdefault(tag)
    return tuple(tags)


def _struct_time_to_datetime(value: Any) -> datetime | None:
    """feedparser's ``*_parsed`` (a UTC struct_time) as an aware datetime; None if unusable."""
    if value is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in tuple(value)[:6])
        return datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _parse_date_text(text: str) -> datetime | None:
    """An RFC 3339 (or, leniently, RFC 822) date as an aware UTC datetime; None if unparseable."""
    text = text.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    try:
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _http_url(value: Any, base: str | None) -> str | None:
    """``value`` made absolute against ``base``; None unless it is an http(s) URL."""
    if not isinstance(value, str):
        return None
    value = normalize_text(value).replace("\n", "")
    if _PLAIN_HTTP_URL.fullmatch(value):
        return value
    joined = _join(base, value)
    if joined is None:
        return None
    try:
        parts = urlsplit(joined)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return joined


def _is_absolute(value: str) -> bool:
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)


def _join(base: str | None, value: str) -> str | None:
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


def _is_binary(body: bytes) -> bool:
    return body.startswith(_BINARY_MAGIC) or (
        body[:12].startswith(b"\x00\x00\x00") and body[4:8] == b"ftyp"  # mp4, heic, avif
    )


def _has_image_extension(url: str) -> bool:
    try:
        return urlsplit(url).path.lower().endswith(_IMAGE_EXTENSIONS)
    except ValueError:
        return False


def _strip_bom(data: bytes) -> bytes:
    return data[3:] if data.startswith(codecs.BOM_UTF8) else data


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, Mapping)]


def _parse_html_page(body: bytes) -> etree._Element | None:
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    try:
        return etree.fromstring(body, parser)
    except (etree.LxmlError, ValueError):
        return None
