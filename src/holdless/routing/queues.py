"""Queues and their customer segments, each segment with a priority and a service-level target."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from holdless.errors import Invalid
from holdless.ids import QueueId, WorkspaceId


@dataclass(frozen=True, slots=True)
class Segment:
    """E.g. premium: priority 10, 90% answered within 20 s; every segment keeps its floor."""

    name: str
    priority: int
    target_seconds: int
    service_level: float  # share answered within target_seconds, 0 < x <= 1


@dataclass(frozen=True, slots=True)
class Queue:
    id: QueueId
    workspace_id: WorkspaceId
    name: str
    skills: Mapping[str, int] = field(default_factory=dict)  # required skill -> minimum level
    languages: tuple[str, ...] = ()
    segments: tuple[Segment, ...] = ()

    def segment(self, name: str | None) -> Segment:
        """The named segment, or the lowest-priority one (everyone is owed the basic level)."""
        for segment in self.segments:
            if segment.name == name:
                return segment
        return min(self.segments, key=lambda s: s.priority)


DEFAULT_SEGMENTS = (
    Segment("premium", priority=10, target_seconds=20, service_level=0.9),
    Segment("standard", priority=1, target_seconds=60, service_level=0.8),
)


def validate_segments(segments: tuple[Segment, ...]) -> tuple[Segment, ...]:
    if not segments:
        raise Invalid("A queue needs at least one segment.", field="segments")
    names = [s.name for s in segments]
    if len(set(names)) != len(names):
        raise Invalid("Segment names must be unique within a queue.", field="segments")
    for s in segments:
        if not s.name or len(s.name) > 64:
            raise Invalid("A segment name is 1–64 characters.", field="segments")
        if not 0 < s.service_level <= 1 or s.target_seconds <= 0:
            raise Invalid(
                f"Segment '{s.name}' needs a service level in (0, 1] and a positive target in seconds.",
                field="segments",
            )
    return segments
