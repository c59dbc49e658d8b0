"""The fetcher against the local feed server: conditional GET, redirects, statuses, size
and time limits, the per-host limit, and the guard applied at every hop."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.errors import (
    BlockedAddress,
    ConnectionFailed,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InvalidURL,
    ResponseTooLarge,
    TooManyRedirects,
)
from bot.pipeline.fetch import (
    FEED_ACCEPT,
    USER_AGENT_TEMPLATE,
    Fetcher,
    make_session,
    parse_cache_control,
    parse_expires,
    parse_retry_after,
)
from bot.pipeline.netguard import AddressGuard
from tests.feed_server import FeedServer

LOCAL = AddressGuard(["127.0.0.1"])
UA = USER_AGENT_TEMPLATE.format(version="9.9.9")


@pytest_asyncio.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with make_session(LOCAL, user_agent=UA) as made:
        yield made


@pytest.fixture
def fetcher(session: aiohttp.ClientSession) -> Fetcher:
    return Fetcher(session, LOCAL)


def one_sentence(error: FetchError) -> None:
    message = error.user_message
    assert message[0].isupper() and message.endswith("."), message
    assert "\n" not in message and "Traceback" not in message, message
    assert error.url


# ----- plain and conditional GET -----


async def test_a_feed_is_fetched_with_its_headers(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    feed = feed_server.add_feed("/a.xml", title="Feed A", kind="rss")
    feed.add_items(3)
    result = await fetcher.fetch(feed_server.url("/a.xml"))
    assert result.status == 200 and not result.not_modified
    assert result.url == feed_server.url("/a.xml")
    assert result.body == feed.render()
    assert result.content_type == "application/rss+xml; charset=utf-8"
    assert result.etag == feed.current_etag and result.last_modified
    assert result.permanent_url is None
    assert result.max_age is None and result.expires_in is None and result.retry_after is None
    (request,) = feed_server.requests("/a.xml")
    assert request.headers["User-Agent"] == UA
    assert request.headers["Accept"] == FEED_ACCEPT
    assert "If-None-Match" not in request.headers and "If-Modified-Since" not in request.headers


async def test_etag_round_trip_gives_304_with_an_empty_body(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    feed = feed_server.add_feed("/a.xml", kind="atom")
    feed.add_items(2)
    first = await fetcher.fetch(feed_server.url("/a.xml"))
    again = await fetcher.fetch(feed_server.url("/a.xml"), etag=first.etag)
    assert again.status == 304 and again.not_modified and again.body == b""
    assert again.etag == first.etag
    assert feed_server.requests("/a.xml")[-1].headers["If-None-Match"] == first.etag
    assert feed_server.requests("/a.xml")[-1].status == 304
    feed.add_item(title="Fresh")
    changed = await fetcher.fetch(feed_server.url("/a.xml"), etag=first.etag)
    assert changed.status == 200 and b"Fresh" in changed.body and changed.etag != first.etag


async def test_last_modified_round_trip(feed_server: FeedServer, fetcher: Fetcher) -> None:
    feed = feed_server.add_feed("/a.xml")
    feed.etag = False
    feed.add_items(1)
    first = await fetcher.fetch(feed_server.url("/a.xml"))
    assert first.etag is None and first.last_modified is not None
    again = await fetcher.fetch(feed_server.url("/a.xml"), last_modified=first.last_modified)
    assert again.not_modified and again.body == b""
    assert feed_server.requests("/a.xml")[-1].headers["If-Modified-Since"] == first.last_modified
    feed.add_items(1)
    changed = await fetcher.fetch(feed_server.url("/a.xml"), last_modified=first.last_modified)
    assert changed.status == 200 and changed.last_modified != first.last_modified


async def test_both_validators_are_sent(feed_server: FeedServer, fetcher: Fetcher) -> None:
    feed_server.add_feed("/a.xml").add_items(1)
    first = await fetcher.fetch(feed_server.url("/a.xml"))
    again = await fetcher.fetch(
        feed_server.url("/a.xml"), etag=first.etag, last_modified=first.last_modified
    )
    assert again.not_modified
    headers = feed_server.requests("/a.xml")[-1].headers
    assert headers["If-None-Match"] == first.etag
    assert headers["If-Modified-Since"] == first.last_modified


# ----- freshness hints -----


async def test_cache_control_max_age_is_read(feed_server: FeedServer, fetcher: Fetcher) -> None:
    feed = feed_server.add_feed("/a.xml")
    feed.cache_control = "public, s-maxage=60, max-age=600"
    result = await fetcher.fetch(feed_server.url("/a.xml"))
    assert result.max_age == 600.0 and result.expires_in is None
    feed.cache_control = "no-cache, max-age=600"
    assert (await fetcher.fetch(feed_server.url("/a.xml"))).max_age is None


async def test_expires_counts_from_the_date_header(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    date = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    feed_server.serve_bytes(
        "/e.xml",
        b"<rss version='2.0'><channel><title>t</title></channel></rss>",
        headers={
            "Date": format_datetime(date, usegmt=True),
            "Expires": format_datetime(date + timedelta(minutes=30), usegmt=True),
            "Retry-After": "90",
        },
    )
    result = await fetcher.fetch(feed_server.url("/e.xml"))
    assert result.max_age is None
    assert result.expires_in == 1800.0
    assert result.retry_after == 90.0


def test_header_parsers() -> None:
    now = datetime(2030, 1, 1, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=120), usegmt=True)
    assert parse_cache_control(["max-age=300"]) == (300.0, False)
    assert parse_cache_control(['Max-Age="42"', "public"]) == (42.0, False)
    assert parse_cache_control(["s-maxage=30"]) == (None, False)
    assert parse_cache_control(["no-store"]) == (None, True)
    assert parse_cache_control(["max-age=-1"]) == (None, False)
    assert parse_cache_control(["max-age=soon"]) == (None, False)
    assert parse_retry_after("120", None, now) == 120.0
    assert parse_retry_after(later, None, now) == 120.0
    assert (
        parse_retry_after(later, format_datetime(now, usegmt=True), now + timedelta(days=9))
        == 120.0
    )
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", None, now) == 0.0
    assert parse_retry_after("tomorrow", None, now) is None
    assert parse_retry_after(None, None, now) is None
    assert parse_expires(later, None, now) == 120.0
    assert parse_expires("0", None, now) == 0.0
    assert parse_expires(None, None, now) is None


# ----- redirects -----


async def test_a_chain_of_permanent_redirects_gives_the_new_url(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    feed_server.add_feed("/a.xml").add_items(1)
    feed_server.redirect("/old.xml", "/older.xml", status=301)
    feed_server.redirect("/older.xml", feed_server.url("/a.xml"), status=308)
    result = await fetcher.fetch(feed_server.url("/old.xml"))
    assert result.status == 200
    assert result.url == feed_server.url("/a.xml")
    assert result.permanent_url == feed_server.url("/a.xml")


@pytest.mark.parametrize("statuses", [(302,), (307,), (303,), (301, 302), (302, 301)])
async def test_a_temporary_redirect_keeps_the_stored_url(
    feed_server: FeedServer, fetcher: Fetcher, statuses: tuple[int, ...]
) -> None:
    feed_server.add_feed("/a.xml").add_items(1)
    paths = [f"/hop{i}.xml" for i in range(len(statuses))] + ["/a.xml"]
    for status, source, target in zip(statuses, paths, paths[1:], strict=False):
        feed_server.redirect(source, target, status=status)
    result = await fetcher.fetch(feed_server.url(paths[0]))
    assert result.url == feed_server.url("/a.xml")
    assert result.permanent_url is None


async def test_a_304_after_a_permanent_redirect_still_gives_the_new_url(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    feed_server.add_feed("/a.xml").add_items(1)
    first = await fetcher.fetch(feed_server.url("/a.xml"))
    feed_server.redirect("/old.xml", "/a.xml", status=301)
    result = await fetcher.fetch(feed_server.url("/old.xml"), etag=first.etag)
    assert result.not_modified and result.permanent_url == feed_server.url("/a.xml")


async def test_redirect_loops_are_refused(feed_server: FeedServer, fetcher: Fetcher) -> None:
    feed_server.redirect("/ping.xml", "/pong.xml", status=302)
    feed_server.redirect("/pong.xml", "/ping.xml", status=301)
    feed_server.redirect("/self.xml", "/self.xml", status=307)
    for path in ("/ping.xml", "/self.xml"):
        with pytest.raises(TooManyRedirects, match="loop") as caught:
            await fetcher.fetch(feed_server.url(path))
        one_sentence(caught.value)
    assert len(feed_server.requests("/ping.xml")) == 1


async def test_at_most_five_redirects(feed_server: FeedServer, fetcher: Fetcher) -> None:
    feed_server.add_feed("/a.xml").add_items(1)
    for i in range(6):
        feed_server.redirect(f"/r{i}.xml", f"/r{i + 1}.xml" if i < 5 else "/a.xml", status=301)
    ok = await fetcher.fetch(feed_server.url("/r1.xml"))  # five hops
    assert ok.status == 200 and ok.permanent_url == feed_server.url("/a.xml")
    with pytest.raises(TooManyRedirects, match="more than 5") as caught:
        await fetcher.fetch(feed_server.url("/r0.xml"))  # six hops
    one_sentence(caught.value)
    assert len(feed_server.requests("/a.xml")) == 1


async def test_a_redirect_to_a_private_address_is_refused_without_connecting(
    feed_server: FeedServer,
) -> None:
    started: list[str] = []

    async def on_request_start(_s: Any, _c: SimpleNamespace, params: Any) -> None:
        started.append(str(params.url))

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    feed_server.redirect("/to-private.xml", "http://10.0.0.1/feed.xml", status=302)
    feed_server.redirect("/to-metadata.xml", "http://169.254.169.254/latest/", status=301)
    feed_server.redirect("/to-loopback.xml", "http://2130706434/", status=301)  # 127.0.0.2
    feed_server.redirect("/to-localhost.xml", "http://localhost./", status=301)
    feed_server.redirect("/to-file.xml", "file:///etc/passwd", status=301)
    feed_server.redirect("/to-ftp.xml", "ftp://127.0.0.1/feed.xml", status=301)
    connector = aiohttp.TCPConnector()
    async with aiohttp.ClientSession(connector=connector, trace_configs=[trace]) as session:
        fetcher = Fetcher(session, LOCAL)
        expected: dict[str, type[FetchError]] = {
            "/to-private.xml": BlockedAddress,
            "/to-metadata.xml": BlockedAddress,
            "/to-loopback.xml": BlockedAddress,
            "/to-localhost.xml": BlockedAddress,
            "/to-file.xml": InvalidURL,
            "/to-ftp.xml": InvalidURL,
        }
        for path, error in expected.items():
            with pytest.raises(error) as caught:
                await fetcher.fetch(feed_server.url(path))
            one_sentence(caught.value)
    assert started == [feed_server.url(path) for path in expected]


async def test_the_requested_url_is_checked_before_connecting(
    session: aiohttp.ClientSession,
) -> None:
    fetcher = Fetcher(session, AddressGuard())
    for url in ("http://10.0.0.1/", "http://[::1]/", "http://0177.0.0.1/", "http://localhost./"):
        with pytest.raises(BlockedAddress) as caught:
            await fetcher.fetch(url)
        one_sentence(caught.value)
    for url in ("file:///etc/passwd", "javascript:alert(1)", "not a url"):
        with pytest.raises(InvalidURL) as invalid:
            await fetcher.fetch(url)
        one_sentence(invalid.value)


# ----- names: the resolver checks what is actually connected to -----


class StubResolver(AbstractResolver):
    """Serves answers from a table, one list per call (the last repeats)."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.calls: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.calls.append(host)
        answers = self.table[host]
        address = answers[min(self.calls.count(host), len(answers)) - 1]
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        pass


