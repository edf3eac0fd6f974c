"""Which addresses a webhook may reach (SSRF protection), decided from the resolved addresses.

A target is refused when ANY address its host resolves to is private, loopback, link-local, multicast,
reserved, unspecified or otherwise not globally routable (IPv4 and IPv6, and IPv4 wrapped in IPv6:
IPv4-mapped, 6to4, NAT64), unless the admin put the host in the allow-list setting. Pure: the addresses
come from a resolver passed in, so the decision is made before any packet is sent.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from holdless.errors import Invalid

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class Resolver(Protocol):
    async def resolve(self, host: str, port: int) -> list[str]:
        """The host's addresses (IP literals resolve to themselves); empty or an error if unknown."""
        ...


class TargetRefused(Invalid):
    """The webhook's target may not be reached from this server (422)."""

    code = "target_refused"


@dataclass(frozen=True, slots=True)
class Target:
    url: str
    scheme: str
    host: str  # lower case, without brackets
    port: int


def parse_target(url: str) -> Target:
    """Check the URL's shape: http(s), a host, no credentials in it."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise Invalid(f"The URL is not valid: {error}.", field="url") from error
    if parts.scheme not in ("http", "https"):
        raise Invalid("The URL must start with http:// or https://.", field="url")
    if not parts.hostname:
        raise Invalid("The URL must name a host.", field="url")
    if parts.username is not None or parts.password is not None:
        raise Invalid("Put no user name or password in the URL; the payload is signed instead.", field="url")
    default = 443 if parts.scheme == "https" else 80
    return Target(url.strip(), parts.scheme, parts.hostname.lower().rstrip("."), port or default)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    if address.teredo is not None:
        return address.teredo[1]
    return None


def why_refused(address: IpAddress) -> str | None:
    """Why this address may not be a webhook target, or None when it is a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            reason = why_refused(inner)
            return None if reason is None else f"{reason} (inside an IPv6 address)"
    checks = (
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (address.is_reserved, "reserved"),
        (address.is_private, "private"),
        (not address.is_global, "not publicly routable"),
    )
    return next((name for refused, name in checks if refused), None)


def is_allowed_host(host: str, allowed_hosts: Collection[str]) -> bool:
    wanted = host.lower().strip("[]").rstrip(".")
    return any(wanted == h.lower().strip("[]").rstrip(".") for h in allowed_hosts)


def decide(target: Target, addresses: Sequence[str], allowed_hosts: Collection[str]) -> list[str]:
    """The addresses to connect to, or TargetRefused. Every address must be public (a host that resolves
    to one public and one private address is refused: the connection could go to either)."""
    if not addresses:
        raise TargetRefused(f"The host {target.host} could not be resolved.", field="url")
    parsed: list[IpAddress] = []
    for text in addresses:
        try:
            parsed.append(ipaddress.ip_address(text.split("%", 1)[0]))
        except ValueError as error:
            raise TargetRefused(f"The host {target.host} resolved to {text!r}.", field="url") from error
    if not is_allowed_host(target.host, allowed_hosts):
        for address in parsed:
            reason = why_refused(address)
            if reason is not None:
                raise TargetRefused(
                    f"Webhooks may not be sent to {target.host}: it resolves to {address}, a {reason} "
                    "address. An administrator can allow this host in the server's settings "
                    "(HOLDLESS_WEBHOOK_ALLOWED_HOSTS).",
                    field="url",
                )
    return [str(address) for address in parsed]


async def check_target(
    url: str, resolver: Resolver, allowed_hosts: Collection[str]
) -> tuple[Target, list[str]]:
    """Parse, resolve and decide: what a delivery may connect to (refused before any packet is sent)."""
    target = parse_target(url)
    try:
        addresses = await resolver.resolve(target.host, target.port)
    except OSError as error:
        raise TargetRefused(
            f"The host {target.host} could not be resolved ({error}).", field="url"
        ) from error
    return target, decide(target, addresses, allowed_hosts)
