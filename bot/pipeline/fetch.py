"""Polite, bounded HTTP fetching of feeds.

One :class:`Fetcher` per process, over one session from :func:`make_session`. Every fetch:

* checks the URL with the private-address guard, and again at every redirect target
  (redirects are followed here, one hop at a time, at most ``max_redirects``, loops refused);
  names are checked address by address by the session's :class:`GuardedResolver`;
* sends If-None-Match / If-Modified-Since when given, and returns a 304 as a result;
* waits for a per-host slot (at most ``per_host`` requests at once to one host), then for
  one of ``in_flight`` slots shared by all hosts, *before* its clock starts, then allows
  ``connect_timeout`` to connect and ``total_timeout`` for all the hops of the request
  together, a stalled body included;
* reads the body in chunks and stops past ``max_bytes`` after decompression;
* turns every failure into one :class:`~bot.errors.FetchError` subclass whose message is
  one clear sentence, with ``url`` set.
"""

from __future__ import annotations

import asyncio
import re
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus

import aiohttp
import yarl
from aiohttp.abc import AbstractResolver
from multidict import CIMultiDictProxy

from bot.clock import Clock, system_clock
from bot.errors import (
    ConnectionFailed,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InvalidURL,
    ResponseTooLarge,
    TooManyRedirects,
)
from bot.pipeline.netguard import AddressGuard, GuardedResolver, shorten

USER_AGENT_TEMPLATE = "newsdesk/{version} (+https://github.com/newsdesk/newsdesk; Discord news bot)"

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, text/html;q=0.5, "
    "*/*;q=0.1"
)

MAX_BYTES = 10 * 1024 * 1024
DNS_CACHE_SECONDS = 10
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
_READ_CHUNK = 64 * 1024
_DELTA_SECONDS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*$")
_SAFE_REASON = re.compile(r"^[\w .,'()/-]{1,60}$")


def make_session(
    guard: AddressGuard,
    *,
    user_agent: str,
    limit: int = 100,
    resolver: AbstractResolver | None = None,
) -> aiohttp.ClientSession:
    """The HTTP session for fetching feeds: every name it resolves is checked by ``guard``
    (``resolver`` is the one asked before the check: the system's by default).

    Cookies are not kept (one guild's feed must not see another's cookies), proxies from
    the environment are not used, and DNS answers are cached only briefly. Call it with an
    event loop running; close the session when done (``async with``).
    """
    connector = aiohttp.TCPConnector(
        resolver=GuardedResolver(guard, resolver),
        limit=limit,
        ttl_dns_cache=DNS_CACHE_SECONDS,
    )
    return aiohttp.ClientSession(
        connector=connector,
        headers={"User-Agent": user_agent},
        timeout=aiohttp.ClientTimeout(total=30, connect=10, sock_connect=10),
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=False,
        auto_decompress=True,
    )


@dataclass(frozen=True)
class FetchResult:
    url: str
    """The final URL, after redirects."""
    status: int
    """200 (or another 2xx), or 304."""
    body: bytes
    """The decompressed body; ``b""`` for a 304."""
    content_type: str | None
    etag: str | None
    last_modified: str | None
    permanent_url: str | None
    """The new URL to store, when every redirect from the requested URL was permanent."""
    max_age: float | None
    """Cache-Control max-age in seconds (s-maxage ignored); None if absent or no-cache."""
    expires_in: float | None
    """Seconds from Date to Expires, when there is no max-age."""
    retry_after: float | None
    """Seconds, from Retry-After (a delay or an HTTP date)."""
    elapsed: float = 0.0
    """Seconds the answer took, over every redirect (not counting waits for a free slot)."""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True, slots=True)
class _Hop:
    url: yarl.URL
    status: int
    reason: str | None
    headers: CIMultiDictProxy[str]
    body: bytes