async def test_a_public_looking_name_resolving_to_loopback_is_refused(
    feed_server: FeedServer,
) -> None:
    feed_server.add_feed("/a.xml").add_items(1)
    stub = StubResolver({"news.example.com": ["127.0.0.1"]})
    async with make_session(AddressGuard(), user_agent=UA, resolver=stub) as session:
        fetcher = Fetcher(session, AddressGuard())
        with pytest.raises(BlockedAddress, match=r"news\.example\.com \(127\.0\.0\.1\)") as caught:
            await fetcher.fetch(f"http://news.example.com:{feed_server.port}/a.xml")
    one_sentence(caught.value)
    assert caught.value.url == f"http://news.example.com:{feed_server.port}/a.xml"
    assert stub.calls == ["news.example.com"]
    assert feed_server.requests() == []


async def test_dns_rebinding_is_refused_at_the_next_lookup(feed_server: FeedServer) -> None:
    # The allowed address plays "public"; 127.0.0.2 (not allowed) plays "private".
    feed_server.add_feed("/a.xml").add_items(1)
    stub = StubResolver({"rebind.example": ["127.0.0.1", "127.0.0.2"]})
    async with make_session(LOCAL, user_agent=UA, resolver=stub) as session:
        fetcher = Fetcher(session, LOCAL)
        url = f"http://rebind.example:{feed_server.port}/a.xml"
        assert (await fetcher.fetch(url)).status == 200
        assert isinstance(session.connector, aiohttp.TCPConnector)
        session.connector.clear_dns_cache()
        await session.connector.close()  # no kept-alive connection either
    async with make_session(LOCAL, user_agent=UA, resolver=stub) as session:
        with pytest.raises(BlockedAddress, match=r"127\.0\.0\.2"):
            await Fetcher(session, LOCAL).fetch(url)
    assert stub.calls == ["rebind.example", "rebind.example"]
    assert len(feed_server.requests("/a.xml")) == 1


