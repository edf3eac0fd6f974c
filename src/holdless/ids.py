"""Identifiers: opaque strings, time-ordered so that newer objects sort after older ones."""

from __future__ import annotations

import os
import time
from typing import NewType

WorkspaceId = NewType("WorkspaceId", str)
UserId = NewType("UserId", str)
CustomerId = NewType("CustomerId", str)
ConversationId = NewType("ConversationId", str)
QueueId = NewType("QueueId", str)
MessageId = NewType("MessageId", str)

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def new_id(prefix: str) -> str:
    """A ULID-like id: 48 bits of milliseconds then 80 random bits, base32, with a readable prefix."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return f"{prefix}_{''.join(reversed(chars))}"
