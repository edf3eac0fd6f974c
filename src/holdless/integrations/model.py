"""Webhook subscriptions and deliveries: frozen values, and the rules that move a delivery along.

A delivery is one event for one subscription. It is ``pending`` until an attempt gets a 2xx answer
(``delivered``); a failed attempt schedules the next one after an exponential back-off; after the last
allowed attempt it is ``dead`` and waits in the dead-letter list until an admin replays it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from holdless.errors import Invalid
from holdless.ids import WorkspaceId

MAX_EVENT_TYPES = 50
MAX_ERROR = 500


def normalise_event_types(event_types: Sequence[str]) -> tuple[str, ...]:
    """Exact names (``message.created``), prefixes ending in a dot (``conversation.``) or ``*`` for all."""
    cleaned = tuple(dict.fromkeys(t.strip() for t in event_types))
    if not cleaned:
        raise Invalid(
            "Name at least one event type, a prefix such as 'conversation.', or '*'.", field="event_types"
        )
    if len(cleaned) > MAX_EVENT_TYPES:
        raise Invalid(f"At most {MAX_EVENT_TYPES} event types per webhook.", field="event_types")
    for name in cleaned:
        if name == "*":
            continue
        if not name or len(name) > 64 or not all(c.isalnum() or c in "._-" for c in name):
            raise Invalid(f"'{name}' is not an event type or a prefix ending in a dot.", field="event_types")
    return cleaned


def matches(event_type: str, patterns: Sequence[str]) -> bool:
    return any(
        p == "*" or p == event_type or (p.endswith(".") and event_type.startswith(p)) for p in patterns
    )


@dataclass(frozen=True, slots=True)
class Subscription:
    id: str
    workspace_id: WorkspaceId
    url: str
    event_types: tuple[str, ...]
    active: bool
    after_seq: int  # events up to this sequence number happened before the subscription: never sent
    created_at: datetime
    updated_at: datetime

    def wants(self, event_type: str, seq: int) -> bool:
        return self.active and seq > self.after_seq and matches(event_type, self.event_types)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Attempt n (1-based) that fails waits base × 2^(n-1), capped at `max_delay_seconds`."""

    base_seconds: float = 10.0
    max_attempts: int = 8
    max_delay_seconds: float = 3600.0

    def delay_after(self, attempts: int) -> float:
        return float(min(self.base_seconds * 2 ** (attempts - 1), self.max_delay_seconds))


@dataclass(frozen=True, slots=True)
class Delivery:
    id: str
    workspace_id: WorkspaceId
    subscription_id: str
    event_seq: int
    event_type: str
    payload: dict[str, Any]  # the event's wire shape, as sent
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    response_status: int | None
    created_at: datetime
    last_attempt_at: datetime | None = None
    delivered_at: datetime | None = None

    def succeeded(self, now: datetime, response_status: int) -> Delivery:
        return replace(
            self, status=DeliveryStatus.DELIVERED, attempts=self.attempts + 1, next_attempt_at=None,
            last_error="", response_status=response_status, last_attempt_at=now, delivered_at=now,
        )  # fmt: skip

    def failed(
        self, now: datetime, error: str, policy: RetryPolicy, response_status: int | None = None
    ) -> Delivery:
        """Schedule the next attempt, or send the delivery to the dead-letter list after the last one."""
        attempts = self.attempts + 1
        dead = attempts >= policy.max_attempts
        return replace(
            self,
            status=DeliveryStatus.DEAD if dead else DeliveryStatus.PENDING,
            attempts=attempts,
            next_attempt_at=None if dead else now + timedelta(seconds=policy.delay_after(attempts)),
            last_error=error[:MAX_ERROR],
            response_status=response_status,
            last_attempt_at=now,
        )

    def replayed(self, now: datetime) -> Delivery:
        """Sent again from the start: a full series of attempts, the first one now."""
        return replace(
            self, status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, delivered_at=None
        )
