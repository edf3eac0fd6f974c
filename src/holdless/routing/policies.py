"""Named rules: in which order waiting contacts are served, and which free agent gets the next one.

Every ordering policy is a *two-band* rule over a contact's ``place`` (the time it is treated as having
joined the line: its enqueue time, earlier if angry, see ``docs/routing.md``):

* the **normal band** is ordered by a static key ``normal_order(segment, place)``;
* from ``at_risk_from(segment, place)`` on (None: never) the contact is in the **at-risk band**, which
  is served before the normal band and ordered by ``deadline(segment, place)`` (earliest first).

Both keys are fixed once the place is known, and within a segment they grow with the place, so the
engine keeps contacts in static heaps and only moves a contact once, when it crosses into the at-risk band.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

from holdless.routing.config import RoutingConfig, Segment


class OrderingPolicy(Protocol):
    @property
    def name(self) -> str: ...

    def normal_order(self, segment: Segment, place: float) -> tuple[float, float]:
        """Smaller is served first."""
        ...

    def at_risk_from(self, segment: Segment, place: float) -> float | None: ...

    def deadline(self, segment: Segment, place: float) -> float: ...


@dataclass(frozen=True, slots=True)
class HoldlessOrdering:
    """Priority first, but a contact near its segment's floor overtakes everyone not yet at risk."""

    at_risk_fraction: float
    name: str = "holdless"

    def normal_order(self, segment: Segment, place: float) -> tuple[float, float]:
        return (-float(segment.priority), place)

    def at_risk_from(self, segment: Segment, place: float) -> float | None:
        return place + self.at_risk_fraction * segment.target_seconds

    def deadline(self, segment: Segment, place: float) -> float:
        return place + segment.target_seconds


@dataclass(frozen=True, slots=True)
class FifoOrdering:
    """Oldest place first, whatever the segment."""

    name: str = "fifo"

    def normal_order(self, segment: Segment, place: float) -> tuple[float, float]:
        return (0.0, place)

    def at_risk_from(self, segment: Segment, place: float) -> float | None:
        return None

    def deadline(self, segment: Segment, place: float) -> float:
        return place + segment.target_seconds


@dataclass(frozen=True, slots=True)
class StrictPriorityOrdering:
    """Higher priority always first, oldest first within a priority. Can starve low segments."""

    name: str = "strict-priority"

    def normal_order(self, segment: Segment, place: float) -> tuple[float, float]:
        return (-float(segment.priority), place)

    def at_risk_from(self, segment: Segment, place: float) -> float | None:
        return None

    def deadline(self, segment: Segment, place: float) -> float:
        return place + segment.target_seconds


ORDERING_POLICIES: Mapping[str, Callable[[RoutingConfig], OrderingPolicy]] = MappingProxyType(
    {
        "holdless": lambda config: HoldlessOrdering(at_risk_fraction=config.at_risk_fraction),
        "fifo": lambda config: FifoOrdering(),
        "strict-priority": lambda config: StrictPriorityOrdering(),
    }
)


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
