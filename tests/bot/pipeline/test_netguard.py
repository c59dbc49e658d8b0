"""The private-address guard, without the network: what it refuses, what it lets through,
and the resolver that checks every address a name resolves to (stubbed resolvers only)."""

from __future__ import annotations

import ipaddress
import socket

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import BlockedAddress, FetchError, InvalidURL, UserError
from bot.pipeline.netguard import (
    AddressGuard,
    GuardedResolver,
    is_public_address,
    literal_address,
    parse_legacy_ipv4,
)

BLOCKED_URLS = [
    "http://127.0.0.1/",
    "http://127.0.0.1:8080/feed.xml",
    "http://127.9.9.9/",
    "http://[::1]/",
    "http://[::1]:8080/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://240.0.0.1/",
    "http://198.18.0.1/",
    "http://192.0.2.1/",
    "http://[::]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[::127.0.0.1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/",
    "http://[fe80::1]/",
    "http://[fe80::1%25eth0]/",
    "http://[fc00::1]/",
    "http://[fd12:3456::1]/",
    "http://[ff02::1]/",
    "http://[2001:db8::1]/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://0x7f.1/",
    "http://0x7f000001/",
    "http://127.1/",
    "http://017700000001/",
    "http://0xA9.0xFE.0xA9.0xFE/",
    "http://127.0.0.1./",
    "http://localhost/",
    "http://localhost./",
    "http://LOCALHOST:8000/",
    "http://news.localhost/",
    "https://user:secret@127.0.0.1/",
]

INVALID_URLS = [
    "",
    "   ",
    "file:///etc/passwd",
    "ftp://example.com/feed.xml",
    "javascript:alert(1)",
    "mailto:news@example.com",
    "data:text/html,<h1>hi</h1>",
    "gopher://example.com/",
    "garbage",
    "example.com/feed.xml",
    "//example.com/feed.xml",
    "http://",
    "http:///feed.xml",
    "http://exa mple.com/",
    "http://example.com/a b",
    "http://example.com/\nHost: evil",
    "http://%31%32%37.0.0.1/",
    "http://127.0.0.1:99999/",
    "http://-bad-.example.com/",
    "http://" + "a" * 64 + ".com/",
]

PUBLIC_URLS = [
    "http://93.184.216.34/",
    "https://8.8.8.8/dns-query",
    "http://[2606:2800:220:1:248:1893:25c8:1946]/",
    "https://example.com/feed.xml",
    "HTTPS://Example.COM/Feed.xml?x=1#top",
    "http://xn--bcher-kva.example/",
    "http://bücher.example/",
    "http://[::ffff:8.8.8.8]/",
    "http://[64:ff9b::808:808]/",
]


@pytest.mark.parametrize("url", BLOCKED_URLS)
def test_private_and_local_hosts_are_refused(url: str) -> None:
    with pytest.raises(BlockedAddress) as caught:
        AddressGuard().check_url(url)
    error = caught.value
    assert error.url == url
    assert isinstance(error, UserError) and isinstance(error, FetchError)
    message = error.user_message
    assert message.startswith("The host ") and message.endswith(".")
    assert "\n" not in message and "Traceback" not in message


def test_the_refusal_names_the_host_and_its_address() -> None:
    with pytest.raises(BlockedAddress) as caught:
        AddressGuard().check_url("http://0x7f.1/feed")
    assert "0x7f.1 (127.0.0.1)" in caught.value.message
    with pytest.raises(BlockedAddress) as caught:
        AddressGuard().check_url("http://169.254.169.254/")
    assert "169.254.169.254" in caught.value.message


@pytest.mark.parametrize("url", INVALID_URLS)
def test_malformed_urls_and_other_schemes_are_invalid(url: str) -> None:
    with pytest.raises(InvalidURL) as caught:
        AddressGuard().check_url(url)
    message = caught.value.user_message
    assert message.endswith(".") and "\n" not in message


def test_other_schemes_are_named() -> None:
    with pytest.raises(InvalidURL, match=r"file: scheme; only http:// and https://"):
        AddressGuard().check_url("file:///etc/passwd")
    with pytest.raises(InvalidURL, match=r"starts with http:// or https://"):
        AddressGuard().check_url("garbage")


@pytest.mark.parametrize(
    "url",
    ["127.0.0.1:8080/feed", "localhost:8080", "example.com:443/rss?x=1", "news.example.com:a"],
)
def test_a_host_without_a_scheme_is_told_to_add_one(url: str) -> None:
    with pytest.raises(InvalidURL, match=r"not a full web address; give one that starts with"):
        AddressGuard().check_url(url)


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_hosts_and_names_pass_the_pre_check(url: str) -> None:
    parsed = AddressGuard().check_url(url)
    assert parsed.scheme in {"http", "https"} and parsed.host


