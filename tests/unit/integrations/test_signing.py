"""Signed webhooks: what a receiver accepts and refuses (bad signature, stale timestamp, replay)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from holdless.integrations.signing import (
    BadSignature,
    MemorySeenStore,
    Replayed,
    StaleTimestamp,
    sign,
    verify,
)

SECRET = "whsec_test"
BODY = b'{"seq":7,"type":"message.created"}'
NOW = 1_763_913_600.0


def by_hand(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    headers = sign(SECRET, BODY, now=NOW + 0.9)
    assert headers["Holdless-Timestamp"] == "1763913600"
    assert headers["Holdless-Signature"] == "v1=" + by_hand(SECRET, 1763913600, BODY)


async def test_a_correctly_signed_fresh_message_is_accepted_once() -> None:
    seen = MemorySeenStore()
    headers = sign(SECRET, BODY, now=NOW)
    await verify(SECRET, headers, BODY, now=NOW + 2, seen=seen)
    with pytest.raises(Replayed) as replay:
        await verify(SECRET, headers, BODY, now=NOW + 3, seen=seen)
    assert replay.value.code == "replayed"


async def test_headers_are_read_whatever_their_case() -> None:
    headers = {k.lower(): v for k, v in sign(SECRET, BODY, now=NOW).items()}
    await verify(SECRET, headers, BODY, now=NOW, seen=MemorySeenStore())


@pytest.mark.parametrize(
    ("secret", "body", "signature"),
    [
        ("whsec_other", BODY, None),  # signed with another secret
        (SECRET, BODY + b" ", None),  # body changed after signing
        (SECRET, BODY, "v1=" + "0" * 64),  # made up
        (SECRET, BODY, "v0=" + by_hand(SECRET, int(NOW), BODY)),  # unknown scheme
        (SECRET, BODY, ""),  # missing
    ],
)
async def test_a_bad_signature_is_refused(secret: str, body: bytes, signature: str | None) -> None:
    headers = sign(secret, BODY, now=NOW)
    if signature is not None:
        headers["Holdless-Signature"] = signature
    with pytest.raises(BadSignature):
        await verify(SECRET, headers, body, now=NOW, seen=MemorySeenStore())


async def test_one_valid_value_among_several_is_enough_while_a_secret_rotates() -> None:
    good = by_hand(SECRET, int(NOW), BODY)
    headers = {"Holdless-Timestamp": str(int(NOW)), "Holdless-Signature": f"v1={'a' * 64}, v1={good}"}
    await verify(SECRET, headers, BODY, now=NOW, seen=MemorySeenStore())


@pytest.mark.parametrize("skew", [-301, 301, -3600, 86_400])
async def test_a_stale_or_future_timestamp_is_refused_even_with_a_valid_signature(skew: int) -> None:
    headers = sign(SECRET, BODY, now=NOW)  # correctly signed at NOW...
    with pytest.raises(StaleTimestamp):  # ...but received `skew` seconds earlier or later
        await verify(SECRET, headers, BODY, now=NOW + skew, seen=MemorySeenStore())


async def test_the_tolerance_is_configurable_and_inclusive() -> None:
    headers = sign(SECRET, BODY, now=NOW)
    await verify(SECRET, headers, BODY, now=NOW + 300, seen=MemorySeenStore())
    await verify(SECRET, headers, BODY, now=NOW + 30, seen=MemorySeenStore(), tolerance_seconds=30)
    with pytest.raises(StaleTimestamp):
        await verify(SECRET, headers, BODY, now=NOW + 31, seen=MemorySeenStore(), tolerance_seconds=30)


@pytest.mark.parametrize("timestamp", [None, "", "yesterday", "-5", "1.5"])
async def test_a_missing_or_malformed_timestamp_is_refused(timestamp: str | None) -> None:
    headers = sign(SECRET, BODY, now=NOW)
    del headers["Holdless-Timestamp"]
    if timestamp is not None:
        headers["Holdless-Timestamp"] = timestamp
    with pytest.raises(StaleTimestamp):
        await verify(SECRET, headers, BODY, now=NOW, seen=MemorySeenStore())


async def test_a_refused_message_is_not_remembered_so_the_genuine_one_still_passes() -> None:
    seen = MemorySeenStore()
    genuine = sign(SECRET, BODY, now=NOW)
    forged = genuine | {"Holdless-Signature": "v1=" + "f" * 64}
    with pytest.raises(BadSignature):
        await verify(SECRET, forged, BODY, now=NOW, seen=seen)
    await verify(SECRET, genuine, BODY, now=NOW, seen=seen)


async def test_the_same_body_signed_at_another_second_is_a_new_message() -> None:
    seen = MemorySeenStore()
    await verify(SECRET, sign(SECRET, BODY, now=NOW), BODY, now=NOW, seen=seen)
    await verify(SECRET, sign(SECRET, BODY, now=NOW + 1), BODY, now=NOW + 1, seen=seen)