# ----- error statuses -----


@pytest.mark.parametrize(
    ("status", "retry_after", "expected", "sentence"),
    [
        (404, None, None, "The server answered 404 Not Found."),
        (410, None, None, "The server answered 410 Gone."),
        (500, None, None, "The server answered 500 Internal Server Error."),
        (
            429,
            120,
            120.0,
            "The server answered 429 Too Many Requests and asked to wait 2 minutes.",
        ),
        (503, 5, 5.0, "The server answered 503 Service Unavailable and asked to wait 5 seconds."),
    ],
)
async def test_error_statuses_raise_with_status_and_retry_after(
    feed_server: FeedServer,
    fetcher: Fetcher,
    status: int,
    retry_after: int | None,
    expected: float | None,
    sentence: str,
) -> None:
    feed_server.add_feed("/a.xml").add_items(1)
    feed_server.fail("/a.xml", status=status, retry_after=retry_after, count=1)
    with pytest.raises(HTTPStatusError) as caught:
        await fetcher.fetch(feed_server.url("/a.xml"))
    error = caught.value
    assert error.status == status and error.retry_after == expected
    assert error.message == sentence
    assert error.url == feed_server.url("/a.xml")
    one_sentence(error)
    assert (await fetcher.fetch(feed_server.url("/a.xml"))).status == 200  # count=1


