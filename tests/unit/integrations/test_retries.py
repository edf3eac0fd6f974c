"""Deliveries: exponential back-off, then the dead-letter list, and a replay that starts over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from holdless.ids import WorkspaceId
from holdless.integrations.model import Delivery, DeliveryStatus, RetryPolicy, matches, normalise_event_types

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def fresh() -> Delivery:
    return Delivery(
        id="dlv_1", workspace_id=WorkspaceId("ws_1"), subscription_id="whk_1", event_seq=3,
        event_type="message.created", payload={"seq": 3}, status=DeliveryStatus.PENDING, attempts=0,
        next_attempt_at=T0, last_error="", response_status=None, created_at=T0,
    )  # fmt: skip


def test_failed_attempts_wait_2_4_8_seconds_then_the_delivery_is_dead() -> None:
    policy = RetryPolicy(base_seconds=2, max_attempts=4)
    delivery, now, waits = fresh(), T0, []
    for _ in range(3):
        delivery = delivery.failed(now, "HTTP 500", policy, 500)
        assert delivery.status is DeliveryStatus.PENDING
        assert delivery.next_attempt_at is not None
        waits.append((delivery.next_attempt_at - now).total_seconds())
        now = delivery.next_attempt_at
    assert waits == [2, 4, 8]
    dead = delivery.failed(now, "HTTP 503", policy, 503)
    assert (dead.status, dead.attempts, dead.next_attempt_at) == (DeliveryStatus.DEAD, 4, None)
    assert (dead.last_error, dead.response_status) == ("HTTP 503", 503)


def test_the_delay_is_capped() -> None:
    policy = RetryPolicy(base_seconds=60, max_attempts=20, max_delay_seconds=600)
    assert [policy.delay_after(n) for n in (1, 2, 3, 4, 5, 9)] == [60, 120, 240, 480, 600, 600]


def test_a_replayed_dead_delivery_gets_a_full_series_of_attempts_from_now() -> None:
    policy = RetryPolicy(base_seconds=1, max_attempts=1)
    dead = fresh().failed(T0, "timeout", policy)
    assert dead.status is DeliveryStatus.DEAD
    later = T0 + timedelta(hours=3)
    again = dead.replayed(later)
    assert (again.status, again.attempts, again.next_attempt_at) == (DeliveryStatus.PENDING, 0, later)
    done = again.succeeded(later, 204)
    assert (done.status, done.attempts, done.delivered_at, done.last_error) == (
        DeliveryStatus.DELIVERED, 1, later, "",
    )  # fmt: skip


def test_event_types_match_exactly_by_prefix_or_all() -> None:
    assert matches("conversation.assigned", ("conversation.",))
    assert not matches("conversations.x", ("conversation.",))
    assert matches("message.created", ("message.created",))
    assert not matches("message.created.extra", ("message.created",))
    assert matches("anything.at_all", ("*",))
    assert normalise_event_types([" message.created", "message.created", "offer."]) == (
        "message.created", "offer.",
    )  # fmt: skip
