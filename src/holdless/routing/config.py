"""Segments and the routing configuration: the knobs a workspace sets, as frozen values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Segment:
    """A class of customers with a priority and a service-level floor ("90% answered within 20 s")."""

    name: str
    priority: int
    target_share: float
    target_seconds: float

    def __post_init__(self) -> None:
        if not 0.0 < self.target_share <= 1.0:
            raise ValueError(f"segment {self.name!r}: target_share must be in (0, 1]")
        if self.target_seconds <= 0:
            raise ValueError(f"segment {self.name!r}: target_seconds must be positive")


DEFAULT_SEGMENTS = (
    Segment("premium", priority=2, target_share=0.9, target_seconds=20.0),
    Segment("standard", priority=1, target_share=0.8, target_seconds=60.0),
)


@dataclass(frozen=True, slots=True)
class RoutingConfig:
    """Everything the engine needs to know besides the events; times are seconds."""

    segments: tuple[Segment, ...] = DEFAULT_SEGMENTS
    # Queues that define their own segments (queue id -> segments); others use ``segments``.
    queue_segments: Mapping[str, tuple[Segment, ...]] = field(default_factory=lambda: MappingProxyType({}))
    policy: str = "holdless"
    agent_selection: str = "longest-idle"
    offer_timeout_seconds: float = 20.0
    # An agent who declined (or let time out) a contact is not offered it again for this long.
    decline_cooldown_seconds: float = 60.0
    # Upper bound on how long a contact waits for its sticky agent, whatever the event asks for.
    sticky_max_seconds: float = 60.0
    # Share of a segment's target after which a contact is "at risk" and ordered by deadline.
    at_risk_fraction: float = 0.7
    # Holdless, in a queue with several segments (experimental, off by default): a contact past its target
    # (already lost for the service level) gives way to on-time contacts until it has waited this many
    # times its target, and segments are steered by measured attainment (see docs/routing.md). 1 or less:
    # off. Positions do not reflect it yet.
    late_yield_factor: float = 1.0
    # Holdless, where segments compete: each segment's attainment (share answered within target) is
    # measured as an exponentially weighted mean of its outcomes with this weight, and a segment ahead of
    # its target share by ``attainment_margin`` or more lends its at-risk contacts' precedence to others.
    attainment_weight: float = 0.01
    attainment_margin: float = 0.05
    # An angry contact is ordered as if it had joined the line this much earlier.
    anger_boost_seconds: float = 30.0
    # A callback aims to be answered this long before its window ends.
    callback_lead_seconds: float = 120.0
    # A supervisor alert is raised when an unanswered callback's window ends within this.
    callback_at_risk_seconds: float = 300.0
    callback_retry_seconds: float = 300.0
    callback_max_attempts: int = 3
    default_handle_seconds: float = 150.0
    # Weight of the newest handle time in the exponentially weighted mean per queue.
    handle_time_weight: float = 0.1
    position_publish_seconds: float = 1.0
    # Expected waits are published rounded to this, so estimate jitter does not wake every customer.
    wait_granularity_seconds: float = 5.0
    # A customer is re-told their figures when the position or the wait moved by at least this share of
    # what they were last told (always, for the first ``exact_positions`` places): "4,000 ahead of you"
    # need not be re-sent for every contact served. 0 publishes every change.
    republish_share: float = 0.05
    exact_positions: int = 10

    def __post_init__(self) -> None:
        for segments in (self.segments, *self.queue_segments.values()):
            names = [segment.name for segment in segments]
            if not names or len(set(names)) != len(names):
                raise ValueError("segments must be non-empty with unique names")
        if not 0.0 < self.at_risk_fraction <= 1.0:
            raise ValueError("at_risk_fraction must be in (0, 1]")
        if not 0.0 < self.handle_time_weight <= 1.0:
            raise ValueError("handle_time_weight must be in (0, 1]")
        for name in ("offer_timeout_seconds", "default_handle_seconds", "position_publish_seconds"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.callback_max_attempts < 1:
            raise ValueError("callback_max_attempts must be at least 1")

    def segment(self, queue_id: str, name: str) -> Segment:
        """The queue's segment of that name; an unknown name gets the lowest priority (everyone is owed
        the basic level of service, so a contact is never refused for a mislabelled segment)."""
        segments = self.queue_segments.get(queue_id, self.segments)
        for segment in segments:
            if segment.name == name:
                return segment
        return min(segments, key=lambda segment: (segment.priority, segment.name))
