"""Every queue's line: where a contact stands, in which band, what to publish.

A contact's *place* is the time it counts as having joined: its enqueue time, earlier when angry, and
for a due callback aimed at the promise's window (see ``callbacks.callback_place``); its *deadline* is
place + the segment's target. Each queue keeps one ``OrderedLine`` per segment, sorted by (deadline,
place, enqueued_at, id). Nothing moves when time passes: the ordering policy's two bands are applied when
a rank is counted or the line is walked, at the ``now`` of the call —

* at risk (deadline − now ≤ the segment's slack): key ``(0, deadline, place, enqueued_at, id)``;
* normal: key ``(1, group, place, enqueued_at, id)``;

and since both keys grow with the place within a segment, the at-risk contacts of a segment are a prefix
of its line. A position is a few rank queries (two per segment), a publication pass one merge of the lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from heapq import heappush
from itertools import chain
from operator import itemgetter

from holdless.routing import callbacks
from holdless.routing.config import RoutingConfig, Segment
from holdless.routing.estimates import HandleTimes, rounded_wait
from holdless.routing.lines import LineKey
from holdless.routing.model import PositionUpdate
from holdless.routing.policies import NEVER_AT_RISK, OrderingPolicy
from holdless.routing.state import QueueLine, RoutedContact, SegmentLine, position_update

_BY_PLACE = itemgetter(1, 2, 3)
_NEVER = NEVER_AT_RISK


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

    def lane(self, queue: QueueLine, segment: Segment) -> SegmentLine:
        lane = queue.lanes.get(id(segment))
        if lane is None:
            policy = self._policy
            lane = queue.lanes[id(segment)] = SegmentLine(
                segment, policy.group(segment), policy.slack(segment), policy.yield_for(segment)
            )
            queue.at_risk = ()
        return lane

    def place_of(self, contact: RoutedContact) -> float:
        place = contact.enqueued_at
        promise = contact.callback
        if promise is not None:
            place = callbacks.callback_place(promise, contact.segment, place, self._config)
        if contact.angry:
            place -= self._config.anger_boost_seconds
        return place

    def enter(self, contact: RoutedContact) -> None:
        """Put the contact at the place the policy gives it (the same one again after a decline)."""
        segment = contact.segment
        place = contact.place = (
            self.place_of(contact) if contact.angry or contact.callback else contact.enqueued_at
        )
        contact.epoch += 1
        key = (place + segment.target_seconds, place, contact.enqueued_at, contact.id)
        contact.line_key = key
        queue = contact.queue
        lane = queue.lanes.get(id(segment))
        if lane is None:
            lane = self.lane(queue, segment)
        contact.lane = lane
        lane.line.add(key)
        self.dirty.add(queue.id)

    def leave(self, contact: RoutedContact) -> None:
        key = contact.line_key
        if key is not None:
            lane = contact.lane
            assert lane is not None
            lane.line.remove(key)
            contact.line_key = None
            contact.lane = None
            contact.epoch += 1
            self.dirty.add(contact.queue.id)

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
        slots = contact.profile.slots
        if slots <= 0:
            return position, None
        wait = position * self._handle_times.mean(contact.queue.id) / slots  # estimates.expected_wait
        granularity = self._config.wait_granularity_seconds
        if granularity > 0:  # estimates.rounded_wait
            wait = max(granularity, float(round(wait / granularity)) * granularity)
        return position, wait

    def position(self, contact: RoutedContact, now: float) -> int | None:
        """1 + the contacts of the queue whose band key at ``now`` is smaller: a few rank queries.

        Per segment line: its at-risk prefix (``due``) and, in the same band, those with a smaller key.
        A contact joining at the back of its segment (the usual case) needs no search in its own line.
        """
        key = contact.line_key
        own = contact.lane
        if key is None or own is None:
            return None
        before = 0
        if key[0] <= now + own.slack:  # at risk: behind the at-risk contacts with an earlier key
            for lane in contact.queue.lanes.values():
                line = lane.line
                if line._len:
                    due = line.count_due(now + lane.slack)
                    if due:
                        ahead = line.rank(key)
                        before += due if due < ahead else ahead
            return before + 1
        group = own.group
        for lane in contact.queue.lanes.values():
            line = lane.line
            size = line._len
            if not size:
                continue
            if lane.group < group:
                before += size
            elif lane.group > group:
                if lane.slack != _NEVER:
                    before += line.count_due(now + lane.slack)
            else:
                if lane is own:
                    ahead = size if key > line._maxes[-1] else line.rank(key)  # joined at the back?
                else:
                    ahead = line.rank((key[1] + lane.segment.target_seconds, *key[1:]))
                if ahead < size and lane.slack != _NEVER:
                    due = line.count_due(now + lane.slack)
                    before += due if ahead < due else ahead
                else:
                    before += ahead
        return before + 1

    def serving_order(self, queue: QueueLine, now: float) -> list[LineKey]:
        """The queue's line in the order the policy would serve it at ``now``: one merge of its lanes."""
        lanes = queue.lanes.values()
        if len(lanes) == 1:
            return next(iter(lanes)).line.keys()
        at_risk: list[LineKey] = []
        groups: dict[float, list[list[LineKey]]] = {}
        for lane in lanes:
            keys = lane.line.keys()
            due = lane.line.count_due(now + lane.slack) if lane.slack != _NEVER and keys else 0
            if due:
                at_risk += keys[:due]
                keys = keys[due:]
            groups.setdefault(lane.group, []).append(keys)
        at_risk.sort()  # runs already sorted by (deadline, place, ...): a merge
        for group in sorted(groups):
            runs = groups[group]
            at_risk += runs[0] if len(runs) == 1 else sorted(chain.from_iterable(runs), key=_BY_PLACE)
        return at_risk

    def at_risk_counts(self, queue: QueueLine, now: float) -> tuple[int, ...]:
        return tuple(
            lane.line.count_due(now + lane.slack) if lane.slack != _NEVER else 0
            for lane in queue.lanes.values()
        )

    def publish(self, contacts: Mapping[str, RoutedContact], now: float) -> list[PositionUpdate]:
        """Figures worth re-telling, for every queue that changed: one walk over each changed line.

        A queue changed if a contact joined or left it since the last pass, or if a contact crossed
        into the at-risk band (its segment's at-risk count moved while nobody joined or left).
        """
        out: list[PositionUpdate] = []
        config = self._config
        granularity, share, exact = (
            config.wait_granularity_seconds,
            config.republish_share,
            config.exact_positions,
        )
        dirty = self.dirty
        for queue in self.queues.values():
            at_risk = self.at_risk_counts(queue, now)
            if at_risk != queue.at_risk:
                queue.at_risk = at_risk
                dirty.add(queue.id)
        for queue_id in sorted(dirty):
            queue = self.queues[queue_id]
            mean = self._handle_times.mean(queue_id)
            for position, key in enumerate(self.serving_order(queue, now), start=1):
                contact = contacts[key[3]]
                slots = contact.profile.slots
                wait = rounded_wait(position * mean / slots, granularity) if slots > 0 else None
                told = contact.published
                if told is None or (
                    (told[0] != position or told[1] != wait)
                    and worth_retelling(told, position, wait, share, exact)
                ):
                    contact.published = (position, wait)
                    out.append(position_update(contact.id, position, wait))
        dirty.clear()
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
