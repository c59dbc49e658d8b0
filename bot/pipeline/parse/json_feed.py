"""JSON Feed 1.0 / 1.1, read with :mod:`json` into the parse stage's shape."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from bot.errors import NotAFeed
from bot.pipeline.parse.items import (
    WHITESPACE,
    ParsedFeed,
    ParsedItem,
    as_list,
    as_str,
    clean_guid,
    clean_tags,
    http_url,
    item_key,
    strip_bom,
    unique,
)
from bot.text.from_html import first_image, html_to_text, normalize_text

_JSON_FEED_VERSIONS = ("https://jsonfeed.org/version/1", "http://jsonfeed.org/version/1")


def looks_like_json_feed(body: bytes, content_type: str | None) -> bool:
    """True when the body should be read as JSON (Feed) rather than XML.

    A body whose first non-blank character is ``{`` is JSON; so is a body
    served with a JSON media type that does not start with ``<``.
    """
    start = strip_bom(body[:4096]).lstrip(WHITESPACE)
    if start.startswith(b"{"):
        return True
    media_type = (content_type or "").split(";")[0].strip().lower()
    is_json_type = media_type.endswith(("/json", "+json"))
    return is_json_type and bool(start) and not start.startswith(b"<")


def parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    raw = strip_bom(body)
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
        title=html_to_text(as_str(document.get("title"))),
        link=http_url(document.get("home_page_url"), url),
        description=html_to_text(as_str(document.get("description"))),
        format="json1",
        ttl_seconds=None,
        items=unique(_json_item(item, url) for item in objects),
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
    guid = clean_guid(str(raw_id) if isinstance(raw_id, int | float) else raw_id)
    link = http_url(item.get("url"), base) or http_url(item.get("external_url"), base)
    title = html_to_text(as_str(item.get("title")))
    summary = html_to_text(as_str(item.get("summary")))
    content_html = as_str(item.get("content_html"))
    content = max(
        (html_to_text(content_html), normalize_text(as_str(item.get("content_text")))), key=len
    )
    date_published = as_str(item.get("date_published"))
    date_modified = as_str(item.get("date_modified"))
    published = _parse_date_text(date_published) or _parse_date_text(date_modified)
    return ParsedItem(
        key=item_key(guid, link, title, date_published or date_modified, summary),
        guid=guid,
        title=title,
        link=link,
        summary=summary,
        content=content or summary,
        author=_json_author(item),
        image_url=_json_image(item, base, link, content_html),
        published=published,
        updated=_parse_date_text(date_modified),
        tags=clean_tags(as_str(tag) for tag in as_list(item.get("tags"))),
    )


def _json_author(item: Mapping[str, Any]) -> str | None:
    authors = [a for a in as_list(item.get("authors")) if isinstance(a, dict)]
    single = item.get("author")
    if not authors and isinstance(single, dict):
        authors = [single]
    names = clean_tags(html_to_text(as_str(author.get("name"))) for author in authors)
    return ", ".join(names) or None


def _json_image(
    item: Mapping[str, Any], base: str, link: str | None, content_html: str
) -> str | None:
    for field in ("image", "banner_image"):
        found = http_url(item.get(field), base)
        if found:
            return found
    for attachment in as_list(item.get("attachments")):
        if isinstance(attachment, dict) and as_str(attachment.get("mime_type")).lower().startswith(
            "image/"
        ):
            found = http_url(attachment.get("url"), base)
            if found:
                return found
    # Markup is copied from the item's page: its relative URLs are relative to it.
    return first_image(content_html, link or base) if content_html else None


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
