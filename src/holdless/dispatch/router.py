"""One workspace's routing: the engine plus what is needed to translate stored events into engine events.

Agents and conversations the engine did not route itself (assigned by a supervisor, or assigned before a
restart) are counted as *outside load*: the agent's capacity told to the engine is reduced by them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from holdless.agents.model import AgentProfile, AgentState
from holdless.conversations import events as ev
from holdless.conversations.model import Channel, Conversation, Status
from holdless.events import Event
from holdless.ids import QueueId, UserId, WorkspaceId
from holdless.routing import model as rt
from holdless.routing.callback_actions import CALLBACK_NO_ANSWER, CALLBACK_REQUESTED
from holdless.routing.config import RoutingConfig, Segment
from holdless.routing.engine import RoutingEngine
from holdless.routing.offer_actions import OFFER_ACCEPTED, OFFER_DECLINED
from holdless.routing.queues import DEFAULT_SEGMENTS, Queue
from holdless.routing.queues import Segment as QueueSegment

# Event types the router reads; everything else in the log is skipped (messages above all).
ROUTING_EVENT_TYPES = frozenset(
    {
        ev.QUEUED,
        ev.ASSIGNED,
        ev.TRANSFERRED,
        ev.AWAY,
        ev.BACK,
        ev.ABANDONED,
        ev.RESOLVED,
        ev.REOPENED,
        ev.PRIORITY_CHANGED,
        OFFER_ACCEPTED,
        OFFER_DECLINED,
        CALLBACK_REQUESTED,
        CALLBACK_NO_ANSWER,
        "agent.state_changed",
        "agent.profile_updated",
        "queue.created",
        "queue.updated",
    }
)
RESTART_EVENT_TYPES = frozenset({"queue.created", "queue.updated"})

# A customer who comes back within this long is first offered to the agent who helped them last, who
# is held for them at most STICKY_HOLD_SECONDS (the engine bounds it again by sticky_max_seconds).
STICKY_WINDOW_SECONDS = 1800.0
STICKY_HOLD_SECONDS = 30.0

_STATES = {
    AgentState.AVAILABLE: rt.AgentState.AVAILABLE,
    AgentState.AWAY: rt.AgentState.AWAY,
    AgentState.OFFLINE: rt.AgentState.OFFLINE,
}


def queue_skill(queue_id: str) -> str:
    """Queue membership as a skill: an agent is offered a queue's contacts only if it belongs to it."""
    return f"queue:{queue_id}"


def engine_segments(queue: Queue) -> tuple[Segment, ...]:
    return tuple(
        Segment(s.name, s.priority, target_share=s.service_level, target_seconds=float(s.target_seconds))
        for s in queue.segments
    )


# What a queue created with the default segments asks of the engine.
BASE_SEGMENTS = tuple(
    Segment(s.name, s.priority, target_share=s.service_level, target_seconds=float(s.target_seconds))
    for s in DEFAULT_SEGMENTS
)


def routing_config(queues: Iterable[Queue], base: RoutingConfig) -> RoutingConfig:
    segments: dict[str, tuple[Segment, ...]] = {
        queue.id: engine_segments(queue) for queue in queues if engine_segments(queue) != BASE_SEGMENTS
    }
    return RoutingConfig(
        segments=BASE_SEGMENTS,
        queue_segments=segments,
        policy=base.policy,
        agent_selection=base.agent_selection,
        offer_timeout_seconds=base.offer_timeout_seconds,
        decline_cooldown_seconds=base.decline_cooldown_seconds,
        sticky_max_seconds=base.sticky_max_seconds,
        at_risk_fraction=base.at_risk_fraction,
        anger_boost_seconds=base.anger_boost_seconds,
        callback_lead_seconds=base.callback_lead_seconds,
        callback_at_risk_seconds=base.callback_at_risk_seconds,
        callback_retry_seconds=base.callback_retry_seconds,
        callback_max_attempts=base.callback_max_attempts,
        default_handle_seconds=base.default_handle_seconds,
        position_publish_seconds=base.position_publish_seconds,
    )


