"""Named rules: in which order waiting contacts are served, and which free agent gets the next one.

Every ordering policy is a *two-band* rule over a contact's ``place`` (the time it is treated as having
joined the line: its enqueue time, earlier if angry, see ``docs/routing.md``) and its **deadline**
``place + T`` (T: the segment's target seconds):

* the **normal band** is ordered by ``(group(segment), place)``: smaller first;
* a contact is in the **at-risk band** once ``deadline − now ≤ slack(segment)`` (−∞: never); that band is
  served before the normal band, earliest deadline first.

Both orders grow with the place within a segment, so the engine keeps each segment's contacts in a
static heap and line sorted by (deadline, place), and decides bands only when it compares segment heads
or counts a rank: nothing moves when time passes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

from holdless.routing.config import RoutingConfig, Segment

NEVER_AT_RISK = float("-inf")


class OrderingPolicy(Protocol):
    @property
    def name(self) -> str: ...

    def group(self, segment: Segment) -> float:
        """Normal band: contacts of a smaller group go first, equal groups by place."""
        ...

    def slack(self, segment: Segment) -> float:
        """At risk once the deadline is at most this far ahead; ``NEVER_AT_RISK`` for no at-risk band."""
        ...

    def yield_for(self, segment: Segment) -> float:
        """How long past its deadline a late contact gives way to on-time ones; 0 for never."""
        ...


@dataclass(frozen=True, slots=True)
class HoldlessOrdering:
    """Priority first, but a contact near its segment's floor overtakes everyone not yet at risk; where
    segments compete, a contact already past its target gives way to on-time ones, for a bounded time."""

    at_risk_fraction: float
    late_yield_factor: float = 1.0
    competing: frozenset[Segment] = frozenset()  # segments of queues that have more than one
    name: str = "holdless"

    def yield_for(self, segment: Segment) -> float:
        if segment not in self.competing or self.late_yield_factor <= 1.0:
            return 0.0
        return (self.late_yield_factor - 1.0) * segment.target_seconds

    def group(self, segment: Segment) -> float:
        return -float(segment.priority)

    def slack(self, segment: Segment) -> float:
        # at risk from place + θ·T on: the deadline place + T is then (1 − θ)·T away or less
        return segment.target_seconds - self.at_risk_fraction * segment.target_seconds


@dataclass(frozen=True, slots=True)
class FifoOrdering:
    """Oldest place first, whatever the segment."""

    name: str = "fifo"

    def group(self, segment: Segment) -> float:
        return 0.0

    def slack(self, segment: Segment) -> float:
        return NEVER_AT_RISK

    def yield_for(self, segment: Segment) -> float:
        return 0.0


@dataclass(frozen=True, slots=True)
class StrictPriorityOrdering:
    """Higher priority always first, oldest first within a priority. Can starve low segments."""

    name: str = "strict-priority"

    def group(self, segment: Segment) -> float:
        return -float(segment.priority)

    def slack(self, segment: Segment) -> float:
        return NEVER_AT_RISK

    def yield_for(self, segment: Segment) -> float:
        return 0.0


ORDERING_POLICIES: Mapping[str, Callable[[RoutingConfig], OrderingPolicy]] = MappingProxyType(
    {
        "holdless": lambda config: HoldlessOrdering(
            at_risk_fraction=config.at_risk_fraction,
            late_yield_factor=config.late_yield_factor,
            competing=_competing_segments(config),
        ),
        "fifo": lambda config: FifoOrdering(),
        "strict-priority": lambda config: StrictPriorityOrdering(),
    }
)


def _competing_segments(config: RoutingConfig) -> frozenset[Segment]:
    groups = (config.segments, *config.queue_segments.values())
    return frozenset(segment for segments in groups if len(segments) > 1 for segment in segments)


def ordering_policy(config: RoutingConfig) -> OrderingPolicy:
    try:
        return ORDERING_POLICIES[config.policy](config)
    except KeyError:
        known = ", ".join(sorted(ORDERING_POLICIES))
        raise ValueError(f"unknown routing policy {config.policy!r}; known: {known}") from None


# An agent selection rule ranks free agents: smaller key gets the contact. Arguments: conversations and
# offers the agent holds on all channels, those on the contact's channel, capacity on that channel, and
# the time of the agent's last activity (last offer, last conversation end, or becoming available).
AgentSelection = Callable[[int, int, int, float], tuple[float, float]]


def longest_idle(
    active_total: int, active_on_channel: int, capacity: int, idle_since: float
) -> tuple[float, float]:
    """Agents with nothing on their hands first, longest without activity first; then busy ones likewise."""
    return (0.0 if active_total == 0 else 1.0, idle_since)


def least_occupied(
    active_total: int, active_on_channel: int, capacity: int, idle_since: float
) -> tuple[float, float]:
    """Lowest share of the channel's capacity in use first; ties go to the longest without activity."""
    return (active_on_channel / capacity, idle_since)


AGENT_SELECTIONS: Mapping[str, AgentSelection] = MappingProxyType(
    {"longest-idle": longest_idle, "least-occupied": least_occupied}
)


def agent_selection(config: RoutingConfig) -> AgentSelection:
    try:
        return AGENT_SELECTIONS[config.agent_selection]
    except KeyError:
        known = ", ".join(sorted(AGENT_SELECTIONS))
        raise ValueError(f"unknown agent selection {config.agent_selection!r}; known: {known}") from None