async def test_retry_after_as_an_http_date(feed_server: FeedServer, fetcher: Fetcher) -> None:
    date = datetime(2030, 5, 1, 8, 0, tzinfo=UTC)
    feed_server.fail(
        "/a.xml",
        status=503,
        retry_after=format_datetime(date + timedelta(hours=1), usegmt=True),
        headers={"Date": format_datetime(date, usegmt=True)},
    )
    with pytest.raises(HTTPStatusError) as caught:
        await fetcher.fetch(feed_server.url("/a.xml"))
    assert caught.value.retry_after == 3600.0


async def test_an_unknown_path_is_404(feed_server: FeedServer, fetcher: Fetcher) -> None:
    with pytest.raises(HTTPStatusError, match="404 Not Found"):
        await fetcher.fetch(feed_server.url("/nothing.xml"))


# ----- size and time limits -----


async def test_an_endless_body_stops_at_the_cap(feed_server: FeedServer, fetcher: Fetcher) -> None:
    feed_server.endless("/endless.xml")
    started = time.monotonic()
    with pytest.raises(ResponseTooLarge, match="larger than 10 MB") as caught:
        await fetcher.fetch(feed_server.url("/endless.xml"))
    assert time.monotonic() - started < 5
    one_sentence(caught.value)


async def test_a_gzip_bomb_stops_at_the_cap(feed_server: FeedServer, fetcher: Fetcher) -> None:
    feed_server.gzip_bomb("/bomb.xml", size=50 * 1024 * 1024)
    started = time.monotonic()
    with pytest.raises(ResponseTooLarge) as caught:
        await fetcher.fetch(feed_server.url("/bomb.xml"))
    assert time.monotonic() - started < 5
    one_sentence(caught.value)


