"""The private-address guard: the bot fetches URLs that moderators give it, so it must
never become a door into the operator's network.

Two checks, both needed:

* :meth:`AddressGuard.check_url` runs on the requested URL and on every redirect target
  before any connection: only http and https, a well-formed host, and a host that is a
  literal IP (in any notation a C resolver would accept: ``2130706433``, ``0177.0.0.1``,
  ``0x7f.1``, ``[::ffff:127.0.0.1]``) must be a public address. aiohttp connects to IP
  literals without asking the resolver, so this is where they are caught.
* :class:`GuardedResolver` is the aiohttp resolver of the fetch session: every address a
  name resolves to is checked right before aiohttp connects to it, so a name that answers
  public first and private next (DNS rebinding) is refused at the moment it matters.

``NEWSDESK_ALLOW_PRIVATE_HOSTS`` (``AddressGuard(allow=...)``) exempts host names
(``localhost``), single addresses (``127.0.0.1``) or networks (``10.0.0.0/8``).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable

import yarl
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from bot.errors import BlockedAddress, InvalidURL

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SCHEMES = frozenset({"http", "https"})
# "127.0.0.1:8080/feed" or "localhost:8080": a host and port, read by URL parsers as a scheme.
_HOST_PORT = re.compile(r"^[^/:?#]+:\d+(?:[/?#]|$)")

# Ranges that are never a public web server, on top of what ``ipaddress`` flags (its
# ``is_global`` differs between Python versions, so the list is explicit).
_BLOCKED_NETWORKS: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",  # private
        "100.64.0.0/10",  # shared address space (carrier-grade NAT)
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, cloud metadata services
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # 6to4 relay anycast (deprecated)
        "192.168.0.0/16",  # private
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the broadcast address
        "::/96",  # unspecified, loopback and the deprecated IPv4-compatible addresses
        "::ffff:0:0/96",  # IPv4-mapped (the embedded address is checked on its own)
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments (Teredo, ORCHIDs, benchmarking...)
        "2001:db8::/32",  # documentation
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)

# Host names that mean "this machine" whatever DNS says (RFC 6761).
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_LOCAL_SUFFIXES = (".localhost",)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_NUMERIC_PART = re.compile(r"^(0x[0-9a-f]+|[0-9]+)$")


def _normalize_host(host: str) -> str:
    """Lower case, without the trailing dot of a fully qualified name, without brackets."""
    return host.strip().strip("[]").rstrip(".").lower()


def parse_legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """Read ``host`` the way ``inet_aton`` does: one to four parts, each decimal, octal
    (leading 0) or hex (0x), the last part filling the remaining bytes.

    ``2130706433``, ``0177.0.0.1``, ``0x7f.1`` and ``127.1`` all read as 127.0.0.1.
    Returns None when ``host`` is not such a number (then it is a name).
    """
    text = host.rstrip(".").lower()
    parts = text.split(".")
    if not 1 <= len(parts) <= 4 or not all(_NUMERIC_PART.match(part) for part in parts):
        return None
    values: list[int] = []
    for part in parts:
        if part.startswith("0x"):
            values.append(int(part[2:], 16))
        elif len(part) > 1 and part.startswith("0"):
            if any(digit in "89" for digit in part):
                return None
            values.append(int(part, 8))
        else:
            values.append(int(part, 10))
    *leading, last = values
    if any(value > 0xFF for value in leading):
        return None
    if last >= 1 << (8 * (4 - len(leading))):
        return None
    number = last
    for index, value in enumerate(leading):
        number |= value << (8 * (3 - index))
    return ipaddress.IPv4Address(number)


def literal_address(host: str) -> IPAddress | None:
    """The IP address ``host`` spells, in any notation, or None when it is a name."""
    text = _normalize_host(host)
    if ":" in text:
        try:
            return ipaddress.IPv6Address(text)
        except ValueError:
            return None
    return parse_legacy_ipv4(text)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address carried by an IPv4-mapped, 6to4 or NAT64 address, if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(ip: IPAddress) -> bool:
    """Whether ``ip`` is a globally reachable unicast address (IPv6 embeddings of IPv4
    addresses are judged by the IPv4 address they carry)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return False
        inner = embedded_ipv4(ip)
        if inner is not None:
            return is_public_address(inner)
    if any(ip in net for net in _BLOCKED_NETWORKS if net.version == ip.version):
        return False
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


