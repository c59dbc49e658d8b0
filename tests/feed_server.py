"""A local feed server for end-to-end tests: real HTTP on 127.0.0.1, feeds generated from
in-memory state, real files, and the faults the fetcher must survive.

    srv = FeedServer(); await srv.start()
    feed = srv.add_feed("/a.xml", title="Feed A", kind="rss")   # rss, atom, rdf, json
    feed.add_items(3, prefix="Story")
    srv.fail("/a.xml", status=500, count=2)
    await srv.wait_for_requests("/a.xml", 3)
    await srv.stop()

What a path answers, first match wins:

1. a fault from :meth:`FeedServer.fail` (``count`` times, or until cleared);
2. the latest route set on the path: a feed (:meth:`~FeedServer.add_feed`), a redirect,
   ``stall``, ``endless``, ``gzip_bomb``, ``serve_bytes`` or ``html_page`` (setting one
   replaces the previous; :meth:`FeedServer.reset` goes back to the path's feed, if any);
3. 404.

:meth:`FeedServer.delay` adds a pause before any answer of a path. Every request is
recorded (:meth:`FeedServer.requests`) when it arrives, with the status once answered, and
the server counts requests in flight (:meth:`FeedServer.max_in_flight`).

Generated feeds are valid documents of their kind (RSS 2.0 with RFC 822 dates, Atom 1.0
with RFC 3339 dates, RSS 1.0/RDF, JSON Feed 1.1); text is escaped and characters XML
cannot hold are dropped. Serve a fixture file with :meth:`FeedServer.serve_bytes` for
broken documents.

Item fields: ``None`` given to :meth:`Feed.add_item` means "make a default" (unique guid and
link under the server's base URL, a strictly increasing publication time, a summary);
pass :data:`OMIT` (or ``""`` for text fields) to leave the element out. On a stored
:class:`FeedItem`, ``None`` means "left out".
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
import hashlib
import json
import mimetypes
import random
import re
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from typing import Any, Final, Literal
from xml.sax.saxutils import escape, quoteattr

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy


class _Omit(enum.Enum):
    OMIT = "OMIT"

    def __repr__(self) -> str:
        return "OMIT"


OMIT: Final = _Omit.OMIT
"""Give this to :meth:`Feed.add_item` to leave an element out of the item."""

FeedKind = Literal["rss", "atom", "rdf", "json"]
KINDS: tuple[str, ...] = ("rss", "atom", "rdf", "json")
CONTENT_TYPES: dict[str, str] = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "rdf": "application/rdf+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
_LINK_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "rdf": "application/rdf+xml",
    "json": "application/feed+json",
}
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class FeedItem:
    """One item of a generated feed; change it freely (the feed's ETag follows)."""

    title: str | None
    link: str | None
    guid: str | None
    published: datetime | None
    summary: str | None = None
    content: str | None = None
    image: str | None = None
    author: str | None = None
    updated: datetime | None = None
    categories: list[str] = field(default_factory=list)


_ITEM_FIELDS = frozenset(f.name for f in fields(FeedItem))


@dataclass
class RequestRecord:
    """One request as the server saw it."""

    method: str
    path: str
    query: str
    headers: CIMultiDictProxy[str]
    time: float
    """``time.monotonic()`` at arrival."""
    status: int | None = None
    """The status answered (None while the handler has not answered yet)."""
    in_flight: int = 0
    """Requests in flight on the whole server when this one arrived, itself included."""


@dataclass
class _Fault:
    status: int
    count: int | None
    retry_after: str | None
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class _Redirect:
    target: str
    status: int


@dataclass(frozen=True)
class _Bytes:
    data: bytes
    content_type: str | None
    status: int
    headers: Mapping[str, str]


class _Stall:
    pass


class _Endless:
    pass


@dataclass(frozen=True)
class _GzipBomb:
    size: int


def _rfc822(when: datetime) -> str:
    when = _aware(when)
    if when.utcoffset() == timedelta(0):
        return format_datetime(when.astimezone(UTC), usegmt=True)
    return format_datetime(when)


def _rfc3339(when: datetime) -> str:
    text = _aware(when).isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _text(value: str) -> str:
    return escape(_XML_INVALID.sub("", value))


def _attr(value: str) -> str:
    return quoteattr(_XML_INVALID.sub("", value))


def _image_type(url: str) -> str:
    guessed, _ = mimetypes.guess_type(url.split("?", 1)[0])
    return guessed if guessed and guessed.startswith("image/") else "image/jpeg"


class Feed:
    """A feed generated from its items on every request."""

    def __init__(
        self,
        server: FeedServer,
        path: str,
        title: str,
        kind: FeedKind,
        *,
        description: str | None = None,
        link: str | None = None,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        self.server = server
        self.path = path
        self.title = title
        self.kind: FeedKind = kind
        self.description = description if description is not None else f"The {title} feed."
        self.link = link if link is not None else server.url("/")
        self.items: list[FeedItem] = []
        """Document order: newest first unless reordered; add_item puts new items on top."""
        self.etag = True
        """Send an ETag and answer a matching If-None-Match with 304."""
        self.last_modified = True
        """Send Last-Modified and answer an If-Modified-Since not older with 304."""
        self.ttl_minutes: int | None = None
        """RSS 2.0 ``<ttl>``."""
        self.cache_control: str | None = None
        """A Cache-Control header value, e.g. ``"max-age=600"``."""
        self.headers: dict[str, str] = {}
        """More response headers."""
        self.content_type: str | None = None
        """Overrides the kind's Content-Type."""
        self._prefixes: Counter[str] = Counter()
        self._digest: str | None = None
        self._modified_at = datetime.fromtimestamp(int(time.time()) - 1, UTC)

    @property
    def url(self) -> str:
        return self.server.url(self.path)

    # ----- items -----

    def add_item(
        self,
        title: str | _Omit | None = None,
        link: str | _Omit | None = None,
        guid: str | _Omit | None = None,
        published: datetime | _Omit | None = None,
        summary: str | _Omit | None = None,
        content: str | _Omit | None = None,
        image: str | None = None,
        author: str | None = None,
        *,
        updated: datetime | None = None,
        categories: Iterable[str] = (),
    ) -> FeedItem:
        """Add an item on top of the feed. None means a default; OMIT (or "") leaves the
        element out."""
        number = self.server._next_number()
        base = self.server.base_url
        made_title = f"Story {number}" if title is None else _given(title)
        item = FeedItem(
            title=made_title,
            link=f"{base}/stories/{number}" if link is None else _given(link),
            guid=f"{base}/guid/{number}" if guid is None else _given(guid),
            published=self.server._next_time() if published is None else _given(published),
            summary=(
                f"Summary of {made_title or f'story {number}'}."
                if summary is None
                else _given(summary)
            ),
            content=None if content is None else _given(content),
            image=image or None,
            author=author or None,
            updated=updated,
            categories=list(categories),
        )
        self.items.insert(0, item)
        return item

    def add_items(self, n: int, prefix: str = "Story", **fields: Any) -> list[FeedItem]:
        """Add ``n`` items titled "<prefix> 1", "<prefix> 2"... (numbering goes on across
        calls with the same prefix), oldest first; returns them in that order."""
        made = []
        for _ in range(n):
            self._prefixes[prefix] += 1
            made.append(self.add_item(title=f"{prefix} {self._prefixes[prefix]}", **fields))
        return made

    def item(self, guid: str) -> FeedItem:
        for item in self.items:
            if item.guid == guid:
                return item
        raise KeyError(f"no item with guid {guid!r} in {self.path}")

    def edit_item(self, guid: str, **changes: Any) -> FeedItem:
        """Change fields of the item with this guid (None leaves a field out)."""
        unknown = set(changes) - _ITEM_FIELDS
        if unknown:
            raise TypeError(f"FeedItem has no field(s) {', '.join(sorted(unknown))}")
        item = self.item(guid)
        for name, value in changes.items():
            setattr(item, name, None if value is OMIT else value)
        return item

    def remove_item(self, guid: str) -> FeedItem:
        item = self.item(guid)
        self.items.remove(item)
        return item

    def redate_all(self, delta: timedelta) -> None:
        """Move every dated item's publication (and update) time by ``delta``."""
        for item in self.items:
            if item.published is not None:
                item.published += delta
            if item.updated is not None:
                item.updated += delta

    def reorder(self, reverse: bool = True, *, seed: int | None = None) -> None:
        """Reverse the document order, or shuffle it (deterministically) given a seed."""
        if seed is not None:
            random.Random(seed).shuffle(self.items)
        elif reverse:
            self.items.reverse()

    # ----- rendering -----

    def render(self) -> bytes:
        """The document as served now."""
        if self.kind == "rss":
            return self._rss()
        if self.kind == "atom":
            return self._atom()
        if self.kind == "rdf":
            return self._rdf()
        return self._json()

    def state(self) -> tuple[bytes, str, datetime]:
        """(body, ETag, Last-Modified time); the time moves (by at least a second) whenever
        the body changes, so If-Modified-Since stays exact."""
        body = self.render()
        digest = hashlib.sha256(body).hexdigest()[:20]
        if digest != self._digest:
            now = datetime.fromtimestamp(int(time.time()), UTC)
            if self._digest is not None:
                now = max(now, self._modified_at + timedelta(seconds=1))
            self._modified_at = now
            self._digest = digest
        return body, f'"{digest}"', self._modified_at

    @property
    def current_etag(self) -> str:
        return self.state()[1]

    def _newest(self) -> datetime | None:
        dates = [_aware(d) for i in self.items if (d := i.updated or i.published) is not None]
        return max(dates) if dates else None

    def _rss(self) -> bytes:
        out = [
            '<?xml version="1.0" encoding="utf-8"?>',
            '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"'
            ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
            ' xmlns:media="http://search.yahoo.com/mrss/">',
            "<channel>",
            f"<title>{_text(self.title)}</title>",
            f"<link>{_text(self.link)}</link>",
            f"<description>{_text(self.description)}</description>",
            f'<atom:link href={_attr(self.url)} rel="self" type="application/rss+xml"/>',
        ]
        newest = self._newest()
        if newest is not None:
            out.append(f"<lastBuildDate>{_rfc822(newest)}</lastBuildDate>")
        if self.ttl_minutes is not None:
            out.append(f"<ttl>{int(self.ttl_minutes)}</ttl>")
        for item in self.items:
            out.append("<item>")
            if item.title is not None:
                out.append(f"<title>{_text(item.title)}</title>")
            if item.link is not None:
                out.append(f"<link>{_text(item.link)}</link>")
            if item.guid is not None:
                permalink = "true" if item.guid == item.link else "false"
                out.append(f'<guid isPermaLink="{permalink}">{_text(item.guid)}</guid>')
            if item.published is not None:
                out.append(f"<pubDate>{_rfc822(item.published)}</pubDate>")
            if item.author is not None:
                out.append(f"<dc:creator>{_text(item.author)}</dc:creator>")
            out.extend(f"<category>{_text(c)}</category>" for c in item.categories)
            if item.summary is not None:
                out.append(f"<description>{_text(item.summary)}</description>")
            if item.content is not None:
                out.append(f"<content:encoded>{_text(item.content)}</content:encoded>")
            if item.image is not None:
                out.append(
                    f'<media:content url={_attr(item.image)} medium="image"'
                    f" type={_attr(_image_type(item.image))}/>"
                )
            out.append("</item>")
        out += ["</channel>", "</rss>", ""]
        return "\n".join(out).encode()

    def _atom(self) -> bytes:
        updated = self._newest() or self._modified_at
        out = [
            '<?xml version="1.0" encoding="utf-8"?>',
            '<feed xmlns="http://www.w3.org/2005/Atom">',
            f'<title type="text">{_text(self.title)}</title>',
            f'<subtitle type="text">{_text(self.description)}</subtitle>',
            f"<id>{_text(self.url)}</id>",
            f"<updated>{_rfc3339(updated)}</updated>",
            f'<link rel="self" type="application/atom+xml" href={_attr(self.url)}/>',
            f'<link rel="alternate" type="text/html" href={_attr(self.link)}/>',
            "<author><name>newsdesk test feed server</name></author>",
        ]
        for item in self.items:
            out.append("<entry>")
            if item.title is not None:
                out.append(f'<title type="text">{_text(item.title)}</title>')
            if item.guid is not None:
                out.append(f"<id>{_text(item.guid)}</id>")
            if item.link is not None:
                out.append(f'<link rel="alternate" type="text/html" href={_attr(item.link)}/>')
            if item.published is not None:
                out.append(f"<published>{_rfc3339(item.published)}</published>")
            entry_updated = item.updated or item.published
            if entry_updated is not None:
                out.append(f"<updated>{_rfc3339(entry_updated)}</updated>")
            if item.author is not None:
                out.append(f"<author><name>{_text(item.author)}</name></author>")
            out.extend(f"<category term={_attr(c)}/>" for c in item.categories)
            if item.summary is not None:
                out.append(f'<summary type="html">{_text(item.summary)}</summary>')
            if item.content is not None:
                out.append(f'<content type="html">{_text(item.content)}</content>')
            if item.image is not None:
                out.append(
                    f'<link rel="enclosure" type={_attr(_image_type(item.image))}'
                    f" href={_attr(item.image)}/>"
                )
            out.append("</entry>")
        out += ["</feed>", ""]
        return "\n".join(out).encode()

    def _rdf(self) -> bytes:
        def about(item: FeedItem, index: int) -> str:
            return item.guid or item.link or f"{self.url}#item-{index}"

        out = [
            '<?xml version="1.0" encoding="utf-8"?>',
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            ' xmlns="http://purl.org/rss/1.0/"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
            ' xmlns:content="http://purl.org/rss/1.0/modules/content/">',
            f"<channel rdf:about={_attr(self.url)}>",
            f"<title>{_text(self.title)}</title>",
            f"<link>{_text(self.link)}</link>",
            f"<description>{_text(self.description)}</description>",
            "<items><rdf:Seq>",
        ]
        out.extend(
            f"<rdf:li rdf:resource={_attr(about(item, i))}/>" for i, item in enumerate(self.items)
        )
        out += ["</rdf:Seq></items>", "</channel>"]
        for index, item in enumerate(self.items):
            out.append(f"<item rdf:about={_attr(about(item, index))}>")
            if item.title is not None:
                out.append(f"<title>{_text(item.title)}</title>")
            if item.link is not None:
                out.append(f"<link>{_text(item.link)}</link>")
            if item.summary is not None:
                out.append(f"<description>{_text(item.summary)}</description>")
            if item.published is not None:
                out.append(f"<dc:date>{_rfc3339(item.published)}</dc:date>")
            if item.author is not None:
                out.append(f"<dc:creator>{_text(item.author)}</dc:creator>")
            out.extend(f"<dc:subject>{_text(c)}</dc:subject>" for c in item.categories)
            if item.content is not None:
                out.append(f"<content:encoded>{_text(item.content)}</content:encoded>")
            out.append("</item>")
        out += ["</rdf:RDF>", ""]
        return "\n".join(out).encode()

    def _json(self) -> bytes:
        items = []
        for item in self.items:
            entry: dict[str, Any] = {}
            if item.guid is not None:
                entry["id"] = item.guid
            if item.link is not None:
                entry["url"] = item.link
            if item.title is not None:
                entry["title"] = item.title
            if item.summary is not None:
                entry["summary"] = item.summary
            entry["content_html"] = item.content if item.content is not None else item.summary or ""
            if item.published is not None:
                entry["date_published"] = _rfc3339(item.published)
            if item.updated is not None:
                entry["date_modified"] = _rfc3339(item.updated)
            if item.author is not None:
                entry["authors"] = [{"name": item.author}]
            if item.image is not None:
                entry["image"] = item.image
            if item.categories:
                entry["tags"] = list(item.categories)
            items.append(entry)
        document = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": self.title,
            "home_page_url": self.link,
            "feed_url": self.url,
            "description": self.description,
            "items": items,
        }
        return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode()

    # ----- answering -----

    def respond(self, request: web.Request) -> web.Response:
        body, etag, modified = self.state()
        headers = CIMultiDict[str]()
        headers["Content-Type"] = self.content_type or CONTENT_TYPES[self.kind]
        if self.etag:
            headers["ETag"] = etag
        if self.last_modified:
            headers["Last-Modified"] = format_datetime(modified, usegmt=True)
        if self.cache_control is not None:
            headers["Cache-Control"] = self.cache_control
        headers.update(self.headers)
        if self._not_modified(request, etag, modified):
            del headers["Content-Type"]
            return web.Response(status=304, headers=headers)
        return web.Response(body=body, headers=headers)

    def _not_modified(self, request: web.Request, etag: str, modified: datetime) -> bool:
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None and self.etag:
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            return "*" in tags or etag in tags
        since = request.headers.get("If-Modified-Since")
        if since is not None and self.last_modified and if_none_match is None:
            try:
                when = parsedate_to_datetime(since)
            except (TypeError, ValueError, IndexError):
                return False
            return modified <= _aware(when)
        return False


def _given(value: Any) -> Any:
    """A value given to add_item: OMIT and "" mean "leave out" (None in the item)."""
    return None if value is OMIT or value == "" else value


@functools.lru_cache(maxsize=4)
def gzip_bomb_body(size: int) -> bytes:
    """A small gzip stream that inflates to ``size`` zero bytes."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1024 * 1024)
    parts = []
    remaining = size
    while remaining > 0:
        chunk = block if remaining >= len(block) else bytes(remaining)
        parts.append(compressor.compress(chunk))
        remaining -= len(chunk)
    parts.append(compressor.flush())
    return b"".join(parts)


class FeedServer:
    """An aiohttp server on 127.0.0.1 (a free port) serving feeds and faults."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.feeds: dict[str, Feed] = {}
        self._routes: dict[str, Any] = {}
        self._faults: dict[str, _Fault] = {}
        self._delays: dict[str, float] = {}
        self._records: list[RequestRecord] = []
        self._in_flight: Counter[str] = Counter()
        self._peak: Counter[str] = Counter()
        self._in_flight_total = 0
        self._peak_total = 0
        self._changed = asyncio.Condition()
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        self._number = 0
        self._clock_start = datetime.fromtimestamp(int(time.time()), UTC) - timedelta(days=1)
        self._time_step = 0

    # ----- life -----

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        address = self._runner.addresses[0]
        self.port = int(address[1])
        self._base_url = f"http://{self.host}:{self.port}"

    async def stop(self) -> None:
        """Stop serving; stalled and endless answers end (unfinished) now."""
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FeedServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("the feed server is not started: await srv.start() first")
        return self._base_url

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        if path.startswith(("http://", "https://")):
            return path
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # ----- content -----

    def add_feed(
        self,
        path: str,
        title: str = "Test feed",
        kind: FeedKind = "rss",
        *,
        description: str | None = None,
        link: str | None = None,
    ) -> Feed:
        """Serve a generated feed at ``path`` (replacing whatever the path served)."""
        path = _path(path)
        feed = Feed(self, path, title, kind, description=description, link=link)
        self.feeds[path] = feed
        self._routes[path] = feed
        return feed

    def redirect(self, path: str, target: str, status: int = 301) -> None:
        """Answer ``path`` with a redirect to ``target`` (a path, sent as is in Location,
        or an absolute URL). Chains and loops are made of several calls."""
        if not 300 <= status < 400:
            raise ValueError("a redirect status is 3xx")
        self._routes[_path(path)] = _Redirect(target, status)

    def stall(self, path: str) -> None:
        """Answer with headers and the start of a body, then never finish (until stop)."""
        self._routes[_path(path)] = _Stall()

    def endless(self, path: str) -> None:
        """Answer with a chunked body that never ends."""
        self._routes[_path(path)] = _Endless()

    def gzip_bomb(self, path: str, size: int = 50 * 1024 * 1024) -> None:
        """Answer with a small gzip body (Content-Encoding: gzip) inflating to ``size``."""
        gzip_bomb_body(size)  # build it now, not while a request waits
        self._routes[_path(path)] = _GzipBomb(size)

    def serve_bytes(
        self,
        path: str,
        data: bytes,
        content_type: str | None = "application/rss+xml",
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer with exactly ``data`` (e.g. a fixture file's bytes)."""
        self._routes[_path(path)] = _Bytes(bytes(data), content_type, status, dict(headers or {}))

    def html_page(
        self, path: str, feed_path: str, *, title: str = "A news site", kind: str | None = None
    ) -> None:
        """An HTML page whose ``<link rel="alternate">`` points at ``feed_path`` (sent as
        given: a path stays relative). The link type follows the feed's kind if known."""
        feed = self.feeds.get(feed_path)
        link_type = _LINK_TYPES[kind or (feed.kind if feed else "rss")]
        page = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{_text(title)}</title>"
            f'<link rel="alternate" type="{link_type}" title={_attr(title)}'
            f" href={_attr(feed_path)}>"
            f"</head><body><h1>{_text(title)}</h1><p>Welcome.</p></body></html>\n"
        )
        self.serve_bytes(path, page.encode(), content_type="text/html; charset=utf-8")

    # ----- faults -----

    def fail(
        self,
        path: str,
        status: int = 500,
        count: int | None = None,
        retry_after: float | str | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        body: bytes | str | None = None,
    ) -> None:
        """Answer the next ``count`` requests of ``path`` with ``status`` (None: until
        :meth:`clear_faults`). ``retry_after`` is sent as Retry-After (seconds, or a
        string such as an HTTP date)."""
        if isinstance(retry_after, float) and retry_after.is_integer():
            retry_after = int(retry_after)
        if body is None:
            phrase = _phrase(status)
            body = f"{status} {phrase}\n".encode()
        elif isinstance(body, str):
            body = body.encode()
        self._faults[_path(path)] = _Fault(
            status,
            count,
            None if retry_after is None else str(retry_after),
            dict(headers or {}),
            body,
        )

    def clear_faults(self, path: str | None = None) -> None:
        """Stop failing ``path`` (or every path)."""
        if path is None:
            self._faults.clear()
        else:
            self._faults.pop(_path(path), None)

    def delay(self, path: str, seconds: float | None) -> None:
        """Wait ``seconds`` before answering any request of ``path`` (None: no more)."""
        if seconds is None:
            self._delays.pop(_path(path), None)
        else:
            self._delays[_path(path)] = seconds

    def reset(self, path: str) -> None:
        """Forget faults, delays and routes set on ``path``; its feed (if any) is back."""
        path = _path(path)
        self._faults.pop(path, None)
        self._delays.pop(path, None)
        if path in self.feeds:
            self._routes[path] = self.feeds[path]
        else:
            self._routes.pop(path, None)

    # ----- what happened -----

    def requests(self, path: str | None = None) -> list[RequestRecord]:
        """The requests of ``path`` (or all), oldest first."""
        if path is None:
            return list(self._records)
        return [r for r in self._records if r.path == path]

    async def wait_for_requests(
        self,
        path: str,
        n: int,
        timeout: float = 10,  # noqa: ASYNC109 - the API asks for it
    ) -> list[RequestRecord]:
        """Wait until ``path`` has had at least ``n`` requests; returns them.
        Raises TimeoutError saying how many came."""
        async with self._changed:
            try:
                async with asyncio.timeout(timeout):
                    await self._changed.wait_for(lambda: len(self.requests(path)) >= n)
            except TimeoutError:
                got = len(self.requests(path))
                raise TimeoutError(
                    f"{path} had {got} request(s), not {n}, within {timeout} s"
                ) from None
        return self.requests(path)

    def in_flight(self, path: str | None = None) -> int:
        """Requests being answered now (of ``path``, or all)."""
        return self._in_flight_total if path is None else self._in_flight[path]

    def max_in_flight(self, path: str | None = None) -> int:
        """The most requests answered at once so far (of ``path``, or all)."""
        return self._peak_total if path is None else self._peak[path]

    # ----- internals -----

    def _next_number(self) -> int:
        self._number += 1
        return self._number

    def _next_time(self) -> datetime:
        """Strictly increasing default publication times: one second apart, from a day
        before the server started (so 86,400 items before reaching the present)."""
        self._time_step += 1
        return self._clock_start + timedelta(seconds=self._time_step)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self._in_flight[path] += 1
        self._in_flight_total += 1
        self._peak[path] = max(self._peak[path], self._in_flight[path])
        self._peak_total = max(self._peak_total, self._in_flight_total)
        record = RequestRecord(
            method=request.method,
            path=path,
            query=request.query_string,
            headers=CIMultiDictProxy(CIMultiDict(request.headers)),
            time=time.monotonic(),
            in_flight=self._in_flight_total,
        )
        self._records.append(record)
        try:
            await self._notify()
            delay = self._delays.get(path)
            if delay:
                await self._sleep(delay)
            return await self._answer(request, path, record)
        finally:
            self._in_flight[path] -= 1
            self._in_flight_total -= 1

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _answer(
        self, request: web.Request, path: str, record: RequestRecord
    ) -> web.StreamResponse:
        fault = self._faults.get(path)
        if fault is not None:
            if fault.count is not None:
                fault.count -= 1
                if fault.count <= 0:
                    del self._faults[path]
            headers = dict(fault.headers)
            if fault.retry_after is not None:
                headers["Retry-After"] = fault.retry_after
            headers.setdefault("Content-Type", "text/plain; charset=utf-8")
            record.status = fault.status
            return web.Response(status=fault.status, body=fault.body, headers=headers)
        route = self._routes.get(path)
        response: web.StreamResponse
        if isinstance(route, Feed):
            response = route.respond(request)
        elif isinstance(route, _Redirect):
            response = web.Response(
                status=route.status,
                headers={"Location": route.target},
                text=f"Moved to {route.target}\n",
            )
        elif isinstance(route, _Bytes):
            extra = CIMultiDict(route.headers)
            if route.content_type is not None:
                extra.setdefault("Content-Type", route.content_type)
            response = web.Response(status=route.status, body=route.data, headers=extra)
        elif isinstance(route, _GzipBomb):
            response = web.Response(
                body=gzip_bomb_body(route.size),
                headers={
                    "Content-Type": "application/rss+xml",
                    "Content-Encoding": "gzip",
                },
            )
        elif isinstance(route, _Stall):
            record.status = 200
            return await self._stall(request)
        elif isinstance(route, _Endless):
            record.status = 200
            return await self._endless(request)
        else:
            response = web.Response(status=404, text="404 Not Found\n")
        record.status = response.status
        return response

    async def _stall(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        response.content_length = 1024 * 1024  # promised, never delivered
        await response.prepare(request)
        await response.write(b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">')
        await self._stopping.wait()
        if request.transport is not None:
            request.transport.abort()
        return response

    async def _endless(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        chunk = (
            b"<item><title>More</title><description>" + b"x" * 16_000 + b"</description></item>\n"
        )
        try:
            await response.write(
                b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>\n'
            )
            while not self._stopping.is_set():
                await response.write(chunk)
        except (ConnectionError, RuntimeError):
            return response  # the client gave up: what it should do
        if request.transport is not None:
            request.transport.abort()
        return response


def _path(path: str) -> str:
    if not path.startswith("/"):
        raise ValueError(f"a path starts with '/': {path!r}")
    return path


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