async def test_the_cap_is_exact(feed_server: FeedServer, session: aiohttp.ClientSession) -> None:
    fetcher = Fetcher(session, LOCAL, max_bytes=1000)
    feed_server.serve_bytes("/fits.xml", b"x" * 1000)
    feed_server.serve_bytes("/over.xml", b"x" * 1001)
    assert len((await fetcher.fetch(feed_server.url("/fits.xml"))).body) == 1000
    with pytest.raises(ResponseTooLarge, match="1000 bytes"):
        await fetcher.fetch(feed_server.url("/over.xml"))
    feed_server.gzip_bomb("/small-bomb.xml", size=1001)
    with pytest.raises(ResponseTooLarge):
        await fetcher.fetch(feed_server.url("/small-bomb.xml"))


async def test_a_stalled_body_times_out(
    feed_server: FeedServer, session: aiohttp.ClientSession
) -> None:
    feed_server.stall("/slow.xml")
    fetcher = Fetcher(session, LOCAL, total_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(FetchTimeout, match=r"within 0\.5 seconds") as caught:
        await fetcher.fetch(feed_server.url("/slow.xml"))
    assert 0.4 < time.monotonic() - started < 3
    one_sentence(caught.value)


async def test_a_slow_answer_times_out(
    feed_server: FeedServer, session: aiohttp.ClientSession
) -> None:
    feed_server.add_feed("/a.xml").add_items(1)
    feed_server.delay("/a.xml", 2)
    with pytest.raises(FetchTimeout):
        await Fetcher(session, LOCAL, total_timeout=0.3).fetch(feed_server.url("/a.xml"))


# ----- per host -----


async def test_at_most_two_requests_at_once_to_one_host_and_queued_ones_do_not_time_out(
    feed_server: FeedServer, session: aiohttp.ClientSession
) -> None:
    feed_server.add_feed("/a.xml").add_items(1)
    feed_server.add_feed("/b.xml").add_items(1)
    feed_server.delay("/a.xml", 0.25)
    feed_server.delay("/b.xml", 0.25)
    fetcher = Fetcher(session, LOCAL, total_timeout=0.6)
    urls = [feed_server.url("/a.xml"), feed_server.url("/b.xml")] * 4
    results = await asyncio.gather(*(fetcher.fetch(url) for url in urls))
    assert all(result.status == 200 for result in results)
    assert feed_server.max_in_flight() == 2
    assert len(feed_server.requests()) == 8


async def test_different_hosts_have_their_own_limit(feed_server: FeedServer) -> None:
    feed_server.add_feed("/a.xml").add_items(1)
    feed_server.delay("/a.xml", 0.25)
    stub = StubResolver({"one.test": ["127.0.0.1"], "two.test": ["127.0.0.1"]})
    async with make_session(LOCAL, user_agent=UA, resolver=stub) as session:
        fetcher = Fetcher(session, LOCAL)
        urls = [f"http://{h}:{feed_server.port}/a.xml" for h in ("one.test", "two.test")] * 3
        await asyncio.gather(*(fetcher.fetch(url) for url in urls))
    assert feed_server.max_in_flight() == 4


async def test_host_slots_do_not_pile_up(feed_server: FeedServer, fetcher: Fetcher) -> None:
    feed_server.add_feed("/a.xml").add_items(1)
    await fetcher.fetch(feed_server.url("/a.xml"))
    assert len(fetcher._slots) == 0


# ----- connection failures -----


async def test_a_refused_connection_fails_clearly(fetcher: Fetcher) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectionFailed, match=r"Could not connect to 127\.0\.0\.1") as caught:
        await fetcher.fetch(f"http://127.0.0.1:{port}/a.xml")
    one_sentence(caught.value)


