"""Every queue's line: where a contact stands, when it crosses into the at-risk band, what to publish.

A contact's *place* is the time it counts as having joined: its enqueue time, earlier when angry, and
for a due callback aimed at the promise's window (see ``callbacks.callback_place``). The ordering policy
turns the place into a line key; the line keys of a queue are kept sorted in an ``OrderedLine``, so a
position is a rank query and a publication pass is one walk over the line.
"""

from __future__ import annotations

from collections.abc import Mapping
from heapq import heappush

from holdless.routing import callbacks
from holdless.routing.config import RoutingConfig
from holdless.routing.estimates import HandleTimes, expected_wait, rounded_wait
from holdless.routing.lines import LineKey
from holdless.routing.model import PositionUpdate
from holdless.routing.policies import OrderingPolicy
from holdless.routing.state import QueueLine, RoutedContact


class QueueLines:
    __slots__ = ("_config", "_handle_times", "_policy", "dirty", "queues")

    def __init__(self, config: RoutingConfig, policy: OrderingPolicy, handle_times: HandleTimes) -> None:
        self._config = config
        self._policy = policy
        self._handle_times = handle_times
        self.queues: dict[str, QueueLine] = {}
        self.dirty: set[str] = set()  # queues whose positions or waits may have changed since published

    def queue(self, queue_id: str) -> QueueLine:
        queue = self.queues.get(queue_id)
        if queue is None:
            queue = self.queues[queue_id] = QueueLine(queue_id)
        return queue

    def place_of(self, contact: RoutedContact) -> float:
        place = contact.enqueued_at
        promise = contact.callback
        if promise is not None:
            place = callbacks.callback_place(promise, contact.segment, place, self._config)
        if contact.angry:
            place -= self._config.anger_boost_seconds
        return place

    def enter(self, contact: RoutedContact, now: float) -> float | None:
        """Put the contact at the place the policy gives it (the same one again after a decline).

        Returns when it will cross into the at-risk band, for the caller to set a timer; None if never
        or if it is at risk already.
        """
        segment = contact.segment
        place = contact.place = self.place_of(contact)
        contact.epoch += 1
        policy = self._policy
        at_risk_from = policy.at_risk_from(segment, place)
        key: LineKey
        if at_risk_from is not None and at_risk_from <= now:
            key = (0.0, policy.deadline(segment, place), 0.0, contact.enqueued_at, contact.id)
            at_risk_from = None
        else:
            first, second = policy.normal_order(segment, place)
            key = (1.0, first, second, contact.enqueued_at, contact.id)
        contact.line_key = key
        contact.queue.line.add(key)
        self.dirty.add(contact.queue.id)
        return at_risk_from

    def leave(self, contact: RoutedContact) -> None:
        if contact.line_key is not None:
            contact.queue.line.remove(contact.line_key)
            contact.line_key = None
            contact.epoch += 1
            self.dirty.add(contact.queue.id)

    def cross_into_risk(self, contact: RoutedContact) -> None:
        key = (
            0.0,
            self._policy.deadline(contact.segment, contact.place),
            0.0,
            contact.enqueued_at,
            contact.id,
        )
        self.leave(contact)
        contact.line_key = key
        contact.queue.line.add(key)

    def start_waiting(self, contact: RoutedContact) -> None:
        """Count the contact as waiting (in line or offered) for the wallboard and the longest wait."""
        queue = contact.queue
        name = contact.segment.name
        queue.waiting[name] = queue.waiting.get(name, 0) + 1
        contact.visit += 1
        heappush(
            queue.oldest.setdefault(name, []), (contact.enqueued_at, contact.ticket, contact.visit, contact)
        )

    def stop_waiting(self, contact: RoutedContact) -> None:
        contact.queue.waiting[contact.segment.name] -= 1
        contact.visit += 1

    def figures(self, contact: RoutedContact, position: int) -> tuple[int, float | None]:
        wait = expected_wait(position, self._handle_times.mean(contact.queue.id), contact.profile.slots)
        return position, rounded_wait(wait, self._config.wait_granularity_seconds)

    def position(self, contact: RoutedContact) -> int | None:
        key = contact.line_key
        return None if key is None else contact.queue.line.rank(key) + 1

    def publish(self, contacts: Mapping[str, RoutedContact]) -> list[PositionUpdate]:
        """Figures worth re-telling, for every dirty queue: one walk over each changed line."""
        out: list[PositionUpdate] = []
        config = self._config
        granularity, share, exact = (
            config.wait_granularity_seconds,
            config.republish_share,
            config.exact_positions,
        )
        for queue_id in sorted(self.dirty):
            queue = self.queues[queue_id]
            mean = self._handle_times.mean(queue_id)
            for position, key in enumerate(queue.line, start=1):
                contact = contacts[key[4]]
                slots = contact.profile.slots
                wait = rounded_wait(position * mean / slots, granularity) if slots > 0 else None
                told = contact.published
                if told is None or (
                    (told[0] != position or told[1] != wait)
                    and worth_retelling(told, position, wait, share, exact)
                ):
                    contact.published = (position, wait)
                    out.append(PositionUpdate(contact.id, position, wait))
        self.dirty.clear()
        return out


def worth_retelling(
    told: tuple[int, float | None], position: int, wait: float | None, share: float, exact: int
) -> bool:
    """Whether new figures differ enough from what the customer was last told to send them."""
    told_position, told_wait = told
    if position != told_position and (
        position <= exact or abs(position - told_position) >= share * told_position
    ):
        return True
    if wait == told_wait:
        return False
    if wait is None or told_wait is None:
        return True
    return abs(wait - told_wait) >= share * told_wait
