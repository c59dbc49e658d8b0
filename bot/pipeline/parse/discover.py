"""Which feeds a web page links to: for a source given as a site's address."""

from __future__ import annotations

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
    base = base_url
    for element in root.iter("base"):
        href = element.get("href")
        if href:
            base = join_url(base_url, href) or base_url
            break

    found: list[str] = []
    seen: set[str] = set()

    def add(href: str | None) -> None:
        absolute = http_url(href, base)
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
        absolute = http_url(href, base)
        if absolute is None:
            continue
        path = urlsplit(absolute).path.lower().rstrip("/")
        if path.endswith(_FEED_PATH_SUFFIXES) and "sitemap" not in path:
            add(absolute)
    return found


def _parse_html_page(body: bytes) -> etree._Element | None:
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    try:
        return etree.fromstring(body, parser)
    except (etree.LxmlError, ValueError):
        return None
