"""Builders for routing tests: short names for the events a contact center produces."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from holdless.routing import (
    AgentChanged,
    AgentState,
    ContactQueued,
    Decision,
    Offer,
    PositionUpdate,
    RoutingConfig,
    RoutingEngine,
    Segment,
)

PREMIUM = Segment("premium", priority=2, target_share=0.9, target_seconds=20.0)
STANDARD = Segment("standard", priority=1, target_share=0.8, target_seconds=60.0)


def engine(**config: Any) -> RoutingEngine:
    return RoutingEngine(replace(RoutingConfig(segments=(PREMIUM, STANDARD)), **config))


def agent(
    agent_id: str,
    *,
    skills: Mapping[str, int] | None = None,
    languages: Sequence[str] = ("en",),
    capacity: Mapping[str, int] | None = None,
    state: AgentState = AgentState.AVAILABLE,
) -> AgentChanged:
    return AgentChanged(
        agent_id,
        state,
        skills={"billing": 5} if skills is None else skills,
        languages=frozenset(languages),
        capacity={"voice": 1} if capacity is None else capacity,
    )


def contact(
    contact_id: str,
    *,
    queue: str = "support",
    segment: str = "standard",
    channel: str = "voice",
    skills: Mapping[str, int] | None = None,
    language: str | None = "en",
    sticky_agent: str | None = None,
    sticky_until: float | None = None,
) -> ContactQueued:
    return ContactQueued(
        contact_id,
        queue,
        segment,
        channel,
        skills={"billing": 1} if skills is None else skills,
        language=language,
        sticky_agent_id=sticky_agent,
        sticky_until=sticky_until,
    )


def offers(decisions: Sequence[Decision]) -> list[tuple[str, str]]:
    return [(d.contact_id, d.agent_id) for d in decisions if isinstance(d, Offer)]


def positions(decisions: Sequence[Decision]) -> dict[str, int]:
    return {d.contact_id: d.position for d in decisions if isinstance(d, PositionUpdate)}