class AddressGuard:
    """Decides which URLs and addresses the bot may fetch from."""

    def __init__(self, allow: Iterable[str] = ()) -> None:
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for raw in allow:
            entry = raw.strip()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                hosts.add(_normalize_host(entry))
        self._hosts = frozenset(hosts)
        self._networks = tuple(networks)

    def host_is_allowed(self, host: str) -> bool:
        """Whether ``host`` is named in the allow list (the trailing dot and case ignored)."""
        return _normalize_host(host) in self._hosts

    def is_allowed_address(self, ip: IPAddress, host: str) -> bool:
        """Whether the bot may connect to ``ip``, reached through the name ``host``."""
        if self.host_is_allowed(host):
            return True
        candidates: list[IPAddress] = [ip]
        if isinstance(ip, ipaddress.IPv6Address):
            if ip.scope_id:
                candidates.append(ipaddress.IPv6Address(str(ip).split("%", 1)[0]))
            inner = embedded_ipv4(ip)
            if inner is not None:
                candidates.append(inner)
        for candidate in candidates:
            if any(candidate.version == net.version and candidate in net for net in self._networks):
                return True
        return is_public_address(ip)

    def check_url(self, url: str) -> yarl.URL:
        """Parse ``url`` and check what can be checked before connecting.

        Raises InvalidURL for anything but a well-formed http(s) URL with a host, and
        BlockedAddress when the host is a private address or a local name. Names are
        checked again, address by address, by :class:`GuardedResolver`.
        """
        if not isinstance(url, str) or not url.strip():
            raise InvalidURL("The URL is empty; give a full http:// or https:// address.")
        text = url.strip()
        if any(ord(char) < 0x21 or ord(char) == 0x7F for char in text):
            raise InvalidURL(
                f"The URL {shorten(text)} contains spaces or control characters.", url=text
            )
        try:
            parsed = yarl.URL(text)
            parsed.raw_host  # noqa: B018 - yarl reads the authority lazily
        except (ValueError, TypeError):
            raise InvalidURL(
                f"The URL {shorten(text)} is not a valid web address.", url=text
            ) from None
        return self.check_parsed(parsed, original=text)

    def check_parsed(self, parsed: yarl.URL, *, original: str | None = None) -> yarl.URL:
        """:meth:`check_url` for an already parsed URL (a redirect target)."""
        text = original if original is not None else str(parsed)
        shown = shorten(text)
        scheme = parsed.scheme.lower()
        if scheme not in ALLOWED_SCHEMES:
            if not scheme or _HOST_PORT.match(text) or "." in scheme:
                raise InvalidURL(
                    f"The URL {shown} is not a full web address; give one that starts with "
                    "http:// or https://.",
                    url=text,
                )
            raise InvalidURL(
                f"The URL {shown} uses the {shorten(scheme, 20)}: scheme; only http:// and "
                "https:// addresses can be fetched.",
                url=text,
            )
        try:
            host, raw_host = parsed.host, parsed.raw_host
        except ValueError:  # UnicodeError: an IDNA label that does not decode ("xn--a-")
            raise InvalidURL(f"The URL {shown} has an invalid host name.", url=text) from None
        if not host or not raw_host:
            raise InvalidURL(f"The URL {shown} has no host name.", url=text)
        ip = literal_address(host)
        if ip is None:
            if not _valid_hostname(raw_host):
                raise InvalidURL(
                    f"The URL {shown} has an invalid host name ({shorten(host, 60)}).", url=text
                )
            name = _normalize_host(raw_host)
            if not self.host_is_allowed(name) and (
                name in _LOCAL_NAMES or name.endswith(_LOCAL_SUFFIXES)
            ):
                raise BlockedAddress(
                    f"The host {name} is this machine; the bot does not fetch from local or "
                    "private addresses.",
                    url=text,
                )
        elif not self.is_allowed_address(ip, host):
            raise BlockedAddress(blocked_message(host, ip), url=text)
        return parsed


def blocked_message(host: str, ip: IPAddress) -> str:
    name = _normalize_host(host)
    shown = name if name == str(ip) else f"{name} ({ip})"
    return (
        f"The host {shorten(shown, 80)} is a private, local or reserved address; the bot "
        "only fetches from public addresses."
    )


def _valid_hostname(host: str) -> bool:
    name = host.rstrip(".").lower()
    if not name or len(name) > 253:
        return False
    return all(_HOST_LABEL.match(label) for label in name.split("."))


def shorten(text: str, limit: int = 120) -> str:
    """``text`` fit for a one-line message: control characters escaped, at most ``limit``."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class GuardedResolver(AbstractResolver):
    """An aiohttp resolver that refuses every name resolving to a blocked address.

    If any address of the answer is blocked, the whole answer is refused (a public name
    has no business resolving to a private address). Raises BlockedAddress, which aiohttp
    passes through unchanged.
    """

    def __init__(self, guard: AddressGuard, inner: AbstractResolver | None = None) -> None:
        self._guard = guard
        self._inner = inner

    @property
    def guard(self) -> AddressGuard:
        return self._guard

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        literal = literal_address(host)
        if literal is not None and not self._guard.is_allowed_address(literal, host):
            raise BlockedAddress(blocked_message(host, literal))
        if self._inner is None:
            self._inner = ThreadedResolver()
        results = await self._inner.resolve(host, port, family)
        for result in results:
            try:
                ip = ipaddress.ip_address(result["host"])
            except ValueError:
                raise BlockedAddress(
                    f"The host {shorten(_normalize_host(host), 80)} resolved to something "
                    "that is not an IP address; the bot does not fetch from it."
                ) from None
            if not self._guard.is_allowed_address(ip, host):
                raise BlockedAddress(blocked_message(host, ip))
        return results

    async def close(self) -> None:
        if self._inner is not None:
            await self._inner.close()
