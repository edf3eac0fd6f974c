"""The engine's read side: a contact's place in line, waiting counts, longest waits, the supervisor snapshot.

Reads never change routing state (they only drop stale entries from the oldest-waiting heaps).
"""

from __future__ import annotations

from collections.abc import Mapping
from heapq import heappop

from holdless.routing.config import RoutingConfig, Segment
from holdless.routing.matching import Matcher
from holdless.routing.model import (
    AgentState,
    PlaceInLine,
    QueueFigures,
    RoutingSnapshot,
    SegmentServiceLevel,
)
from holdless.routing.placement import QueueLines
from holdless.routing.state import ENGAGED, OFFERED, PARKED, WAITING, QueueLine, RoutedContact

_STATUS = {WAITING: "waiting", OFFERED: "offered", PARKED: "scheduled", ENGAGED: "engaged"}


class RoutingReads:
    config: RoutingConfig
    _contacts: dict[str, RoutedContact]
    _lines: QueueLines
    _matcher: Matcher
    _callbacks: dict[str, RoutedContact]
    _callback_outcomes: dict[str, int]
    _service: dict[Segment, list[int]]
    _now: float

    def place_in_line(self, contact_id: str) -> PlaceInLine | None:
        """Position (1 = next) and expected wait, or None if the contact is not in a line right now."""
        contact = self._contacts.get(contact_id)
        position = (
            None if contact is None or contact.stage != WAITING else self._lines.position(contact, self._now)
        )
        if contact is None or position is None:
            return None
        return PlaceInLine(*self._lines.figures(contact, position))

    def contact_status(self, contact_id: str) -> str | None:
        """waiting (in line), offered, scheduled (callback not due yet), engaged, or None if unknown."""
        contact = self._contacts.get(contact_id)
        return None if contact is None else _STATUS[contact.stage]

    def line(self, queue_id: str) -> tuple[str, ...]:
        """Contact ids of the queue's line in serving order (O(n): for tests and supervisors)."""
        queue = self._lines.queues.get(queue_id)
        if queue is None:
            return ()
        return tuple(key[3] for key in self._lines.serving_order(queue, self._now))

    def queue_ids(self) -> tuple[str, ...]:
        return tuple(sorted(self._lines.queues))

    def waiting_counts(self) -> Mapping[tuple[str, str], int]:
        """Contacts waiting (in line or being offered) per (queue, segment)."""
        return {
            (queue.id, segment): count
            for queue in self._lines.queues.values()
            for segment, count in sorted(queue.waiting.items())
            if count
        }

    def longest_wait(self, now: float, queue_id: str | None = None, segment: str | None = None) -> float:
        """Longest current wait in seconds among waiting contacts, optionally of one queue and segment."""
        queues = (
            self._lines.queues.values()
            if queue_id is None
            else [self._lines.queues[queue_id]]
            if queue_id in self._lines.queues
            else []
        )
        longest = 0.0
        for queue in queues:
            for name in sorted(queue.oldest):
                if segment is None or name == segment:
                    oldest = self._oldest(queue, name)
                    if oldest is not None:
                        longest = max(longest, now - oldest)
        return longest

    def _oldest(self, queue: QueueLine, segment: str) -> float | None:
        heap = queue.oldest[segment]
        while heap:
            enqueued_at, _, visit, contact = heap[0]
            if contact.visit == visit and contact.stage in (WAITING, OFFERED) and contact.queue is queue:
                return enqueued_at
            heappop(heap)
        return None

    def agent_load(self, agent_id: str) -> Mapping[str, int]:
        """Conversations and pending offers the agent holds, per channel."""
        agent = self._matcher.agents.get(agent_id)
        return {} if agent is None else {channel: n for channel, n in agent.active.items() if n}

    def agent_capacity(self, agent_id: str) -> Mapping[str, int]:
        agent = self._matcher.agents.get(agent_id)
        return {} if agent is None else dict(agent.capacity)

    def snapshot(self, now: float) -> RoutingSnapshot:
        """The supervisor wallboard: waiting and longest wait per queue and segment, agents, callbacks, SL."""
        figures = []
        for queue_id in sorted(self._lines.queues):
            queue = self._lines.queues[queue_id]
            for name in sorted(queue.waiting):
                waiting = queue.waiting[name]
                if waiting:
                    oldest = self._oldest(queue, name)
                    longest = 0.0 if oldest is None else now - oldest
                    figures.append(QueueFigures(queue_id, name, waiting, longest))
        by_state = dict.fromkeys((state.value for state in AgentState), 0)
        offers = 0
        for agent in self._matcher.agents.values():
            by_state[agent.state.value] += 1
            offers += len(agent.offers)
        at_risk_from = now + self.config.callback_at_risk_seconds
        scheduled = sorted(
            self._callbacks.values(), key=lambda c: (c.callback.window_end if c.callback else 0.0, c.id)
        )
        at_risk = tuple(
            c.id for c in scheduled if c.callback is not None and c.callback.window_end <= at_risk_from
        )
        levels = tuple(
            SegmentServiceLevel(segment.name, segment.target_share, segment.target_seconds, *counts)
            for segment, counts in self._service.items()
        )
        return RoutingSnapshot(
            at=now,
            queues=tuple(figures),
            agents_by_state=by_state,
            offers_pending=offers,
            callbacks_scheduled=len(scheduled),
            callbacks_at_risk=at_risk,
            callbacks_kept=self._callback_outcomes["kept"],
            callbacks_broken=self._callback_outcomes["broken"],
            service_levels=levels,
        )
