"""Callbacks as promises: when a callback counts as due, how urgent it is, and whether it was kept.

A promise ends exactly once, as kept or broken; the engine records the outcome here and emits it.
"""

from __future__ import annotations

from holdless.routing.config import RoutingConfig, Segment

KEPT = "kept"
BROKEN = "broken"


class CallbackPromise:
    __slots__ = ("attempt_started_at", "attempts", "outcome", "window_end", "window_start")

    def __init__(self, window_start: float, window_end: float) -> None:
        self.window_start = window_start
        self.window_end = window_end
        self.attempts = 0
        self.attempt_started_at: float | None = None  # when an agent accepted the current attempt
        self.outcome: str | None = None  # None until KEPT or BROKEN

    @property
    def open(self) -> bool:
        return self.outcome is None


def callback_place(promise: CallbackPromise, segment: Segment, place: float, config: RoutingConfig) -> float:
    """The place a due callback holds in line.

    It keeps its original place if that is earlier; otherwise it is placed so that its segment deadline
    (place + target) falls ``callback_lead_seconds`` before the window ends. Under the holdless policy its
    urgency therefore rises toward the end of the window and it overtakes others before the promise breaks.
    """
    aimed = promise.window_end - config.callback_lead_seconds - segment.target_seconds
    return min(place, aimed)


def answered_in_window(promise: CallbackPromise, answered_at: float) -> bool:
    return promise.window_start <= answered_at <= promise.window_end


def retry_at(promise: CallbackPromise, now: float, config: RoutingConfig) -> float | None:
    """When to try again after no answer, or None when the promise can no longer be kept."""
    if promise.attempts >= config.callback_max_attempts:
        return None
    at = now + config.callback_retry_seconds
    return at if at < promise.window_end else None
