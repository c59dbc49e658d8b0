"""The local feed server itself: the documents it generates are valid and parse, and each
fault it offers behaves as the fetcher tests assume."""

from __future__ import annotations

import asyncio
import json
import re
import time
import zlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

import aiohttp
import feedparser
import pytest
import pytest_asyncio
from multidict import CIMultiDictProxy

from tests.feed_server import OMIT, FeedServer, gzip_bomb_body


@pytest_asyncio.fixture
async def client() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(auto_decompress=False) as session:
        yield session


async def get(
    client: aiohttp.ClientSession, url: str, **headers: str
) -> tuple[int, CIMultiDictProxy[str], bytes]:
    async with client.get(url, headers=headers, allow_redirects=False) as response:
        return response.status, response.headers, await response.read()


def parse(body: bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


@pytest.mark.parametrize(
    ("kind", "version", "content_type"),
    [
        ("rss", "rss20", "application/rss+xml"),
        ("atom", "atom10", "application/atom+xml"),
        ("rdf", "rss10", "application/rdf+xml"),
    ],
)
async def test_xml_feeds_are_valid_and_parse(
    feed_server: FeedServer,
    client: aiohttp.ClientSession,
    kind: str,
    version: str,
    content_type: str,
) -> None:
    feed = feed_server.add_feed(f"/{kind}.xml", title="News & <Views>", kind=kind)  # type: ignore[arg-type]
    made = feed.add_items(3, prefix="Story")
    tricky = feed.add_item(
        title='@everyone <@&123> **ping** & "quotes" \x00',
        summary="<p>Hello &amp; <b>welcome</b></p>",
        content="<p>Full <i>text</i></p>",
        author="Ann Author",
        image="http://127.0.0.1/pic.png",
    )
    status, headers, body = await get(client, feed.url)
    assert status == 200
    assert headers["Content-Type"].startswith(content_type)
    ElementTree.fromstring(body)  # well-formed XML
    parsed = parse(body)
    assert parsed.version == version
    assert parsed.feed.title == "News & <Views>"
    titles = [entry.title for entry in parsed.entries]
    assert titles == ['@everyone <@&123> **ping** & "quotes"', "Story 3", "Story 2", "Story 1"]
    for entry, item in zip(parsed.entries, [tricky, *reversed(made)], strict=True):
        assert entry.link == item.link
        assert entry.id == item.guid
        assert entry.link.startswith(feed_server.base_url)
    first = parsed.entries[0]
    assert "welcome" in first.summary
    assert first.author == "Ann Author"
    if kind != "rdf":
        assert "Full" in first.content[0].value
    dates = [e.get("published_parsed") or e.get("updated_parsed") for e in parsed.entries]
    assert all(dates) and dates == sorted(dates, reverse=True)


async def test_rss_dates_are_rfc_822_and_atom_dates_rfc_3339(
    feed_server: FeedServer, client: aiohttp.ClientSession
) -> None:
    when = datetime(2030, 2, 3, 4, 5, 6, tzinfo=UTC)
    rss = feed_server.add_feed("/r.xml", kind="rss")
    rss.add_item(title="t", published=when)
    atom = feed_server.add_feed("/a.xml", kind="atom")
    atom.add_item(title="t", published=when)
    _, _, body = await get(client, rss.url)
    assert b"<pubDate>Sun, 03 Feb 2030 04:05:06 GMT</pubDate>" in body
    _, _, body = await get(client, atom.url)
    assert b"<published>2030-02-03T04:05:06Z</published>" in body


async def test_json_feed_1_1(feed_server: FeedServer, client: aiohttp.ClientSession) -> None:
    feed = feed_server.add_feed("/feed.json", title="JSON news", kind="json")
    feed.add_items(2)
    feed.add_item(title="Pic", image="http://127.0.0.1/x.jpg", author="Bo", content="<p>c</p>")
    status, headers, body = await get(client, feed.url)
    assert status == 200 and headers["Content-Type"].startswith("application/feed+json")
    document = json.loads(body)
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["title"] == "JSON news" and document["feed_url"] == feed.url
    first = document["items"][0]
    assert first["title"] == "Pic" and first["image"] == "http://127.0.0.1/x.jpg"
    assert first["authors"] == [{"name": "Bo"}] and first["content_html"] == "<p>c</p>"
    for item in document["items"]:
        assert item["id"] and item["url"].startswith(feed_server.base_url)
        datetime.fromisoformat(item["date_published"].replace("Z", "+00:00"))


async def test_defaults_are_unique_and_strictly_increasing(feed_server: FeedServer) -> None:
    one = feed_server.add_feed("/1.xml")
    two = feed_server.add_feed("/2.xml", kind="atom")
    items = one.add_items(5) + two.add_items(5) + one.add_items(2)
    assert len({item.guid for item in items}) == len({item.link for item in items}) == 12
    times = [item.published for item in items]
    assert all(t is not None for t in times)
    assert times == sorted(times) and len(set(times)) == 12  # type: ignore[type-var]
    assert max(times) < datetime.now(UTC)  # type: ignore[type-var,operator]
    assert [i.title for i in one.items[:2]] == ["Story 7", "Story 6"]  # numbering goes on


async def test_omitted_elements_are_left_out(
    feed_server: FeedServer, client: aiohttp.ClientSession
) -> None:
    feed = feed_server.add_feed("/bare.xml")
    item = feed.add_item(title=OMIT, link=OMIT, guid="", published=OMIT, summary="")
    assert (item.title, item.link, item.guid, item.published, item.summary) == (None,) * 5
    _, _, body = await get(client, feed.url)
    assert body.count(b"<item>") == 1
    assert b"<item>\n</item>" in body


async def test_editing_removing_redating_and_reordering(
    feed_server: FeedServer, client: aiohttp.ClientSession
) -> None:
    feed = feed_server.add_feed("/a.xml")
    a, b, c = feed.add_items(3)
    etag = feed.current_etag
    feed.edit_item(a.guid or "", title="Edited")
    assert a.title == "Edited" and feed.current_etag != etag
    with pytest.raises(TypeError):
        feed.edit_item(a.guid or "", colour="red")
    feed.remove_item(b.guid or "")
    assert feed.items == [c, a]
    before = [item.published for item in feed.items]
    feed.redate_all(timedelta(days=2))
    assert [i.published for i in feed.items] == [t + timedelta(days=2) for t in before if t]
    feed.reorder(reverse=True)
    assert feed.items == [a, c]
    _, _, body = await get(client, feed.url)
    assert [e.title for e in parse(body).entries] == ["Edited", "Story 3"]


async def test_conditional_get(feed_server: FeedServer, client: aiohttp.ClientSession) -> None:
    feed = feed_server.add_feed("/a.xml", kind="rdf")
    feed.add_items(1)
    _, headers, _ = await get(client, feed.url)
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert (await get(client, feed.url, **{"If-None-Match": etag}))[0] == 304
    assert (await get(client, feed.url, **{"If-None-Match": f'W/{etag}, "x"'}))[0] == 304
    assert (await get(client, feed.url, **{"If-Modified-Since": modified}))[0] == 304
    assert (await get(client, feed.url, **{"If-None-Match": '"other"'}))[0] == 200
    status, not_modified_headers, body = await get(client, feed.url, **{"If-None-Match": etag})
    assert status == 304 and body == b"" and not_modified_headers["ETag"] == etag
    feed.add_items(1)
    status, new_headers, _ = await get(client, feed.url, **{"If-Modified-Since": modified})
    assert status == 200
    assert parsedate_to_datetime(new_headers["Last-Modified"]) > parsedate_to_datetime(modified)
    feed.etag = False
    feed.last_modified = False
    status, headers, _ = await get(client, feed.url, **{"If-None-Match": etag})
    assert status == 200 and "ETag" not in headers and "Last-Modified" not in headers
    assert [r.status for r in feed_server.requests("/a.xml")] == [
        200,
        304,
        304,
        304,
        200,
        304,
        200,
        200,
    ]
    assert feed_server.requests("/a.xml")[1].headers["if-none-match"] == etag


async def test_ttl_cache_control_and_extra_headers(
    feed_server: FeedServer, client: aiohttp.ClientSession
) -> None:
    feed = feed_server.add_feed("/a.xml")
    feed.ttl_minutes = 45
    feed.cache_control = "max-age=600"
    feed.headers["X-Extra"] = "yes"
    _, headers, body = await get(client, feed.url)
    assert parse(body).feed.ttl == "45"
    assert headers["Cache-Control"] == "max-age=600" and headers["X-Extra"] == "yes"


async def test_faults_count_down_or_last_until_cleared(
    feed_server: FeedServer, client: aiohttp.ClientSession
) -> None:
    feed_server.add_feed("/a.xml").add_items(1)
    feed_server.fail("/a.xml", status=503, count=2, retry_after=30, headers={"X-Why": "busy"})
    status, headers, _ = await get(client, feed_server.url("/a.xml"))
    assert status == 503 and headers["Retry-After"] == "30" and headers["X-Why"] == "busy"
    assert (await get(client, feed_server.url("/a.xml")))[0] == 503
    assert (await get(client, feed_server.url("/a.xml")))[0] == 200
    feed_server.fail("/a.xml", status=500)
    for _ in range(3):
        assert (await get(client, feed_server.url("/a.xml")))[0] == 500
    feed_server.clear_faults("/a.xml")
    assert (await get(client, feed_server.url("/a.xml")))[0] == 200
    assert [r.status for r in feed_server.requests("/a.xml")] == [503, 503, 200, 500, 500, 500, 200]


async def test_redirects_chain_and_loop(
    feed_server: FeedServer, client: aiohttp.ClientSession
) -> None:
    feed_server.add_feed("/a.xml").add_items(1)
    feed_server.redirect("/old.xml", "/a.xml", status=301)
    feed_server.redirect("/loop1.xml", "/loop2.xml", status=302)
    feed_server.redirect("/loop2.xml", "/loop1.xml", status=302)
    status, headers, _ = await get(client, feed_server.url("/old.xml"))
    assert status == 301 and headers["Location"] == "/a.xml"
    async with client.get(feed_server.url("/old.xml")) as response:
        assert response.status == 200 and str(response.url) == feed_server.url("/a.xml")
    with pytest.raises(aiohttp.TooManyRedirects):
        async with client.get(feed_server.url("/loop1.xml"), max_redirects=4):
            pass


async def test_a_stalled_answer_sends_headers_then_nothing(
    feed_server: FeedServer, client: aiohttp.ClientSession
) -> None:
    feed_server.add_feed("/slow.xml").add_items(1)
    feed_server.stall("/slow.xml")
    async with client.get(feed_server.url("/slow.xml")) as response:
        assert response.status == 200
        start = await response.content.read(10)
        assert start.startswith(b"<?xml")
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(response.read(), 0.3)
    feed_server.reset("/slow.xml")  # back to the feed
    assert (await get(client, feed_server.url("/slow.xml")))[0] == 200


async def test_stop_ends_stalled_answers_at_once() -> None:
    server = FeedServer()
    await server.start()
    server.stall("/slow.xml")
    async with (
        aiohttp.ClientSession() as session,
        session.get(server.url("/slow.xml")) as response,
    ):
        assert response.status == 200
        started = time.monotonic()
        await server.stop()
        with pytest.raises(aiohttp.ClientPayloadError):
            await response.read()  # cut off, never completed
        assert time.monotonic() - started < 2.5


async def test_an_endless_answer_keeps_coming(
    feed_server: FeedServer, client: aiohttp.ClientSession
) -> None:
    feed_server.endless("/endless.xml")
    received = 0
    async with client.get(feed_server.url("/endless.xml")) as response:
        async for chunk in response.content.iter_chunked(65536):
            received += len(chunk)
            if received > 3 * 1024 * 1024:
                break
    assert received > 3 * 1024 * 1024


async def test_a_gzip_bomb_is_small_and_inflates_past_the_size(
    feed_server: FeedServer, client: aiohttp.ClientSession
) -> None:
    feed_server.gzip_bomb("/bomb.xml", size=20 * 1024 * 1024)
    status, headers, body = await get(client, feed_server.url("/bomb.xml"))
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert len(body) < 100 * 1024 and body == gzip_bomb_body(20 * 1024 * 1024)
    inflater = zlib.decompressobj(31)
    total, data = 0, body
    while data:
        total += len(inflater.decompress(data, 1024 * 1024))
        data = inflater.unconsumed_tail
    assert total == 20 * 1024 * 1024


async def test_bytes_and_html_pages(feed_server: FeedServer, client: aiohttp.ClientSession) -> None:
    feed_server.add_feed("/a.xml", kind="atom")
    feed_server.serve_bytes("/raw.xml", b"\xff\xfe<not a feed>", content_type="text/xml")
    feed_server.html_page("/page.html", feed_path="/a.xml", title="Home & away")
    status, headers, body = await get(client, feed_server.url("/raw.xml"))
    assert (status, headers["Content-Type"], body) == (200, "text/xml", b"\xff\xfe<not a feed>")
    status, headers, body = await get(client, feed_server.url("/page.html"))
    assert headers["Content-Type"].startswith("text/html")
    assert re.search(rb'<link rel="alternate" type="application/atom\+xml"[^>]*href="/a.xml"', body)
    assert (await get(client, feed_server.url("/missing")))[0] == 404


async def test_requests_are_recorded_and_awaited(
    feed_server: FeedServer, client: aiohttp.ClientSession
) -> None:
    feed_server.add_feed("/a.xml")

    async def later() -> None:
        await asyncio.sleep(0.05)
        for _ in range(3):
            await get(client, feed_server.url("/a.xml?x=1"), **{"X-Test": "1"})

    task = asyncio.create_task(later())
    records = await feed_server.wait_for_requests("/a.xml", 3, timeout=5)
    await task
    assert len(records) == 3
    first = records[0]
    assert (first.method, first.path, first.query, first.status) == ("GET", "/a.xml", "x=1", 200)
    assert first.headers["x-test"] == "1"
    assert records[0].time <= records[1].time <= records[2].time
    with pytest.raises(TimeoutError, match="had 3 request"):
        await feed_server.wait_for_requests("/a.xml", 4, timeout=0.1)


async def test_in_flight_requests_are_counted(
    feed_server: FeedServer, client: aiohttp.ClientSession
) -> None:
    feed_server.add_feed("/a.xml")
    feed_server.delay("/a.xml", 0.2)
    await asyncio.gather(*(get(client, feed_server.url("/a.xml")) for _ in range(3)))
    assert feed_server.max_in_flight("/a.xml") == 3 == feed_server.max_in_flight()
    assert feed_server.in_flight() == 0