@pytest.mark.parametrize(
    "reply",
    [
        b"",  # closes at once
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n<rss",  # cut off
        b"NONSENSE\r\n\r\n",  # not HTTP
    ],
)
async def test_a_broken_server_fails_clearly(fetcher: Fetcher, reply: bytes) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(reply)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(FetchError) as caught:
            await fetcher.fetch(f"http://127.0.0.1:{port}/a.xml")
        assert type(caught.value) in (ConnectionFailed, FetchError)
        one_sentence(caught.value)
    finally:
        server.close()
        await server.wait_closed()


async def test_the_fetcher_is_usable_by_many_tasks(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    feeds = [feed_server.add_feed(f"/f{i}.xml", kind="json") for i in range(10)]
    for feed in feeds:
        feed.add_items(2)
    fetch: Callable[[str], Any] = fetcher.fetch
    results = await asyncio.gather(*(fetch(feed.url) for feed in feeds))
    assert [r.body for r in results] == [feed.render() for feed in feeds]


async def test_a_name_that_does_not_resolve_fails_clearly() -> None:
    class Failing(StubResolver):
        async def resolve(
            self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
        ) -> list[ResolveResult]:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    async with make_session(AddressGuard(), user_agent=UA, resolver=Failing({})) as session:
        with pytest.raises(
            ConnectionFailed, match=r"nowhere\.example could not be found"
        ) as caught:
            await Fetcher(session, AddressGuard()).fetch("http://nowhere.example/feed.xml")
    one_sentence(caught.value)


# ----- fair share -----


async def test_a_flood_of_slow_feeds_never_delays_a_normal_one(
    feed_server: FeedServer, session: aiohttp.ClientSession
) -> None:
    # One guild's slow sources (the per-guild limit is 100) against a small shared pool.
    fetcher = Fetcher(session, LOCAL, per_host=100, in_flight=4, slow_in_flight=2)
    for n in range(12):
        feed_server.add_feed(f"/slow{n}.xml", title="S", kind="rss")
        feed_server.delay(f"/slow{n}.xml", 30)
    feed_server.add_feed("/fast.xml", title="F", kind="rss")
    slow = [
        asyncio.create_task(fetcher.fetch(feed_server.url(f"/slow{n}.xml"), slow=True))
        for n in range(12)
    ]
    await feed_server.wait_for_requests("/slow1.xml", 1)  # the slow lane is full
    result = await asyncio.wait_for(fetcher.fetch(feed_server.url("/fast.xml")), 10)
    assert result.status == 200
    assert len(feed_server.requests()) == 3  # two slow in their lane, then the fast one
    assert not any(task.done() for task in slow)
    for task in slow:
        task.cancel()
    await asyncio.gather(*slow, return_exceptions=True)
