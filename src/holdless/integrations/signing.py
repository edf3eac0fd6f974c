"""Signed webhook payloads: HMAC-SHA256 over ``f"{timestamp}.{body}"``, checked for freshness and replay.

Headers::

    Holdless-Timestamp: 1763913600
    Holdless-Signature: v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd

Several ``v1=`` values may be sent, separated by commas (while a secret is being rotated); one valid value
is enough. The receiver refuses a wrong signature, a timestamp further than the tolerance from its clock,
and a signature it has already seen within the tolerance window (a replay). Pure: time and the store of
seen signatures are passed in.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Protocol

from holdless.errors import Conflict, Unauthenticated

TIMESTAMP_HEADER = "Holdless-Timestamp"
SIGNATURE_HEADER = "Holdless-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


class BadSignature(Unauthenticated):
    """The signature is missing, malformed, or made with another secret or over another body (401)."""

    code = "bad_signature"


class StaleTimestamp(Unauthenticated):
    """The timestamp is missing or too far from now: an old message, or a clock far off (401)."""

    code = "stale_timestamp"


class Replayed(Conflict):
    """This exact signed message was already accepted within the tolerance window (409)."""

    code = "replayed"


class SeenStore(Protocol):
    """Remembers accepted signatures until they would be stale anyway."""

    async def remember(self, key: str, *, now: float, until: float) -> bool:
        """Record `key` until `until`; False if it was already recorded and has not expired."""
        ...


class MemorySeenStore:
    """One process's seen-store. Several processes need a shared one (a Redis SET NX EX, or a table)."""

    def __init__(self) -> None:
        self._until: dict[str, float] = {}

    async def remember(self, key: str, *, now: float, until: float) -> bool:
        if len(self._until) > 1024:
            self._until = {k: t for k, t in self._until.items() if t > now}
        if self._until.get(key, float("-inf")) > now:
            return False
        self._until[key] = until
        return True


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``f"{timestamp}.{body}"`` under `secret`."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, *, now: float) -> dict[str, str]:
    """The headers to send with `body`."""
    timestamp = int(now)
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: f"{SCHEME}={signature(secret, timestamp, body)}",
    }


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def check(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
) -> str:
    """Check the signature and the timestamp; returns the signature that matched (the replay key)."""
    raw_timestamp = _header(headers, TIMESTAMP_HEADER)
    if raw_timestamp is None or not raw_timestamp.strip().isdigit():
        raise StaleTimestamp(f"The {TIMESTAMP_HEADER} header is missing or is not a number of seconds.")
    timestamp = int(raw_timestamp.strip())
    if abs(now - timestamp) > tolerance_seconds:
        raise StaleTimestamp(
            f"The message is timestamped {int(now - timestamp)} s from now; "
            f"at most {int(tolerance_seconds)} s are accepted."
        )
    raw_signature = _header(headers, SIGNATURE_HEADER)
    if not raw_signature:
        raise BadSignature(f"The {SIGNATURE_HEADER} header is missing.")
    expected = signature(secret, timestamp, body)
    for part in raw_signature.split(","):
        scheme, _, value = part.strip().partition("=")
        if scheme == SCHEME and hmac.compare_digest(value.strip().lower(), expected):
            return expected
    raise BadSignature("The signature does not match this body and secret.")


async def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float,
    seen: SeenStore,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Refuse a bad signature, a stale timestamp or a replay; accept (and remember) anything else.

    A replay is remembered for twice the tolerance: a message timestamped up to `tolerance` in the
    future stays acceptable that much longer.
    """
    key = check(secret, headers, body, now=now, tolerance_seconds=tolerance_seconds)
    if not await seen.remember(key, now=now, until=now + 2 * tolerance_seconds):
        raise Replayed("This signed message was already received; it is not accepted twice.")
