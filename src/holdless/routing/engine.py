"""The routing engine: events and ``now`` in, decisions out. No I/O, no clock, no globals.

Invariant kept after every event: no available agent with free capacity is eligible for an offerable
contact. So a decision only ever looks at the contact that just became offerable (one heap of free
agents) or at the agent that just got room (one heap top per profile it serves) — never at the line.
See ``docs/routing.md`` for the ordering rule, the expected-wait formula and the guarantees.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

from holdless.routing import callbacks
from holdless.routing.callback_events import CallbackEvents
from holdless.routing.config import RoutingConfig, Segment
from holdless.routing.conversation_events import ConversationEvents
from holdless.routing.estimates import HandleTimes
from holdless.routing.matching import Matcher
from holdless.routing.model import (
    AgentChanged,
    AgentState,
    CallbackDue,
    CallbackNoAnswer,
    CallbackRequested,
    ContactLeft,
    ContactQueued,
    ConversationEnded,
    ConversationTransferred,
    CustomerAway,
    CustomerBack,
    Decision,
    Event,
    OfferAccepted,
    OfferDeclined,
    OfferExpired,
    OfferTimedOut,
    OfferWithdrawn,
    PositionUpdate,
    PriorityChanged,
    Rejected,
    Tick,
)
from holdless.routing.placement import QueueLines
from holdless.routing.policies import agent_selection, ordering_policy
from holdless.routing.reading import RoutingReads
from holdless.routing.state import (
    CALLBACK_DUE_TIMER,
    COOLDOWN_END_TIMER,
    ENGAGED,
    GONE,
    OFFERED,
    PARKED,
    STICKY_END_TIMER,
    WAITING,
    RoutedAgent,
    RoutedContact,
    offer,
    position_update,
)

_AVAILABLE = AgentState.AVAILABLE
_SHORT_ABANDON_SECONDS = 5.0  # the KPI definitions exclude abandons shorter than this

_NEVER = float("inf")

Timer = tuple[float, int, int, RoutedContact | None, RoutedAgent | None, int]
Out = list[Decision]


class RoutingEngine(ConversationEvents, CallbackEvents, RoutingReads):
    """Pure routing engine. ``decisions = engine.on_event(event, now)``; call ``tick(now)`` regularly."""

    def __init__(self, config: RoutingConfig | None = None) -> None:
        self.config = config or RoutingConfig()
        self._policy = ordering_policy(self.config)
        self._matcher = Matcher(agent_selection(self.config), self._policy)
        # segments (by id) the policy steers by measured attainment (holdless, competing segments)
        self._steered = {id(seg) for seg in self._all_segments() if self._policy.yield_for(seg) > 0}
        self._segments: dict[tuple[str, str], Segment] = {}
        self._contacts: dict[str, RoutedContact] = {}
        self._handle_times = HandleTimes(self.config.default_handle_seconds, self.config.handle_time_weight)
        self._lines = QueueLines(self.config, self._policy, self._handle_times)
        self._timers: list[Timer] = []
        # Offers all live for the same timeout, so they expire in the order made: a FIFO, not a heap.
        self._expiries: deque[tuple[float, RoutedContact, int]] = deque()
        self._timer_seq = 0
        self._serial = 0  # contacts ever queued
        self._next_publish = float("-inf")
        self._now = float("-inf")  # of the latest call: reads see the line as it stood then
        self._callbacks: dict[str, RoutedContact] = {}  # contacts whose promise is still open
        self._callback_outcomes = {callbacks.KEPT: 0, callbacks.BROKEN: 0}
        # per segment: answered, answered within target, abandoned after target
        self._service: dict[Segment, list[int]] = {segment: [0, 0, 0] for segment in self.config.segments}
        # the same lists by id of the segment: a frozen dataclass hashes its fields on every lookup
        self._service_of: dict[int, list[int]] = {id(seg): counts for seg, counts in self._service.items()}
        self._handlers: dict[type, Callable[[Any, float, Out], None]] = {
            ContactQueued: self._queued,
            AgentChanged: self._agent_changed,
            OfferAccepted: self._accepted,
            OfferDeclined: self._declined,
            OfferTimedOut: self._timed_out,
            ConversationEnded: self._ended,
            ConversationTransferred: self._transferred,
            CustomerAway: self._away,
            CustomerBack: self._back,
            CallbackRequested: self._callback_requested,
            CallbackDue: self._callback_due_now,
            CallbackNoAnswer: self._callback_no_answer,
            PriorityChanged: self._priority_changed,
            ContactLeft: self._left,
            Tick: self._tick,
        }

    def _all_segments(self) -> tuple[Segment, ...]:
        return (*self.config.segments, *(s for group in self.config.queue_segments.values() for s in group))

    # --- entry points -----------------------------------------------------------------------------

    def on_event(self, event: Event, now: float) -> list[Decision]:
        out: Out = []
        self._now = now
        if (self._timers and self._timers[0][0] <= now) or (self._expiries and self._expiries[0][0] <= now):
            self._run_timers(now, out)
        self._handlers[type(event)](event, now, out)
        return out

    def handle(self, event: Event, *, now: float) -> list[Decision]:
        return self.on_event(event, now)

    def tick(self, now: float) -> list[Decision]:
        return self.on_event(Tick(), now)

    def publish_positions(self, now: float) -> list[PositionUpdate]:
        """Positions and expected waits that changed since last published, for every queue that changed.

        O(waiting in the changed queues): ``Tick`` runs it every ``position_publish_seconds``, never
        per decision, so a shift of everyone behind a served contact costs nothing on the hot path.
        """
        updates = self._lines.publish(self._contacts, now)
        self._matcher.compact()
        return updates

    # --- contacts joining and leaving -------------------------------------------------------------

    def _queued(self, event: ContactQueued, now: float, out: Out) -> None:
        if event.contact_id in self._contacts:
            out.append(Rejected("ContactQueued", event.contact_id, "already queued"))
            return
        segment = self._segments.get((event.queue_id, event.segment))
        if segment is None:
            segment = self._segments[event.queue_id, event.segment] = self.config.segment(
                event.queue_id, event.segment
            )
            self._service_of[id(segment)] = self._service.setdefault(segment, [0, 0, 0])
        profile = self._matcher.profile(event.channel, event.language, event.skills)
        enqueued_at = now if event.enqueued_at is None else event.enqueued_at
        self._serial += 1
        queue = self._lines.queue(event.queue_id)
        contact = RoutedContact(event.contact_id, queue, segment, profile, enqueued_at, self._serial)
        contact.customer_id = event.customer_id
        self._contacts[contact.id] = contact
        if event.sticky_agent_id is not None and event.sticky_until is not None:
            self._hold_for(contact, event.sticky_agent_id, event.sticky_until, now)
        self._lines.start_waiting(contact)
        self._enter_line(contact, now)
        self._make_offerable(contact, now, out)
        self._tell_place(contact, out)

    def _left(self, event: ContactLeft, now: float, out: Out) -> None:
        contact = self._contacts.get(event.contact_id)
        if contact is None:
            out.append(Rejected("ContactLeft", event.contact_id, "unknown contact"))
            return
        if contact.stage == ENGAGED:
            self._ended(ConversationEnded(contact.id), now, out)
            return
        stage, agent = contact.stage, contact.agent
        if stage in (WAITING, OFFERED):
            self._count_abandon(contact, now)
            self._lines.stop_waiting(contact)
        if stage == WAITING:
            self._lines.leave(contact)
        if stage == OFFERED and agent is not None:
            out.append(OfferWithdrawn(contact.id, agent.id, "contact left"))
            self._release(contact, agent)
        self._close_promise(contact, callbacks.BROKEN, now, out, reason="withdrawn")
        self._forget(contact)
        if stage == OFFERED and agent is not None:
            self._feed(agent, now, out)

    def _away(self, event: CustomerAway, now: float, out: Out) -> None:
        contact = self._contacts.get(event.contact_id)
        if contact is None:
            out.append(Rejected("CustomerAway", event.contact_id, "unknown contact"))
            return
        contact.away = True
        contact.ticket += 1  # out of the offer heaps; the line keeps its place

    def _back(self, event: CustomerBack, now: float, out: Out) -> None:
        contact = self._contacts.get(event.contact_id)
        if contact is None:
            out.append(Rejected("CustomerBack", event.contact_id, "unknown contact"))
            return
        contact.away = False
        if (
            event.channel is not None
            and event.channel != contact.channel
            and contact.stage in (WAITING, PARKED)
        ):
            self._switch_channel(contact, event.channel)
        if contact.stage == WAITING:
            self._make_offerable(contact, now, out)
            self._tell_place(contact, out)

    def _priority_changed(self, event: PriorityChanged, now: float, out: Out) -> None:
        contact = self._contacts.get(event.contact_id)
        if contact is None:
            out.append(Rejected("PriorityChanged", event.contact_id, "unknown contact"))
            return
        if contact.angry == event.angry:
            return
        contact.angry = event.angry
        if contact.stage == WAITING:
            self._lines.leave(contact)
            self._enter_line(contact, now)
            if not contact.away:
                self._make_offerable(contact, now, out)

    # --- offers -----------------------------------------------------------------------------------

    def _accepted(self, event: OfferAccepted, now: float, out: Out) -> None:
        contact = self._offered(event.contact_id, event.agent_id, "OfferAccepted", out)
        if contact is None or contact.agent is None:
            return
        del contact.agent.offers[contact.id]
        contact.stage = ENGAGED
        contact.accepted_at = now
        contact.ticket += 1  # the expiry timer no longer applies
        self._lines.stop_waiting(contact)
        promise = contact.callback
        if promise is not None:
            promise.attempt_started_at = now
        else:
            figures = self._service_of[id(contact.segment)]
            figures[0] += 1
            in_target = now - contact.enqueued_at <= contact.segment.target_seconds
            if in_target:
                figures[1] += 1
            if id(contact.segment) in self._steered:
                self._matcher.record_outcome(
                    contact.segment, in_target, self.config.attainment_weight, self.config.attainment_margin
                )

    def _declined(self, event: OfferDeclined, now: float, out: Out) -> None:
        contact = self._offered(event.contact_id, event.agent_id, "OfferDeclined", out)
        if contact is not None:
            self._return_offer(contact, now, out)

    def _timed_out(self, event: OfferTimedOut, now: float, out: Out) -> None:
        contact = self._offered(event.contact_id, event.agent_id, "OfferTimedOut", out)
        if contact is not None:
            out.append(OfferExpired(contact.id, event.agent_id))
            self._return_offer(contact, now, out)

    def _offered(self, contact_id: str, agent_id: str, name: str, out: Out) -> RoutedContact | None:
        contact = self._contacts.get(contact_id)
        if (
            contact is None
            or contact.stage != OFFERED
            or contact.agent is None
            or contact.agent.id != agent_id
        ):
            out.append(Rejected(name, contact_id, f"no pending offer to agent {agent_id!r}"))
            return None
        return contact

    def _offer(
        self, contact: RoutedContact, agent: RoutedAgent, now: float, out: Out, *, refresh: bool
    ) -> None:
        if contact.stage == WAITING and contact.line_key is not None:
            lane = contact.lane
            assert lane is not None
            lane.line.remove(contact.line_key)  # QueueLines.leave, inlined on the hot path
            contact.line_key = contact.lane = None
            contact.epoch += 1
            self._lines.dirty.add(contact.queue.id)
        contact.ticket += 1
        contact.stage = OFFERED
        contact.agent = agent
        expires = now + self.config.offer_timeout_seconds
        contact.offer_expires = expires
        channel = contact.channel
        agent.active[channel] = agent.active.get(channel, 0) + 1
        agent.active_total += 1
        agent.idle_since = now
        agent.offers[contact.id] = contact
        if refresh:
            self._matcher.agent_changed(agent)
        self._expiries.append((expires, contact, contact.ticket))
        out.append(offer(contact.id, agent.id, expires))

    def _return_offer(self, contact: RoutedContact, now: float, out: Out, *, cooldown: bool = True) -> None:
        """Decline, timeout or withdrawal: the contact goes back to the place it had, the agent gets room."""
        agent = contact.agent
        assert agent is not None
        self._release(contact, agent)
        contact.stage = WAITING
        if contact.sticky_agent == agent.id:
            contact.sticky_agent = None
        if cooldown and self.config.decline_cooldown_seconds > 0:
            until = now + self.config.decline_cooldown_seconds
            agent.cooldown[contact.id] = until
            self._timer(until, COOLDOWN_END_TIMER, None, agent, 0)
        self._enter_line(contact, now)
        self._make_offerable(contact, now, out)
        if agent.state is _AVAILABLE:
            self._feed(agent, now, out)

    def _release(self, contact: RoutedContact, agent: RoutedAgent) -> None:
        agent.offers.pop(contact.id, None)
        agent.active[contact.channel] -= 1
        agent.active_total -= 1
        contact.agent = None
        contact.ticket += 1

    def _make_offerable(self, contact: RoutedContact, now: float, out: Out) -> None:
        """Offer a waiting contact to the best free agent, or file it where agents will find it."""
        if contact.away:
            return
        if contact.sticky_agent is not None:
            agent: RoutedAgent | None = self._matcher.agents[contact.sticky_agent]
            if agent is None or agent.state is not _AVAILABLE or not agent.has_room(contact.channel):
                agent = None
        else:
            agent = self._matcher.pick_agent(contact, now)
        if agent is not None:
            self._offer(contact, agent, now, out, refresh=True)
        else:
            self._matcher.file_contact(contact)

    def _feed(self, agent: RoutedAgent, now: float, out: Out) -> None:
        """The agent has room: offer it the contacts it should take next; list it as free if room is left."""
        if agent.state is _AVAILABLE:
            pick = self._matcher.pick_contact
            for channel, capacity in agent.capacity.items():
                while agent.active.get(channel, 0) < capacity:
                    contact = pick(agent, channel, now)
                    if contact is None:
                        break
                    self._offer(contact, agent, now, out, refresh=False)
        self._matcher.agent_changed(agent)

    # --- agents -----------------------------------------------------------------------------------

    def _agent_changed(self, event: AgentChanged, now: float, out: Out) -> None:
        agent = self._matcher.agents.get(event.agent_id)
        if agent is None:
            agent = RoutedAgent(event.agent_id, now)
            self._matcher.agents[agent.id] = agent
        if event.state is _AVAILABLE and agent.state is not _AVAILABLE:
            agent.idle_since = now
        self._matcher.update_agent(agent, event.state, event.skills, event.languages, event.capacity)
        if agent.state is not _AVAILABLE:
            for contact in list(agent.offers.values()):
                out.append(OfferWithdrawn(contact.id, agent.id, f"agent {agent.state.value}"))
                self._return_offer(contact, now, out, cooldown=False)
        for held in agent.sticky.values():
            for entry in held:
                contact = entry[5]
                if entry[4] == contact.ticket and (
                    agent.state is not _AVAILABLE or agent.id not in contact.profile.agents
                ):
                    contact.sticky_agent = None
                    self._make_offerable(contact, now, out)
        self._lines.dirty.update(self._lines.queues)  # slots changed, so expected waits may have
        self._feed(agent, now, out)

    # --- time -------------------------------------------------------------------------------------

    def _tick(self, event: Tick, now: float, out: Out) -> None:
        if now >= self._next_publish:
            self._next_publish = now + self.config.position_publish_seconds
            out.extend(self.publish_positions(now))

    def _timer(
        self, at: float, kind: int, contact: RoutedContact | None, agent: RoutedAgent | None, token: int
    ) -> None:
        self._timer_seq += 1
        heappush(self._timers, (at, self._timer_seq, kind, contact, agent, token))

    def _run_timers(self, now: float, out: Out) -> None:
        timers, expiries = self._timers, self._expiries
        while True:
            heap_at = timers[0][0] if timers else _NEVER
            if expiries and expiries[0][0] <= now and expiries[0][0] <= heap_at:
                _, offered, ticket = expiries.popleft()
                if offered.stage == OFFERED and offered.ticket == ticket and offered.agent is not None:
                    out.append(OfferExpired(offered.id, offered.agent.id))
                    self._return_offer(offered, now, out)
                continue
            if heap_at > now:
                return
            at, _, kind, contact, agent, token = heappop(timers)
            if contact is not None:
                if contact.stage == GONE:
                    continue
                if kind == STICKY_END_TIMER:
                    if contact.sticky_agent is not None and contact.sticky_until <= now:
                        contact.sticky_agent = None
                        if contact.stage == WAITING:
                            self._make_offerable(contact, now, out)
                elif kind == CALLBACK_DUE_TIMER:
                    if contact.stage == PARKED and contact.epoch == token:
                        self._callback_becomes_due(contact, now, out)
                else:
                    self._callback_timer(contact, kind, at, now, out)
            elif agent is not None:  # cooldown over: the agent may take contacts it declined
                agent.cooldown = {cid: until for cid, until in agent.cooldown.items() if until > now}
                self._feed(agent, now, out)

    # --- the line ---------------------------------------------------------------------------------

    def _enter_line(self, contact: RoutedContact, now: float) -> None:
        self._lines.enter(contact)

    def _count_abandon(self, contact: RoutedContact, now: float) -> None:
        waited = now - contact.enqueued_at
        if (
            contact.callback is None
            and waited >= _SHORT_ABANDON_SECONDS
            and waited > contact.segment.target_seconds
        ):
            self._service_of[id(contact.segment)][2] += 1
            if id(contact.segment) in self._steered:
                self._matcher.record_outcome(
                    contact.segment, False, self.config.attainment_weight, self.config.attainment_margin
                )

    def _forget(self, contact: RoutedContact) -> None:
        contact.stage = GONE
        contact.ticket += 1
        contact.agent = None
        self._callbacks.pop(contact.id, None)
        del self._contacts[contact.id]

    def _hold_for(self, contact: RoutedContact, agent_id: str, until: float, now: float) -> None:
        """Keep the contact for its sticky agent, but only if that agent could take it at all."""
        agent = self._matcher.agents.get(agent_id)
        if (
            until <= now
            or agent is None
            or agent.state is not _AVAILABLE
            or agent.id not in contact.profile.agents
        ):
            return
        contact.sticky_agent = agent.id
        contact.sticky_until = min(until, now + self.config.sticky_max_seconds)
        self._timer(contact.sticky_until, STICKY_END_TIMER, contact, None, 0)

    def _switch_channel(self, contact: RoutedContact, channel: str) -> None:
        contact.profile = self._matcher.profile(channel, contact.language, dict(contact.skills))
        contact.channel = channel
        contact.ticket += 1
        if contact.sticky_agent is not None and contact.sticky_agent not in contact.profile.agents:
            contact.sticky_agent = None

    def _tell_place(self, contact: RoutedContact, out: Out) -> None:
        """Publish a contact's own figures at once when it (re)joins the line; others wait for the cadence."""
        position = self._lines.position(contact, self._now) if contact.stage == WAITING else None
        if position is not None:
            figures = self._lines.figures(contact, position)
            if figures != contact.published:
                contact.published = figures
                out.append(position_update(contact.id, position, figures[1]))