def _ts(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.timestamp()
    return datetime.fromisoformat(str(value)).timestamp()


@dataclass
class WorkspaceRouter:
    workspace_id: WorkspaceId
    engine: RoutingEngine
    queues: dict[QueueId, Queue]
    agents: dict[UserId, AgentProfile]
    cursor: int = 0
    # Conversations the engine routed and an agent accepted: conversation -> agent.
    engaged: dict[str, str] = field(default_factory=dict)
    # Assigned conversations the engine did not route: conversation -> (agent, channel).
    outside: dict[str, tuple[str, str]] = field(default_factory=dict)
    # The channel of every contact the engine was told about (for outside load after a lost race).
    channels: dict[str, str] = field(default_factory=dict)
    # Callback attempts under way when the engine was restored: conversation -> start (None: too late).
    attempts: dict[str, float | None] = field(default_factory=dict)
    _settled: list[rt.Decision] = field(default_factory=list)
    # The agent who last resolved a conversation of the customer, and when (for the sticky preference).
    last_agent: dict[str, tuple[str, float]] = field(default_factory=dict)

    def take_settled(self) -> list[rt.Decision]:
        settled, self._settled = self._settled, []
        return settled

    def queue_changed(self, event: Event) -> bool:
        """Take a created or updated queue in place; False when its segments differ from the engine's."""
        data = event.data
        queue = Queue(
            id=QueueId(str(data["queue_id"])),
            workspace_id=self.workspace_id,
            name=str(data["name"]),
            skills=dict(data["skills"]),
            languages=tuple(data["languages"]),
            segments=tuple(QueueSegment(**s) for s in data["segments"]),
        )
        config = self.engine.config
        wanted = engine_segments(queue)
        if wanted != config.queue_segments.get(queue.id, config.segments):
            return False
        self.queues[queue.id] = queue
        return True

    # --- engine inputs -------------------------------------------------------------------------------

    def requirements(self, queue_id: str) -> Mapping[str, int]:
        queue = self.queues.get(QueueId(queue_id))
        skills = dict(queue.skills) if queue is not None else {}
        skills[queue_skill(queue_id)] = 1
        return skills

    def contact_queued(self, c: Conversation, *, enqueued_at: float | None) -> rt.ContactQueued:
        assert c.queue_id is not None
        queue = self.queues.get(c.queue_id)
        self.channels[c.id] = c.channel.value
        language = (
            c.language if queue is None or not queue.languages or c.language in queue.languages else None
        )
        sticky, until = None, None
        helped = self.last_agent.get(c.customer_id)
        joined = enqueued_at if enqueued_at is not None else _ts(c.queued_at)
        if helped is not None and joined is not None and joined - helped[1] <= STICKY_WINDOW_SECONDS:
            sticky, until = helped[0], joined + STICKY_HOLD_SECONDS
        return rt.ContactQueued(
            c.id,
            c.queue_id,
            c.segment or "",
            c.channel.value,
            self.requirements(c.queue_id),
            language,
            customer_id=c.customer_id,
            sticky_agent_id=sticky,
            sticky_until=until,
            enqueued_at=enqueued_at,
        )

    def joining(self, c: Conversation, *, enqueued_at: float | None) -> list[rt.Event]:
        """The contact takes its place; an angry one is told to the engine at once."""
        events: list[rt.Event] = [self.contact_queued(c, enqueued_at=enqueued_at)]
        if c.attributes.get("angry") == "yes":
            events.append(rt.PriorityChanged(c.id, True))
        return events

    def agent_changed(self, agent_id: str) -> rt.AgentChanged:
        profile = self.agents.get(UserId(agent_id))
        if profile is None:
            return rt.AgentChanged(agent_id, rt.AgentState.OFFLINE)
        busy = Counter(channel for agent, channel in self.outside.values() if agent == agent_id)
        skills = dict(profile.skills)
        skills.update({queue_skill(q): 1 for q in profile.queue_ids})
        return rt.AgentChanged(
            agent_id,
            _STATES[profile.state],
            skills,
            frozenset(profile.languages),
            {
                channel.value: max(0, slots - busy[channel.value])
                for channel, slots in profile.capacity.items()
            },
        )

    # --- stored events -> engine events -------------------------------------------------------------

    def translate(self, event: Event) -> list[rt.Event]:
        """The engine events a stored event means, updating the router's own books on the way."""
        kind, data = event.type, event.data
        if kind == "agent.state_changed":
            return self._agent_state(data)
        if kind == "agent.profile_updated":
            return self._agent_profile(data)
        if kind in (OFFER_ACCEPTED, OFFER_DECLINED):
            contact, agent = str(data["conversation_id"]), str(data["agent_id"])
            if kind == OFFER_DECLINED:
                return [rt.OfferDeclined(contact, agent)]
            self.engaged[contact] = agent
            return [rt.OfferAccepted(contact, agent)]
        if kind == CALLBACK_REQUESTED:
            start, end = _ts(data["window_start"]), _ts(data["window_end"])
            assert start is not None
            assert end is not None
            channel = str(data["channel"])
            return [rt.CallbackRequested(str(data["conversation_id"]), start, end, channel)]
        if kind == CALLBACK_NO_ANSWER:
            self.engaged.pop(str(data["conversation_id"]), None)
            return [rt.CallbackNoAnswer(str(data["conversation_id"]))]
        if "conversation" in data:
            return self._conversation(kind, data)
        return []

    def _profile(self, agent_id: UserId) -> AgentProfile:
        """The agent's profile as the router knows it; an agent created after the restore starts empty."""
        known = self.agents.get(agent_id)
        return known if known is not None else AgentProfile(agent_id, self.workspace_id, {}, (), {})

    def _agent_state(self, data: Mapping[str, Any]) -> list[rt.Event]:
        agent_id = UserId(str(data["agent_id"]))
        self.agents[agent_id] = replace(self._profile(agent_id), state=AgentState(str(data["state"])))
        return [self.agent_changed(agent_id)]

    def _agent_profile(self, data: Mapping[str, Any]) -> list[rt.Event]:
        agent_id = UserId(str(data["agent_id"]))
        self.agents[agent_id] = replace(
            self._profile(agent_id),
            skills=dict(data["skills"]),
            languages=tuple(data["languages"]),
            capacity={Channel(k): int(v) for k, v in dict(data["capacity"]).items()},
            queue_ids=tuple(QueueId(q) for q in data["queue_ids"]),
        )
        return [self.agent_changed(agent_id)]

    def _conversation(self, kind: str, data: Mapping[str, Any]) -> list[rt.Event]:
        c = conversation_from(self.workspace_id, data["conversation"])
        out: list[rt.Event] = []
        known = self.engine.contact_status(c.id)
        if kind == ev.QUEUED:
            if data.get("reason") == "callback_retry":
                return []  # the engine re-queues the callback itself on CallbackNoAnswer
            if known == "engaged" and self.engaged.pop(c.id, None) is not None:
                assert c.queue_id is not None
                requirements = self.requirements(c.queue_id)
                return [
                    rt.ConversationTransferred(c.id, c.queue_id, requirements, c.language, c.channel.value)
                ]
            out += self._release(c.id)
            enqueued = _ts(c.queued_at)
            if known in ("waiting", "offered", "scheduled"):
                out.append(rt.ContactLeft(c.id, "moved"))
                enqueued = _ts(c.first_queued_at)  # a move between queues keeps the place
            out += self.joining(c, enqueued_at=enqueued)
        elif kind == ev.REOPENED and c.status is Status.QUEUED:
            out += self._release(c.id)
            out += self.joining(c, enqueued_at=_ts(c.queued_at))
        elif kind in (ev.ASSIGNED, ev.TRANSFERRED):
            if data.get("offer_id") or c.assignee_id is None or data.get("to_queue_id"):
                return []
            if known in ("waiting", "offered", "scheduled"):
                out.append(rt.ContactLeft(c.id, "assigned"))
            out += self._release(c.id)
            self.outside[c.id] = (c.assignee_id, c.channel.value)
            out.append(self.agent_changed(c.assignee_id))
        elif kind in (ev.RESOLVED, ev.ABANDONED):
            resolved_at = _ts(data["conversation"].get("resolved_at"))
            if kind == ev.RESOLVED and c.assignee_id is not None and resolved_at is not None:
                self.last_agent[c.customer_id] = (c.assignee_id, resolved_at)
            if known in ("waiting", "offered", "scheduled"):
                out.append(rt.ContactLeft(c.id, "abandoned" if kind == ev.ABANDONED else "closed"))
            out += self._release(c.id)
        elif kind == ev.AWAY and known in ("waiting", "offered"):
            out.append(rt.CustomerAway(c.id))
        elif kind == ev.BACK and known in ("waiting", "offered"):
            out.append(rt.CustomerBack(c.id))
        elif kind == ev.PRIORITY_CHANGED and known in ("waiting", "offered", "scheduled"):
            out.append(rt.PriorityChanged(c.id, bool(data.get("angry"))))
        return out

    def _release(self, contact_id: str) -> list[rt.Event]:
        """The conversation no longer occupies its agent: end it in the engine or drop the outside load."""
        if contact_id in self.engaged:
            del self.engaged[contact_id]
            return [rt.ConversationEnded(contact_id)]
        held = self.outside.pop(contact_id, None)
        if contact_id in self.attempts:
            started = self.attempts.pop(contact_id)
            self._settled.append(
                rt.CallbackKept(contact_id, started)
                if started is not None
                else rt.CallbackBroken(contact_id, "late")
            )
        return [self.agent_changed(held[0])] if held else []

    def rejected_accept(self, contact_id: str, agent_id: str) -> list[rt.Event]:
        """The engine had already expired an offer the agent accepted in time: the database says the
        conversation is the agent's, so count it as outside load and take it out of the line."""
        self.engaged.pop(contact_id, None)
        self.outside[contact_id] = (agent_id, self.channels.get(contact_id, "webchat"))
        return [rt.ContactLeft(contact_id, "assigned"), self.agent_changed(agent_id)]


def conversation_from(workspace_id: WorkspaceId, data: Mapping[str, Any]) -> Conversation:
    """The conversation state an event carries (conversations/events.py ``conversation_data``)."""

    def when(name: str) -> datetime | None:
        value = data.get(name)
        return None if value is None else datetime.fromisoformat(str(value))

    created = when("created_at")
    assert created is not None
    return Conversation(
        id=data["id"],
        workspace_id=workspace_id,
        customer_id=data["customer_id"],
        channel=Channel(data["channel"]),
        status=Status(data["status"]),
        created_at=created,
        subject=data.get("subject") or "",
        language=data.get("language"),
        queue_id=data.get("queue_id"),
        segment=data.get("segment"),
        assignee_id=data.get("assignee_id"),
        first_queued_at=when("first_queued_at"),
        queued_at=when("queued_at"),
        assigned_at=when("assigned_at"),
        attributes=dict(data.get("attributes") or {}),
    )
