"""Expected wait: position × mean handle time ÷ concurrent slots of the agents able to take the contact."""

from __future__ import annotations

import math


class HandleTimes:
    """Exponentially weighted mean handle time per queue, seeded with a default until data arrives."""

    __slots__ = ("_default", "_means", "_weight")

    def __init__(self, default_seconds: float, weight: float) -> None:
        self._default = default_seconds
        self._weight = weight
        self._means: dict[str, float] = {}

    def record(self, queue_id: str, seconds: float) -> None:
        if seconds < 0 or math.isnan(seconds):
            return
        # Seeded with the default, so one odd conversation cannot swing a fresh queue's estimate.
        mean = self._means.get(queue_id, self._default)
        self._means[queue_id] = mean + self._weight * (seconds - mean)

    def mean(self, queue_id: str) -> float:
        return self._means.get(queue_id, self._default)


def expected_wait(position: int, mean_handle_seconds: float, slots: int) -> float | None:
    """Seconds until a contact at ``position`` is offered, if every one of ``slots`` is busy.

    Slots free up at rate slots / mean handle time, and the contact needs ``position`` of them, so
    W = position · h / slots. None when no signed-in agent can take the contact at all.
    """
    if slots <= 0:
        return None
    return position * mean_handle_seconds / slots


def rounded_wait(seconds: float | None, granularity: float) -> float | None:
    """Round to the published granularity, never below one step (the customer will wait some time)."""
    if seconds is None:
        return None
    if granularity <= 0:
        return seconds
    return max(granularity, float(round(seconds / granularity)) * granularity)