class Fetcher:
    """Fetches URLs politely and within bounds; see the module docstring."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        guard: AddressGuard,
        *,
        max_bytes: int = MAX_BYTES,
        max_redirects: int = 5,
        per_host: int = 2,
        in_flight: int = 100,
        slow_in_flight: int = 20,
        connect_timeout: float = 10,
        total_timeout: float = 30,
        clock: Clock = system_clock,
    ) -> None:
        if per_host < 1:
            raise ValueError("per_host must be at least 1")
        self._session = session
        self._guard = guard
        self._max_bytes = max_bytes
        self._max_redirects = max_redirects
        self._per_host = per_host
        # Taken after the host's slot, so requests queued for a busy host never hold one;
        # throughput stops growing at about 100 requests at once (docs/performance.md).
        self._in_flight = asyncio.Semaphore(in_flight)
        # Feeds known to be slow (or failing) share a smaller pool of their own, so a flood
        # of them (one guild's 100 slow sources) never delays anybody else's fetches.
        self._slow_in_flight = asyncio.Semaphore(slow_in_flight)
        self._connect_timeout = connect_timeout
        self._total_timeout = total_timeout
        self._clock = clock
        # A host's semaphore lives while some request holds or awaits it, then goes away.
        self._slots: weakref.WeakValueDictionary[str, asyncio.Semaphore] = (
            weakref.WeakValueDictionary()
        )
        self._client_timeout = aiohttp.ClientTimeout(
            total=None, connect=connect_timeout, sock_connect=connect_timeout
        )

    def _slot(self, url: yarl.URL) -> asyncio.Semaphore:
        key = (url.host or "").rstrip(".").lower()
        slot = self._slots.get(key)
        if slot is None:
            slot = asyncio.Semaphore(self._per_host)
            self._slots[key] = slot
        return slot

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = FEED_ACCEPT,
        slow: bool = False,
    ) -> FetchResult:
        """GET ``url``, following redirects. Returns the 2xx or 304 answer. A `slow` feed
        waits for a place among the slow ones, not the shared ones.

        Raises InvalidURL, BlockedAddress, TooManyRedirects, HTTPStatusError,
        ResponseTooLarge, FetchTimeout or ConnectionFailed (all FetchError).
        """
        current = self._guard.check_url(url).with_fragment(None)
        headers = _request_headers(accept, etag, last_modified)
        seen = {str(current)}
        all_permanent = True
        redirects = 0
        budget = self._total_timeout
        while True:
            hop, spent = await self._request(current, headers, budget, slow=slow)
            budget -= spent
            location = hop.headers.get("Location")
            if hop.status in REDIRECT_STATUSES and location:
                redirects += 1
                target = self._redirect_target(hop.url, location)
                if str(target) in seen:
                    raise TooManyRedirects(
                        f"The address redirects in a loop (back to {shorten(str(target))}).",
                        url=str(target),
                    )
                if redirects > self._max_redirects:
                    raise TooManyRedirects(
                        f"The address redirected more than {self._max_redirects} times; "
                        f"the last target was {shorten(str(target))}.",
                        url=str(target),
                    )
                seen.add(str(target))
                all_permanent = all_permanent and hop.status in PERMANENT_REDIRECTS
                current = target
                if budget <= 0:
                    raise self._timeout(current, total=True)
                continue
            return self._result(
                hop,
                redirected=redirects > 0,
                all_permanent=all_permanent,
                elapsed=self._total_timeout - budget,
            )

    def _redirect_target(self, base: yarl.URL, location: str) -> yarl.URL:
        try:
            target = base.join(yarl.URL(location.strip())).with_fragment(None)
            target.raw_host  # noqa: B018 - yarl reads the authority lazily
        except (ValueError, TypeError):
            raise InvalidURL(
                f"The server at {base.host} redirected to an invalid address "
                f"({shorten(location, 80)}).",
                url=str(base),
            ) from None
        return self._guard.check_parsed(target)

    def _result(
        self, hop: _Hop, *, redirected: bool, all_permanent: bool, elapsed: float
    ) -> FetchResult:
        headers = hop.headers
        now = self._clock()
        retry_after = parse_retry_after(headers.get("Retry-After"), headers.get("Date"), now)
        if hop.status != 304 and not 200 <= hop.status < 300:
            raise HTTPStatusError(
                _status_sentence(hop.status, hop.reason, retry_after),
                url=str(hop.url),
                status=hop.status,
                retry_after=retry_after,
            )
        max_age, no_cache = parse_cache_control(headers.getall("Cache-Control", []))
        expires_in = None
        if max_age is None and not no_cache:
            expires_in = parse_expires(headers.get("Expires"), headers.get("Date"), now)
        return FetchResult(
            url=str(hop.url),
            status=hop.status,
            body=b"" if hop.status == 304 else hop.body,
            content_type=headers.get("Content-Type"),
            etag=headers.get("ETag"),
            last_modified=headers.get("Last-Modified"),
            permanent_url=str(hop.url) if redirected and all_permanent else None,
            max_age=max_age,
            expires_in=expires_in,
            retry_after=retry_after,
            elapsed=elapsed,
        )

    async def _request(
        self, url: yarl.URL, headers: Mapping[str, str], budget: float, *, slow: bool = False
    ) -> tuple[_Hop, float]:
        """One GET, without following redirects. Returns the hop and the seconds it took
        (not counting the wait for a slot)."""
        loop = asyncio.get_running_loop()
        async with self._slot(url), self._slow_in_flight if slow else self._in_flight:
            started = loop.time()
            try:
                async with asyncio.timeout(budget):
                    async with self._session.get(
                        url,
                        headers=headers,
                        allow_redirects=False,
                        timeout=self._client_timeout,
                    ) as response:
                        body = b""
                        if 200 <= response.status < 300:
                            body = await self._read_body(response, url)
                        hop = _Hop(url, response.status, response.reason, response.headers, body)
            except FetchError as exc:
                if not exc.url:
                    exc.url = str(url)
                raise
            except aiohttp.ConnectionTimeoutError as exc:
                raise self._timeout(url, total=False) from exc
            except TimeoutError as exc:
                raise self._timeout(url, total=True) from exc
            except (aiohttp.ClientError, OSError) as exc:
                raise _connection_error(url, exc) from exc
            return hop, loop.time() - started

    async def _read_body(self, response: aiohttp.ClientResponse, url: yarl.URL) -> bytes:
        if response.content_length is not None and response.content_length > self._max_bytes:
            response.close()
            raise self._too_large(url)
        body = bytearray()
        async for chunk in response.content.iter_chunked(_READ_CHUNK):
            if len(body) + len(chunk) > self._max_bytes:
                response.close()
                raise self._too_large(url)
            body += chunk
        return bytes(body)

    def _too_large(self, url: yarl.URL) -> ResponseTooLarge:
        return ResponseTooLarge(
            f"The response from {url.host} is larger than {_human_size(self._max_bytes)}; "
            "the bot does not read feeds that big.",
            url=str(url),
        )

    def _timeout(self, url: yarl.URL, *, total: bool) -> FetchTimeout:
        if total:
            return FetchTimeout(
                f"The server at {url.host} did not send its whole answer within "
                f"{self._total_timeout:g} seconds.",
                url=str(url),
            )
        return FetchTimeout(
            f"Connecting to {url.host} took longer than {self._connect_timeout:g} seconds.",
            url=str(url),
        )


def _request_headers(accept: str, etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {"Accept": accept}
    if etag and _header_safe(etag):
        headers["If-None-Match"] = etag.strip()
    if last_modified and _header_safe(last_modified):
        headers["If-Modified-Since"] = last_modified.strip()
    return headers


def _header_safe(value: str) -> bool:
    return bool(value.strip()) and not any(ord(c) < 0x20 or ord(c) == 0x7F for c in value)


def _connection_error(url: yarl.URL, exc: BaseException) -> FetchError:
    host = url.host
    if isinstance(exc, aiohttp.InvalidURL):
        return InvalidURL(f"The URL {shorten(str(url))} is not a valid web address.", url=str(url))
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return ConnectionFailed(
            f"The host {host} could not be found (DNS lookup failed).", url=str(url)
        )
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return ConnectionFailed(f"The TLS certificate of {host} is not valid.", url=str(url))
    if isinstance(exc, aiohttp.ClientSSLError):
        return ConnectionFailed(f"A secure (TLS) connection to {host} failed.", url=str(url))
    if isinstance(exc, aiohttp.ClientConnectorError):
        reason = _os_reason(exc.os_error)
        return ConnectionFailed(f"Could not connect to {host}{reason}.", url=str(url))
    if isinstance(exc, aiohttp.ClientPayloadError):
        return ConnectionFailed(
            f"The response from {host} was cut off or badly encoded.", url=str(url)
        )
    if isinstance(exc, aiohttp.ClientResponseError):
        return FetchError(f"The server at {host} sent a malformed HTTP response.", url=str(url))
    if isinstance(exc, aiohttp.ServerDisconnectedError | ConnectionResetError):
        return ConnectionFailed(
            f"The server at {host} closed the connection before answering in full.", url=str(url)
        )
    if isinstance(exc, OSError):
        return ConnectionFailed(f"The connection to {host} failed{_os_reason(exc)}.", url=str(url))
    return ConnectionFailed(
        f"The connection to {host} failed ({type(exc).__name__}).", url=str(url)
    )


def _os_reason(error: OSError) -> str:
    text = error.strerror or ""
    return f" ({text.rstrip('.').lower()})" if text and len(text) < 80 else ""


def _status_sentence(status: int, reason: str | None, retry_after: float | None) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = reason.strip() if reason and _SAFE_REASON.match(reason.strip()) else ""
    answer = f"The server answered {status} {phrase}".rstrip()
    if status in REDIRECT_STATUSES:
        return f"{answer} without saying where to go."
    if retry_after is not None:
        return f"{answer} and asked to wait {_human_seconds(retry_after)}."
    return f"{answer}."


def parse_retry_after(value: str | None, date: str | None, now: datetime) -> float | None:
    """Seconds to wait, from a Retry-After of delay seconds or an HTTP date (measured from
    the response's Date when there is one, else from ``now``). None when absent or invalid."""
    if not value:
        return None
    match = _DELTA_SECONDS.match(value)
    if match:
        return float(match.group(1))
    when = _http_date(value)
    if when is None:
        return None
    reference = _http_date(date) or now
    return max(0.0, (when - reference).total_seconds())


def parse_cache_control(values: Iterable[str]) -> tuple[float | None, bool]:
    """(max-age seconds, whether no-cache or no-store was given). s-maxage is ignored;
    max-age is None when absent, invalid, or overruled by no-cache/no-store."""
    directives: dict[str, str] = {}
    for header in values:
        for part in header.split(","):
            name, _, argument = part.strip().partition("=")
            name = name.strip().lower()
            if name and name not in directives:
                directives[name] = argument.strip().strip('"')
    no_cache = "no-cache" in directives or "no-store" in directives
    if no_cache or "max-age" not in directives:
        return None, no_cache
    raw = directives["max-age"]
    if not raw.isdigit():
        return None, False
    return float(int(raw)), False


def parse_expires(expires: str | None, date: str | None, now: datetime) -> float | None:
    """Seconds from the response's Date (or ``now``) to Expires; 0 for an invalid or past
    Expires (which means "already expired"), None when there is no Expires."""
    if expires is None:
        return None
    when = _http_date(expires)
    if when is None:
        return 0.0
    reference = _http_date(date) or now
    return max(0.0, (when - reference).total_seconds())


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:  # "-0000" or no zone: HTTP dates are UTC
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    if size >= 1024:
        return f"{size / 1024:.3g} KB"
    return f"{size} bytes"


def _human_seconds(seconds: float) -> str:
    if seconds < 120:
        whole = round(seconds)
        return f"{whole} second{'s' if whole != 1 else ''}"
    if seconds < 7200:
        return f"{round(seconds / 60)} minutes"
    return f"{seconds / 3600:.3g} hours"
