"""Which feeds a web page links to: for a source given as a site's address."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from lxml import etree  # type: ignore[import-untyped]

from bot.pipeline.parse.items import http_url, join_url, normalize_link

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
    base = _base_url(root, base_url)
    return _absolute_unique(_alternate_links(root), base) or _absolute_unique(
        _feed_looking_anchors(root, base), base
    )


def _base_url(root: etree._Element, base_url: str) -> str:
    """The page's ``<base href>`` resolved against its address, else its address."""
    for element in root.iter("base"):
        href = element.get("href")
        if href:
            return join_url(base_url, href) or base_url
    return base_url


def _alternate_links(root: etree._Element) -> Iterator[str]:
    """The hrefs of ``<link rel="alternate">`` with a feed media type."""
    for element in root.iter("link"):
        rel = (element.get("rel") or "").lower().split()
        media_type = (element.get("type") or "").split(";")[0].strip().lower()
        href = element.get("href")
        if "alternate" not in rel or media_type not in _FEED_LINK_TYPES or not href:
            continue
        if media_type == "application/json" and "/wp-json/" in href:
            continue  # WordPress advertises its REST API with this type; it is not a feed.
        yield href


def _feed_looking_anchors(root: etree._Element, base: str) -> Iterator[str]:
    """The absolute URLs of ``<a href>`` whose path looks like a feed's."""
    for element in root.iter("a"):
        href = element.get("href")
        if not href:
            continue
        absolute = http_url(href, base)
        if absolute is None:
            continue
        path = urlsplit(absolute).path.lower().rstrip("/")
        if path.endswith(_FEED_PATH_SUFFIXES) and "sitemap" not in path:
            yield absolute


def _absolute_unique(hrefs: Iterable[str], base: str) -> list[str]:
    """The hrefs made absolute (those that cannot be are dropped), in order, without repeats."""
    found: list[str] = []
    seen: set[str] = set()
    for href in hrefs:
        absolute = http_url(href, base)
        if absolute is None:
            continue
        normalized = normalize_link(absolute)
        if normalized not in seen:
            seen.add(normalized)
            found.append(absolute)
    return found


def _parse_html_page(body: bytes) -> etree._Element | None:
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    try:
        return etree.fromstring(body, parser)
    except (etree.LxmlError, ValueError):
        return None
