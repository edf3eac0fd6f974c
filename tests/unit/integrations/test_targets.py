"""SSRF protection: a webhook target is decided from the addresses its host resolves to."""

from __future__ import annotations

import ipaddress

import pytest

from holdless.errors import Invalid
from holdless.integrations.targets import TargetRefused, check_target, parse_target, why_refused


class Dns:
    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[tuple[str, int]] = []

    async def resolve(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        return self.table.get(host, [host])  # IP literals resolve to themselves


REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("10.0.0.1", "private"),
    ("172.16.5.4", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"),  # cloud metadata
    ("0.0.0.0", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("100.64.0.1", "not publicly routable"),  # carrier-grade NAT
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fc00::1", "private"),
    ("ff02::1", "multicast"),
    ("::ffff:127.0.0.1", "loopback (inside an IPv6 address)"),
    ("::ffff:10.0.0.1", "private (inside an IPv6 address)"),
    ("::ffff:169.254.169.254", "link-local (inside an IPv6 address)"),
    ("64:ff9b::a00:1", "private (inside an IPv6 address)"),  # NAT64 of 10.0.0.1
    ("2002:c0a8:101::1", "private (inside an IPv6 address)"),  # 6to4 of 192.168.1.1
]


@pytest.mark.parametrize(("address", "reason"), REFUSED)
def test_private_loopback_link_local_and_special_addresses_are_refused(address: str, reason: str) -> None:
    assert why_refused(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert why_refused(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080/hook", "http://10.0.0.1/", "https://192.168.1.1/x", "http://[::1]/",
     "http://169.254.169.254/latest/meta-data/", "http://[::ffff:127.0.0.1]/"],
)  # fmt: skip
async def test_a_literal_private_address_is_refused_with_a_message(url: str) -> None:
    with pytest.raises(TargetRefused) as refused:
        await check_target(url, Dns({}), allowed_hosts=())
    assert "may not be sent" in refused.value.message
    assert refused.value.field == "url"


async def test_a_name_that_resolves_to_a_private_address_is_refused() -> None:
    dns = Dns({"crm.example.com": ["203.0.113.9"], "sneaky.example.com": ["93.184.215.14", "10.1.2.3"]})
    with pytest.raises(TargetRefused) as refused:
        await check_target("https://sneaky.example.com/hook", dns, allowed_hosts=())
    assert "10.1.2.3" in refused.value.message, "one private address among public ones is enough"
    assert dns.asked == [("sneaky.example.com", 443)]


async def test_an_allowed_host_may_resolve_to_a_private_address() -> None:
    dns = Dns({"crm.internal": ["10.0.0.7"]})
    target, addresses = await check_target(
        "http://CRM.internal:8080/in", dns, allowed_hosts=("crm.internal",)
    )
    assert (target.host, target.port, addresses) == ("crm.internal", 8080, ["10.0.0.7"])
    _, addresses = await check_target("http://127.0.0.1:9/", dns, allowed_hosts=("127.0.0.1",))
    assert addresses == ["127.0.0.1"]


async def test_an_unresolvable_host_is_refused() -> None:
    class Failing:
        async def resolve(self, host: str, port: int) -> list[str]:
            raise OSError("Name or service not known")

    with pytest.raises(TargetRefused, match="could not be resolved"):
        await check_target("https://nowhere.invalid/", Failing(), allowed_hosts=())


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/", "file:///etc/passwd", "example.com/hook", "http:///x", "https://u:p@example.com/"],
)
def test_only_plain_http_and_https_urls_with_a_host_are_accepted(url: str) -> None:
    with pytest.raises(Invalid):
        parse_target(url)