@pytest.mark.parametrize(
    ("allow", "url"),
    [
        (["127.0.0.1"], "http://127.0.0.1:8080/a.xml"),
        (["127.0.0.1"], "http://[::ffff:127.0.0.1]/"),
        (["127.0.0.0/8"], "http://127.4.5.6/"),
        (["10.0.0.0/8"], "http://10.1.2.3/"),
        ([" 192.168.0.0/16 ", ""], "http://192.168.7.7/"),
        (["::1"], "http://[::1]/"),
        (["[::1]"], "http://[::1]/"),
        (["fd00::/8"], "http://[fd12::1]/"),
        (["localhost"], "http://localhost/"),
        (["localhost"], "http://localhost./"),
        (["LocalHost."], "http://LOCALHOST:9000/"),
        (["intranet.example"], "http://intranet.example/"),
    ],
)
def test_the_allow_list_exempts_hosts_addresses_and_networks(allow: list[str], url: str) -> None:
    AddressGuard(allow).check_url(url)


@pytest.mark.parametrize(
    ("allow", "url"),
    [
        (["127.0.0.1"], "http://127.0.0.2/"),
        (["127.0.0.1"], "http://[::1]/"),
        (["127.0.0.1"], "http://localhost/"),
        (["10.0.0.0/8"], "http://192.168.0.1/"),
        (["10.0.0.0/8"], "http://169.254.169.254/"),
        (["localhost"], "http://127.0.0.1/"),
        (["localhost"], "http://other.localhost/"),
    ],
)
def test_the_allow_list_exempts_nothing_more(allow: list[str], url: str) -> None:
    with pytest.raises(BlockedAddress):
        AddressGuard(allow).check_url(url)


def test_is_allowed_address() -> None:
    guard = AddressGuard(["10.0.0.0/8", "internal.example"])
    ip = ipaddress.ip_address
    assert guard.is_allowed_address(ip("93.184.216.34"), "example.com")
    assert guard.is_allowed_address(ip("10.9.8.7"), "anything.example")
    assert guard.is_allowed_address(ip("::ffff:10.9.8.7"), "anything.example")
    assert guard.is_allowed_address(ip("192.168.0.1"), "internal.example.")
    assert not guard.is_allowed_address(ip("192.168.0.1"), "example.com")
    assert not guard.is_allowed_address(ip("127.0.0.1"), "example.com")
    assert not guard.is_allowed_address(ip("::1"), "example.com")
    assert not guard.is_allowed_address(ip("fe80::1%1"), "example.com")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("0x7F.0.0.1.", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("8.8.8.8", "8.8.8.8"),
    ],
)
def test_legacy_ipv4_forms_read_as_the_c_library_reads_them(text: str, expected: str) -> None:
    assert str(parse_legacy_ipv4(text)) == expected


@pytest.mark.parametrize(
    "text", ["example.com", "1.2.3.4.5", "256.1.1.1", "4294967296", "09.1.1.1", "0x", "1..1", ""]
)
def test_names_and_out_of_range_numbers_are_not_addresses(text: str) -> None:
    assert parse_legacy_ipv4(text) is None


_PART = st.sampled_from(["dec", "oct", "hex"])


def _spell(value: int, style: str) -> str:
    if style == "oct":
        return "0" + format(value, "o")
    if style == "hex":
        return "0x" + format(value, "x")
    return str(value)


@given(
    number=st.integers(min_value=0, max_value=2**32 - 1),
    parts=st.integers(min_value=1, max_value=4),
    styles=st.lists(_PART, min_size=4, max_size=4),
)
def test_legacy_parsing_agrees_with_inet_aton(number: int, parts: int, styles: list[str]) -> None:
    octets = number.to_bytes(4, "big")
    leading = list(octets[: parts - 1])
    last = int.from_bytes(octets[parts - 1 :], "big")
    text = ".".join(_spell(v, s) for v, s in zip([*leading, last], styles, strict=False))
    expected = ipaddress.IPv4Address(socket.inet_aton(text))
    assert parse_legacy_ipv4(text) == expected == ipaddress.IPv4Address(number)


_BLOCKED_NETS = [
    "127.0.0.0/8",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "169.254.0.0/16",
    "100.64.0.0/10",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "0.0.0.0/8",
]


