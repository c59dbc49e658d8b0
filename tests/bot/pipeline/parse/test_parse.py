"""bot.pipeline.parse: every fixture under tests/feeds, identity rules, bad input."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import NotAFeed
from bot.pipeline.parse import (
    ParsedFeed,
    ParsedItem,
    discover_feed_links,
    looks_like_json_feed,
    normalize_link,
    parse_feed,
)
from bot.pipeline.parse.items import http_url
from bot.text.from_html import normalize_text

FEEDS = Path(__file__).resolve().parents[3] / "feeds"
FEED_URL = "https://feeds.example.com/feed"


def load(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def parse(name: str, content_type: str | None = None) -> ParsedFeed:
    return parse_feed(load(name), FEED_URL, content_type)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def rss(items: str, channel: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>T</title><link>https://site.example/</link>{channel}{items}</channel></rss>"
    ).encode()


# -- fixtures: formats --------------------------------------------------------------


def test_rss091() -> None:
    feed = parse("rss091.xml")
    assert feed.format == "rss091u"
    assert feed.title == "Kernel Notes"
    assert feed.link == "https://kernel-notes.example.com/"
    assert feed.description == "Short notes on operating system internals."
    assert [i.title for i in feed.items] == [
        "Scheduler latency drops in the new release",
        "Filesystem journaling explained",
    ]
    first = feed.items[0]
    assert first.key == "link:https://kernel-notes.example.com/2024/scheduler-latency"
    assert first.guid is None
    assert first.published is None
    assert first.summary == "Benchmarks show a 12% improvement in wake-up latency."
    assert feed.warning is None


def test_rss092() -> None:
    feed = parse("rss092.xml")
    assert feed.format == "rss092"
    mesh, description_only = feed.items
    assert mesh.title == "Mesh routing firmware 3.2 is out"
    assert mesh.summary == "The update adds encrypted beacons."
    assert mesh.image_url is None  # the enclosure is audio, not an image
    assert description_only.title == ""
    assert description_only.link is None
    assert description_only.key.startswith("hash:")
    assert description_only.summary.startswith("A description-only item")


def test_rss10() -> None:
    feed = parse("rss10.rdf")
    assert feed.format == "rss10"
    assert feed.title == "Compiler Digest"
    ssa, jit = feed.items
    assert ssa.key == "guid:https://compilers.example.net/items/ssa-form"
    assert ssa.link == "https://compilers.example.net/items/ssa-form"
    assert ssa.published == utc(2024, 3, 4, 8, 30)  # dc:date, +01:00 made UTC
    assert ssa.author == "Ada Byron"
    assert ssa.tags == ("compilers",)
    assert jit.published == utc(2024, 3, 5, 18, 0)


def test_rss20() -> None:
    feed = parse("rss20.xml")
    assert feed.format == "rss20"
    assert feed.title == "Byte Harbor"
    assert feed.description == "Daily & weekly tech news."
    assert feed.ttl_seconds == 3600
    db, wafers, podcast = feed.items

    assert db.key == "guid:byteharbor-4711"
    assert db.guid == "byteharbor-4711"
    assert db.title == "Open-source database hits 1.0"
    assert db.link == "https://byteharbor.example.com/news/db-1-0?utm_source=rss&utm_medium=feed"
    assert db.author == "Grace Lin"
    assert db.tags == ("databases", "open source")
    assert db.published == utc(2024, 4, 2, 14, 30)
    assert db.image_url == "https://cdn.byteharbor.example.com/thumbs/db-1-0.jpg"  # media:thumbnail
    assert db.summary == "After six years, the project ships a stable release."
    assert rss20_first_image_fallback() == "https://byteharbor.example.com/img/db-chart.png"
    assert db.content == (
        "After six years, the project ships a stable release.\n\n"
        "Highlights:\n\n• Write-ahead logging\n• Online backups"
    )
    assert "trackReader" not in db.content

    assert wafers.key == "guid:https://byteharbor.example.com/news/2nm-wafers"
    assert wafers.image_url == "https://cdn.byteharbor.example.com/img/wafer.jpg"  # image enclosure
    assert wafers.author == "Omar Haddad"
    assert wafers.content == wafers.summary == "Early yields are said to be promising."

    assert podcast.key == "link:https://byteharbor.example.com/podcast/17"
    assert podcast.image_url == "https://cdn.byteharbor.example.com/img/podcast-17.png"  # itunes
    assert podcast.published == utc(2024, 4, 1, 0, 15)  # -0400 made UTC


def rss20_first_image_fallback() -> str | None:
    """Without media elements, the first <img> of content:encoded, relative to the item link."""
    body = load("rss20.xml").replace(b"<media:thumbnail", b"<ignored")
    return parse_feed(body, FEED_URL).items[0].image_url


def test_atom03() -> None:
    feed = parse("atom03.xml")
    assert feed.format == "atom03"
    assert feed.title == "Terminal Velocity"
    assert feed.link == "https://terminal-velocity.example.com/"
    assert feed.description == "Command-line tools, reviewed."
    grep, history = feed.items
    assert grep.key == "guid:tag:terminal-velocity.example.com,2024:faster-grep"
    assert grep.published == utc(2024, 2, 9, 10, 0)
    assert grep.updated == utc(2024, 2, 10, 11, 0)
    assert history.content == "Stop pressing the up arrow forty times."


def test_atom10_relative_links_and_xml_base() -> None:
    feed = parse("atom10.xml")
    assert feed.format == "atom10"
    assert feed.title == "Cloud Log"
    assert feed.description == "Infrastructure stories"
    assert feed.link == "https://cloudlog.example.io/"
    deploys, alerts = feed.items
    assert deploys.title == "Zero-downtime deploys with blue/green"
    assert deploys.link == "https://cloudlog.example.io/blog/posts/zero-downtime"
    assert deploys.published == utc(2024, 5, 19, 15, 0)
    assert deploys.updated == utc(2024, 5, 20, 9, 0)
    assert deploys.author == "Priya Nair"
    assert deploys.tags == ("Deployments", "kubernetes")
    assert deploys.summary == "How we switch traffic without dropping requests."
    assert deploys.content == "Two identical fleets, one router."
    assert deploys.image_url == "https://cloudlog.example.io/images/bluegreen.png"  # from <img>
    # entry xml:base="../archive/" is relative to the feed's xml:base
    assert alerts.link == "https://cloudlog.example.io/archive/2024/cost-alerts"
    assert alerts.published == alerts.updated == utc(2024, 5, 10, 12, 0)  # updated only
    assert alerts.content == "Send fewer, better alerts.\n\nStart with a budget."
    assert alerts.image_url == "https://cdn.cloudlog.example.io/thumbs/cost.jpg"


def test_jsonfeed10() -> None:
    feed = parse("jsonfeed10.json")
    assert feed.format == "json1"
    assert feed.title == "Gadget Bench"
    assert feed.link == "https://gadgetbench.example.com/"
    assert feed.description == "Hands-on reviews of small hardware."
    assert feed.ttl_seconds is None
    assert feed.warning is not None  # one entry of items is a string
    tablet, hub, linked = feed.items
    assert tablet.key == "guid:https://gadgetbench.example.com/reviews/e-ink-tablet"
    assert tablet.published == utc(2024, 6, 1, 8, 0)
    assert tablet.author == "Sam Rivera"
    assert tablet.summary == "A review of a 10-inch e-ink tablet."
    assert tablet.content == "Refresh rates have improved a lot."
    assert tablet.image_url == "https://gadgetbench.example.com/img/tablet.jpg"
    assert tablet.tags == ("e-ink", "tablets")
    assert hub.key == "guid:42"  # a numeric id is coerced to a string
    assert hub.link == "https://feeds.example.com/reviews/usb-c-hub"
    assert hub.content == "It gets warm.\n\nBut it works."
    assert hub.image_url == "https://gadgetbench.example.com/img/hub.jpg"
    assert hub.updated == utc(2024, 5, 29, 9, 0)
    # empty id, numeric title, bad date, tags not a list: tolerated
    assert linked.guid is None
    assert linked.key == "link:https://elsewhere.example.org/story"
    assert linked.title == ""
    assert linked.published is None
    assert linked.tags == ()


def test_jsonfeed11() -> None:
    feed = parse("jsonfeed11.json", "application/feed+json")
    assert feed.format == "json1"
    assert feed.warning is None
    lockfiles, plugins = feed.items
    assert lockfiles.key == "guid:osr-2024-101"
    assert lockfiles.author == "Mina Cho, Tom Berg"
    assert lockfiles.tags == ("packaging", "security")
    assert lockfiles.image_url == "https://osradar.example.dev/banners/101.png"
    assert lockfiles.content == "Lockfiles now record hashes for every artifact."
    assert lockfiles.published == utc(2024, 7, 2, 8, 15)
    assert plugins.image_url == "https://osradar.example.dev/img/plugins.webp"  # attachment
    assert plugins.published == utc(2024, 7, 1, 22, 45)


# -- fixtures: bad input ---------------------------------------------------------------


def test_malformed_feed_is_a_warning_and_keeps_recoverable_items() -> None:
    feed = parse("malformed_unclosed.xml")
    assert feed.warning is not None
    assert feed.warning.endswith(".")
    keys = [item.key for item in feed.items]
    assert "guid:bp-1001" in keys
    assert "guid:bp-1003" in keys
    first = feed.items[0]
    assert first.title == "Router firmware bug bricks older models"
    assert first.summary == "Owners are advised to wait for 4.1.2 & skip 4.1.1."
    assert all(item.title or item.link or item.summary for item in feed.items)


def test_wrong_encoding_declaration_still_yields_items() -> None:
    feed = parse("wrong_encoding.xml")
    assert feed.title == "Café Tech"
    assert [item.title for item in feed.items] == [
        "L'été des processeurs à faible consommation",
        "Naïve benchmarks, résultats trompeurs",
    ]
    assert feed.items[0].summary == "Les fabricants visent une autonomie de 20 heures."
    assert feed.warning is not None


def test_invalid_utf8_in_json_feed() -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1", '
        b'"items": [{"id": "1", "title": "caf\xc3\xa9 \xff"}]}'
    )
    feed = parse_feed(body, FEED_URL)
    assert feed.items[0].title == "café \ufffd"
    assert feed.warning == "The feed contained invalid UTF-8 bytes, which were replaced."


def test_invalid_utf8_keeps_valid_characters() -> None:
    feed = parse("invalid_utf8.xml")
    assert feed.description == "Neuigkeiten über Datenbanken"
    first, second = feed.items
    assert first.title.startswith("Größere Indizes, schnellere Abfragen")
    assert "\ufffd" in first.title  # the bad bytes, replaced
    assert second.title == "Zweiter Eintrag — intakt"
    assert feed.warning == "The feed contained invalid UTF-8 bytes, which were replaced."


def test_empty_channel_is_not_an_error() -> None:
    feed = parse("empty_channel.xml")
    assert feed.items == ()
    assert feed.title == "Quiet Corner"
    assert feed.ttl_seconds is None  # <ttl>abc</ttl>
    assert feed.warning is None


def test_duplicate_guids_and_links_keep_the_first() -> None:
    feed = parse("duplicate_guids.xml")
    assert [item.key for item in feed.items] == [
        "guid:echo-1",
        "link:https://echo.example.com/s/watch-spo2",
        "link:https://echo.example.com/s/picks",  # a blank <guid> counts as absent
    ]
    assert feed.items[0].title == "Quantum startup raises seed round"
    assert feed.items[2].guid is None
    assert feed.ttl_seconds == 24 * 60 * 60  # capped


def test_items_without_title_link_or_date() -> None:
    feed = parse("no_title_no_link.xml")
    description_only, title_only, dated, relative, script = feed.items
    assert description_only.title == ""
    assert description_only.link is None
    assert description_only.key.startswith("hash:")
    assert title_only.title == "Title only, no link, no date"
    assert title_only.published is None
    assert dated.published == utc(2024, 1, 5, 12, 0)
    assert relative.link == "https://feeds.example.com/posts/relative"
    assert script.link is None  # javascript: links are dropped
    assert len({item.key for item in feed.items}) == 5


def test_odd_dates() -> None:
    feed = parse("odd_dates.xml")
    dates = {item.guid: item.published for item in feed.items}
    assert dates == {
        "tzt-future": utc(2039, 1, 1),
        "tzt-far-future": utc(2049, 12, 31, 23, 0),
        "tzt-yesterday": None,
        "tzt-est": utc(2024, 1, 15, 14, 0),
        "tzt-pdt": utc(2024, 7, 17, 1, 30),
        "tzt-short": utc(2024, 2, 3, 10, 0),
        "tzt-iso": utc(2024, 3, 10, 8, 30),
        "tzt-impossible": None,
    }
    for item in feed.items:
        assert item.published is None or item.published.tzinfo is UTC
        assert item.link is None  # guids that are not URLs do not become links


def test_markdown_and_mentions_become_plain_text() -> None:
    feed = parse("markdown_mentions.xml")
    titles = [item.title for item in feed.items]
    assert titles[0] == "@everyone new GPU drivers are out"
    assert titles[1] == "<@&123456789012345678> and <@987654321098765432> please read"
    assert titles[2].startswith("**Bold** claims")
    assert titles[3] == "Zerowidth @here hidden chars"
    assert feed.items[3].summary == "Hiddentext and @here"


# -- identity -------------------------------------------------------------------------------


def item_of(body: bytes) -> ParsedItem:
    (item,) = parse_feed(body, FEED_URL).items
    return item


def test_identity_prefers_guid_then_link_then_hash() -> None:
    with_guid = item_of(rss("<item><guid>g-1</guid><link>https://a.example/x</link></item>"))
    with_link = item_of(rss("<item><title>x</title><link>https://a.example/x</link></item>"))
    with_none = item_of(rss("<item><title>x</title><description>d</description></item>"))
    assert with_guid.key == "guid:g-1"
    assert with_link.key == "link:https://a.example/x"
    assert with_none.key.startswith("hash:")
    assert len(with_none.key) == len("hash:") + 64


def test_changed_pubdate_keeps_the_key() -> None:
    template = "<item>{id}<title>Story</title><pubDate>{date}</pubDate></item>"
    for id_ in ("<guid>story-1</guid>", "<link>https://a.example/story</link>"):
        before = item_of(rss(template.format(id=id_, date="Mon, 01 Apr 2024 08:00:00 GMT")))
        after = item_of(rss(template.format(id=id_, date="Tue, 02 Apr 2024 09:00:00 GMT")))
        assert before.key == after.key
        assert before.published != after.published


def test_changed_title_keeps_the_key() -> None:
    before = item_of(rss("<item><guid>s</guid><title>Old</title></item>"))
    after = item_of(rss("<item><guid>s</guid><title>New</title></item>"))
    assert before.key == after.key


def test_tracking_params_keep_the_key() -> None:
    plain = item_of(rss("<item><link>https://a.example/story?id=7</link></item>"))
    tracked = item_of(
        rss(
            "<item><link>HTTPS://A.example:443/story?utm_source=rss&amp;id=7"
            "&amp;fbclid=abc&amp;utm_campaign=x#top</link></item>"
        )
    )
    assert plain.key == tracked.key == "link:https://a.example/story?id=7"
    assert tracked.link is not None and "utm_source" in tracked.link  # the link itself is kept


def test_hash_key_is_stable_and_depends_on_content() -> None:
    body = rss("<item><title>x</title><description>same</description></item>")
    assert item_of(body).key == item_of(body).key
    other = rss("<item><title>y</title><description>same</description></item>")
    assert item_of(body).key != item_of(other).key


def test_guid_does_not_depend_on_the_feed_url() -> None:
    body = rss("<item><guid>item-17</guid><title>x</title></item>")
    one = parse_feed(body, "https://a.example/feed").items[0]
    two = parse_feed(body, "https://b.example/other/feed.xml").items[0]
    assert one.key == two.key == "guid:item-17"


def test_json_feed_identity() -> None:
    def json_item(**fields: object) -> ParsedItem:
        document = {"version": "https://jsonfeed.org/version/1.1", "items": [fields]}
        (item,) = parse_feed(json.dumps(document).encode(), FEED_URL).items
        return item

    assert json_item(id="a", url="https://a.example/x").key == "guid:a"
    assert json_item(id=7, url="https://a.example/x").key == "guid:7"
    assert json_item(id=True, url="https://a.example/x?utm_source=j").key == (
        "link:https://a.example/x"
    )
    assert json_item(id="  ", title="t").key.startswith("hash:")


# -- normalize_link ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM/Path", "https://example.com/Path"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/", "https://example.com"),
        ("https://example.com", "https://example.com"),
        ("https://example.com/a/", "https://example.com/a/"),
        ("https://example.com/a#section", "https://example.com/a"),
        ("https://example.com/a?utm_source=x&utm_medium=y", "https://example.com/a"),
        ("https://example.com/a?b=2&utm_source=x&a=1", "https://example.com/a?b=2&a=1"),
        (
            "https://example.com/a?UTM_Source=x&fbclid=1&gclid=2&q=%20x",
            "https://example.com/a?q=%20x",
        ),
        ("https://example.com/?p=1", "https://example.com?p=1"),
        ("https://User:Pw@Example.com/a", "https://User:Pw@example.com/a"),
        ("https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("http://[::1", "http://[::1"),  # unsplittable: returned stripped
        ("not a url", "not a url"),
        ("", ""),
    ],
)
def test_normalize_link(url: str, expected: str) -> None:
    assert normalize_link(url) == expected


@given(st.text())
def test_normalize_link_never_raises_and_is_idempotent(url: str) -> None:
    once = normalize_link(url)
    assert normalize_link(once) == once


# -- not a feed ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   \n\t ",
        b"Hello, this is just some plain text.\nNothing to see.",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01",
        b"\xff\xd8\xff\xe0\x00\x10JFIF",
        b"GIF89a\x01\x00\x01\x00",
        b"%PDF-1.7\n",
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00",
        b'{"hello": "world"}',
        b'{"version": "https://example.com/v1", "items": []}',
        b"{not json",
        b"[" * 100_000,
        b"<html><body><p>Just a page</p></body></html>",
        b"<?xml version='1.0'?><note><to>you</to></note>",
        b"/etc/passwd",
        b"/etc/hostname",
    ],
)
def test_not_a_feed(body: bytes) -> None:
    with pytest.raises(NotAFeed) as excinfo:
        parse_feed(body, FEED_URL)
    message = excinfo.value.user_message
    assert message.endswith(".")
    assert message.count(".") == 1  # one clear sentence


@pytest.mark.parametrize("name", ["html_with_feed_link.html", "html_no_feed.html"])
def test_html_pages_are_not_feeds(name: str) -> None:
    with pytest.raises(NotAFeed, match="web page"):
        parse_feed(load(name), FEED_URL, "text/html; charset=utf-8")


def test_json_array_with_json_type_is_not_a_feed() -> None:
    with pytest.raises(NotAFeed):
        parse_feed(b"[1, 2, 3]", FEED_URL, "application/json")


# -- robustness --------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_give_a_feed_or_not_a_feed(body: bytes) -> None:
    try:
        result = parse_feed(body, FEED_URL)
    except NotAFeed:
        return
    assert isinstance(result, ParsedFeed)


_XML_PIECES = st.sampled_from(
    [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0" encoding="latin-1"?>',
        '<rss version="2.0">',
        "<channel>",
        "<item>",
        "</item>",
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        "<entry>",
        "</entry>",
        "<title>",
        "</title>",
        "<link>",
        "</link>",
        '<link href="/x"/>',
        "<guid>",
        "</guid>",
        "<pubDate>",
        "</pubDate>",
        "<ttl>",
        "</ttl>",
        "<description>",
        "</description>",
        "<![CDATA[<p>hi</p>]]>",
        '<media:thumbnail url="x.jpg"/>',
        '<enclosure type="image/png" url="//y"/>',
        "&amp;",
        "&",
        "&nbsp;",
        "<",
        "Mon, 99 Foo 2024 99:99:99 ZZZ",
        "9999999999999999999999",
        "javascript:alert(1)",
        "\x00",
        "\udcff",
    ]
)
_XML_SOUP = st.lists(st.one_of(_XML_PIECES, st.text(max_size=8)), max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_XML_SOUP)
def test_feed_shaped_soup_gives_a_feed_or_not_a_feed(text: str) -> None:
    try:
        result = parse_feed(text.encode("utf-8", "replace"), FEED_URL)
    except NotAFeed:
        return
    assert isinstance(result, ParsedFeed)
    for item in result.items:
        assert item.link is None or item.link.startswith(("http://", "https://"))


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
_JSON_ITEM_KEYS = st.sampled_from(
    [
        "id",
        "url",
        "external_url",
        "title",
        "content_html",
        "content_text",
        "summary",
        "image",
        "banner_image",
        "date_published",
        "date_modified",
        "author",
        "authors",
        "tags",
        "attachments",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(st.sampled_from(["title", "home_page_url", "description", "items"]), _JSON),
    st.lists(st.one_of(_JSON, st.dictionaries(_JSON_ITEM_KEYS, _JSON)), max_size=5),
)
def test_json_feed_with_wrong_types_never_crashes(
    document: dict[str, object], items: list[object]
) -> None:
    document = {**document, "version": "https://jsonfeed.org/version/1.1"}
    if "items" not in document:
        document["items"] = items
    try:
        result = parse_feed(json.dumps(document).encode(), FEED_URL)
    except NotAFeed:
        return
    assert isinstance(result, ParsedFeed)


def test_ten_thousand_items_parse_quickly() -> None:
    items = "".join(
        f"<item><title>Story {n}</title><link>https://big.example/s/{n}</link>"
        f"<guid>big-{n}</guid><pubDate>Mon, 01 Apr 2024 08:00:00 GMT</pubDate>"
        f"<description>Body of story {n}.</description></item>"
        for n in range(10_000)
    )
    body = rss(items)
    started = time.perf_counter()
    feed = parse_feed(body, FEED_URL)
    elapsed = time.perf_counter() - started
    assert len(feed.items) == 10_000
    assert feed.items[0].key == "guid:big-0"
    assert feed.items[-1].key == "guid:big-9999"
    assert elapsed < 5


def test_huge_single_item() -> None:
    body = rss(f"<item><guid>huge</guid><description>{'word ' * 400_000}</description></item>")
    (item,) = parse_feed(body, FEED_URL).items
    assert len(item.summary) == len("word " * 400_000) - 1


def test_utf16_feed() -> None:
    body = load("rss20.xml").decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    feed = parse_feed(body.encode("utf-16"), FEED_URL)
    assert [item.guid for item in feed.items][:1] == ["byteharbor-4711"]


def test_feed_served_as_text_html_still_parses() -> None:
    feed = parse("rss20.xml", "text/html; charset=utf-8")
    assert len(feed.items) == 3
    assert feed.warning is None  # a wrong Content-Type is not a malformed document


def test_charset_in_content_type_is_used() -> None:
    body = rss("<item><guid>c</guid><title>Caf\xe9</title></item>").replace(
        b'encoding="utf-8"', b""
    )
    body = body.decode("utf-8").encode("latin-1")
    (item,) = parse_feed(body, FEED_URL, "application/rss+xml; charset=iso-8859-1").items
    assert item.title == "Café"


@pytest.mark.parametrize(
    ("ttl", "expected"),
    [("60", 3600), ("0", None), ("-5", None), ("ten", None), ("1e3", None), ("99999999999", 86400)],
)
def test_ttl(ttl: str, expected: int | None) -> None:
    feed = parse_feed(rss("", channel=f"<ttl>{ttl}</ttl>"), FEED_URL)
    assert feed.ttl_seconds == expected


def test_html_title_becomes_text() -> None:
    item = item_of(
        rss("<item><guid>h</guid><title>&lt;b&gt;Big&lt;/b&gt; news &amp;amp; more</title></item>")
    )
    assert item.title == "Big news & more"


def test_results_are_immutable() -> None:
    feed = parse("rss20.xml")
    with pytest.raises(dataclasses.FrozenInstanceError):
        feed.items[0].title = "changed"  # type: ignore[misc]
    assert isinstance(feed.items, tuple)
    assert isinstance(feed.items[0].tags, tuple)


# -- discovery and sniffing ---------------------------------------------------------------------


def test_discover_feed_links_from_link_elements() -> None:
    links = discover_feed_links(
        load("html_with_feed_link.html"), "https://byteharbor.example.com/news/"
    )
    assert links == [
        "https://byteharbor.example.com/feed.xml",
        "https://byteharbor.example.com/atom.xml",
        "https://byteharbor.example.com/news/feed.json",
    ]


def test_discover_feed_links_falls_back_to_anchors() -> None:
    links = discover_feed_links(load("html_with_feed_anchor.html"), "https://tinyblog.example.net/")
    assert links == [
        "https://tinyblog.example.net/en/feed/",
        "https://tinyblog.example.net/feeds/all.atom.xml",
    ]


@pytest.mark.parametrize("body", [load("html_no_feed.html"), b"", b"\x89PNG\r\n", b"<<<"])
def test_discover_feed_links_none(body: bytes) -> None:
    assert discover_feed_links(body, "https://example.com/") == []


@given(st.binary(max_size=1024))
def test_discover_feed_links_never_raises(body: bytes) -> None:
    assert isinstance(discover_feed_links(body, "https://example.com/"), list)


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b'{"version": "https://jsonfeed.org/version/1"}', None, True),
        (b'\xef\xbb\xbf  {"version": 1}', "text/plain", True),
        (b"[1]", "application/feed+json", True),
        (b"<rss/>", "application/json", False),
        (b"<rss/>", None, False),
        (b"", "application/json", False),
        (b"[1]", None, False),
    ],
)
def test_looks_like_json_feed(body: bytes, content_type: str | None, expected: bool) -> None:
    assert looks_like_json_feed(body, content_type) is expected


def _joined_http_url(value: str, base: str) -> str | None:
    """What http_url returned before plain URLs skipped urljoin: the reference."""
    value = normalize_text(value).replace("\n", "")
    try:
        joined = urljoin(base, value) if value else None
        parts = urlsplit(joined) if joined else None
    except ValueError:
        return None
    if parts is None or parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return joined


_URL_PARTS = st.sampled_from(
    ["http", "https", "HTTP", "://", "/", "//", "?", "#", ";", "@", ":", "[", "]", ".", "..",
     "a", "B", "8080", "é", "%20", " ", "\t", "&", "=", "x.example", "\u200b", "\\"]
)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(_URL_PARTS, max_size=14).map("".join),
    st.sampled_from(["https://site.example/dir/page", "http://site.example/", "https://a.b"]),
)
def test_a_link_reads_the_same_with_or_without_urljoin(value: str, base: str) -> None:
    assert http_url("http://" + value, base) == _joined_http_url("http://" + value, base)
    assert http_url(value, base) == _joined_http_url(value, base)