@given(st.sampled_from(_BLOCKED_NETS), st.integers(min_value=0, max_value=2**32 - 1))
def test_no_address_of_a_private_network_is_public(net: str, offset: int) -> None:
    network = ipaddress.IPv4Network(net)
    address = network[offset % network.num_addresses]
    assert not is_public_address(address)
    mapped = ipaddress.IPv6Address(f"::ffff:{address}")
    assert not is_public_address(mapped)
    assert not AddressGuard().is_allowed_address(mapped, "example.com")


def test_literal_address() -> None:
    assert literal_address("[::1]") == ipaddress.IPv6Address("::1")
    assert literal_address("0x7f.1") == ipaddress.IPv4Address("127.0.0.1")
    assert literal_address("example.com") is None


class StubResolver(AbstractResolver):
    """Answers from a table; a list of answers per name is served one call after another
    (the last one repeats), which is how DNS rebinding looks."""

    def __init__(self, table: dict[str, list[list[str]]]) -> None:
        self.table = table
        self.calls: list[str] = []
        self.closed = False

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.calls.append(host)
        answers = self.table[host]
        addresses = answers[min(len(self.calls_for(host)) - 1, len(answers) - 1)]
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
            for address in addresses
        ]

    def calls_for(self, host: str) -> list[str]:
        return [call for call in self.calls if call == host]

    async def close(self) -> None:
        self.closed = True


async def test_a_public_name_resolving_to_loopback_is_refused() -> None:
    stub = StubResolver({"news.example.com": [["127.0.0.1"]]})
    resolver = GuardedResolver(AddressGuard(), stub)
    with pytest.raises(BlockedAddress, match=r"news\.example\.com \(127\.0\.0\.1\)"):
        await resolver.resolve("news.example.com", 80)


async def test_one_private_address_among_public_ones_refuses_the_name() -> None:
    stub = StubResolver({"mixed.example": [["93.184.216.34", "10.0.0.5"]]})
    with pytest.raises(BlockedAddress):
        await GuardedResolver(AddressGuard(), stub).resolve("mixed.example", 443)


@pytest.mark.parametrize("address", ["::1", "::ffff:127.0.0.1", "fe80::1", "169.254.169.254"])
async def test_every_kind_of_resolved_private_address_is_refused(address: str) -> None:
    stub = StubResolver({"feeds.example": [[address]]})
    with pytest.raises(BlockedAddress):
        await GuardedResolver(AddressGuard(), stub).resolve("feeds.example", 80)


async def test_public_answers_pass_through_unchanged() -> None:
    stub = StubResolver({"feeds.example": [["93.184.216.34", "2606:2800:220:1::1"]]})
    results = await GuardedResolver(AddressGuard(), stub).resolve("feeds.example", 80)
    assert [r["host"] for r in results] == ["93.184.216.34", "2606:2800:220:1::1"]


async def test_dns_rebinding_is_caught_at_the_second_lookup() -> None:
    stub = StubResolver({"rebind.example": [["93.184.216.34"], ["127.0.0.1"]]})
    resolver = GuardedResolver(AddressGuard(), stub)
    first = await resolver.resolve("rebind.example", 80)
    assert first[0]["host"] == "93.184.216.34"
    with pytest.raises(BlockedAddress):
        await resolver.resolve("rebind.example", 80)


async def test_allow_listed_names_and_networks_resolve() -> None:
    stub = StubResolver({"intranet.example": [["10.1.1.1"]], "other.example": [["10.2.2.2"]]})
    by_name = GuardedResolver(AddressGuard(["intranet.example"]), stub)
    assert (await by_name.resolve("intranet.example", 80))[0]["host"] == "10.1.1.1"
    with pytest.raises(BlockedAddress):
        await by_name.resolve("other.example", 80)
    by_network = GuardedResolver(AddressGuard(["10.0.0.0/8"]), stub)
    assert (await by_network.resolve("other.example", 80))[0]["host"] == "10.2.2.2"


async def test_numeric_hosts_given_to_the_resolver_are_checked_before_any_lookup() -> None:
    stub = StubResolver({})
    resolver = GuardedResolver(AddressGuard(), stub)
    for host in ("2130706433", "0x7f.1", "127.1"):
        with pytest.raises(BlockedAddress):
            await resolver.resolve(host, 80)
    assert stub.calls == []


async def test_closing_the_guarded_resolver_closes_the_inner_one() -> None:
    stub = StubResolver({})
    await GuardedResolver(AddressGuard(), stub).close()
    assert stub.closed
