"""Properties over random event sequences: what must hold whatever customers and agents do."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from holdless.routing import (
    AgentChanged,
    AgentState,
    CallbackBroken,
    CallbackKept,
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
    Offer,
    OfferAccepted,
    OfferDeclined,
    OfferExpired,
    OfferTimedOut,
    OfferWithdrawn,
    PriorityChanged,
    Rejected,
    RoutingConfig,
    RoutingEngine,
    Tick,
)

from .scenario import PREMIUM, STANDARD

AGENTS = ("a0", "a1", "a2", "a3")
SKILL_SETS: tuple[dict[str, int], ...] = (
    {},
    {"billing": 1},
    {"billing": 2},
    {"cards": 1},
    {"billing": 3, "cards": 2},
)
REQUIREMENTS: tuple[dict[str, int], ...] = ({}, {"billing": 2}, {"cards": 2})
LANGUAGE_SETS = (frozenset({"en"}), frozenset({"ru"}), frozenset({"en", "ru"}))
CAPACITIES = ({"voice": 1}, {"chat": 3}, {"voice": 1, "chat": 2}, {"chat": 1})
STICKY_SECONDS = 30.0
COOLDOWN_SECONDS = 40.0

agent_changes = st.tuples(
    st.just("agent"),
    st.sampled_from(AGENTS),
    st.sampled_from((AgentState.AVAILABLE, AgentState.AVAILABLE, AgentState.AWAY, AgentState.OFFLINE)),
    st.integers(0, len(SKILL_SETS) - 1),
    st.integers(0, len(LANGUAGE_SETS) - 1),
    st.integers(0, len(CAPACITIES) - 1),
)
arrivals = st.tuples(
    st.just("contact"),
    st.sampled_from(("q1", "q2")),
    st.sampled_from(("premium", "standard")),
    st.sampled_from(("voice", "chat")),
    st.integers(0, len(REQUIREMENTS) - 1),
    st.sampled_from((None, None, "en", "ru")),
    st.sampled_from((None, None, None, *AGENTS)),
)
answers = st.tuples(
    st.sampled_from(("accept", "accept", "accept", "decline", "timeout", "end", "end", "transfer")),
    st.integers(0, 50),
)
customers = st.tuples(
    st.sampled_from(("away", "back", "leave", "callback", "no-answer", "angry", "calm")), st.integers(0, 50)
)
waits = st.tuples(st.just("wait"), st.sampled_from((0.0, 0.5, 3.0, 15.0, 45.0)))
actions = st.lists(
    st.one_of(
        agent_changes,
        agent_changes,
        arrivals,
        arrivals,
        arrivals,
        answers,
        answers,
        answers,
        customers,
        waits,
        waits,
    ),
    min_size=20,
    max_size=120,
)


@dataclass
class World:
    """What the test knows from the events it sent and the decisions it got back."""

    agents: dict[str, AgentChanged] = field(default_factory=dict)
    contacts: dict[str, ContactQueued] = field(default_factory=dict)  # live ones, with current requirements
    channel: dict[str, str] = field(default_factory=dict)
    offered: dict[str, str] = field(default_factory=dict)
    engaged: dict[str, str] = field(default_factory=dict)
    away: set[str] = field(default_factory=set)
    cooled: dict[tuple[str, str], float] = field(default_factory=dict)
    promises_open: set[str] = field(default_factory=set)
    promises_ended: set[str] = field(default_factory=set)
    sticky_until: dict[str, float] = field(default_factory=dict)


def _pick(items: list[str], index: int) -> str | None:
    return sorted(items)[index % len(items)] if items else None


def _event(world: World, action: tuple[Any, ...], now: float, seq: int) -> Event | None:
    kind = action[0]
    if kind == "agent":
        _, agent_id, state, skills, languages, capacity = action
        assert isinstance(agent_id, str)
        assert isinstance(state, AgentState)
        return AgentChanged(
            agent_id,
            state,
            SKILL_SETS[int(skills)],
            LANGUAGE_SETS[int(languages)],
            CAPACITIES[int(capacity)],
        )
    if kind == "contact":
        _, queue, segment, channel, requirement, language, sticky = action
        return ContactQueued(
            f"c{seq}",
            str(queue),
            str(segment),
            str(channel),
            REQUIREMENTS[int(requirement)],
            language if isinstance(language, str) else None,
            sticky_agent_id=sticky if isinstance(sticky, str) else None,
            sticky_until=now + 1000 if sticky else None,
        )
    index = int(action[1])
    offered = _pick(list(world.offered), index)
    engaged = _pick(list(world.engaged), index)
    anyone = _pick(list(world.contacts), index)
    if kind in ("accept", "decline", "timeout") and offered is not None:
        agent_id = world.offered[offered]
        if kind == "accept":
            return OfferAccepted(offered, agent_id)
        return OfferDeclined(offered, agent_id) if kind == "decline" else OfferTimedOut(offered, agent_id)
    if kind == "end" and engaged is not None:
        return ConversationEnded(engaged)
    if kind == "transfer" and engaged is not None:
        return ConversationTransferred(engaged, "q2", skills={"cards": 1})
    if kind == "no-answer" and engaged is not None:
        return CallbackNoAnswer(engaged)
    if anyone is None:
        return None
    if kind == "away":
        return CustomerAway(anyone)
    if kind == "back":
        return CustomerBack(anyone, channel="chat" if index % 2 else None)
    if kind == "leave":
        return ContactLeft(anyone)
    if kind == "callback":
        return CallbackRequested(anyone, now + 10 * (index % 4), now + 200 + 10 * index)
    if kind in ("angry", "calm"):
        return PriorityChanged(anyone, angry=kind == "angry")
    return None


def _absorb(
    world: World, event: Event, decisions: list[Decision], now: float, desk: RoutingEngine, before: str | None
) -> None:
    if any(isinstance(decision, Rejected) for decision in decisions):
        assert len(decisions) == 1 or isinstance(event, Tick)
        return  # a rejected event changes nothing
    if isinstance(event, AgentChanged):
        world.agents[event.agent_id] = event
    elif isinstance(event, ContactQueued) and desk.contact_status(event.contact_id) is not None:
        world.contacts[event.contact_id] = event
        world.channel[event.contact_id] = event.channel
        if event.sticky_agent_id is not None:
            world.sticky_until[event.contact_id] = now + STICKY_SECONDS
    elif isinstance(event, OfferAccepted):
        world.engaged[event.contact_id] = world.offered.pop(event.contact_id)
    elif isinstance(event, OfferDeclined):
        world.cooled[event.agent_id, event.contact_id] = now + COOLDOWN_SECONDS
        world.offered.pop(event.contact_id)
    elif isinstance(event, ConversationEnded | CallbackNoAnswer):
        world.engaged.pop(event.contact_id, None)
    elif isinstance(event, ConversationTransferred):
        world.engaged.pop(event.contact_id)
        world.promises_open.discard(event.contact_id)
        world.contacts[event.contact_id] = ContactQueued(
            event.contact_id,
            "q2",
            world.contacts[event.contact_id].segment,
            world.channel[event.contact_id],
            {"cards": 1},
            world.contacts[event.contact_id].language,
        )
    elif isinstance(event, CustomerAway):
        world.away.add(event.contact_id)
    elif isinstance(event, CustomerBack | CallbackRequested):
        world.away.discard(event.contact_id)
        if before in ("waiting", "scheduled") and event.channel is not None:
            world.channel[event.contact_id] = event.channel
        if isinstance(event, CallbackRequested) and desk.contact_status(event.contact_id) == "scheduled":
            world.promises_open.add(event.contact_id)
        if isinstance(event, CallbackRequested) and desk.contact_status(event.contact_id) == "waiting":
            world.promises_open.add(event.contact_id)  # window already open: due at once
    for decision in decisions:
        if isinstance(decision, Offer):
            world.offered[decision.contact_id] = decision.agent_id
        elif isinstance(decision, OfferExpired | OfferWithdrawn):
            if isinstance(decision, OfferExpired):
                world.cooled[decision.agent_id, decision.contact_id] = now + COOLDOWN_SECONDS
            world.offered.pop(decision.contact_id, None)
        elif isinstance(decision, CallbackKept | CallbackBroken):
            assert decision.contact_id not in world.promises_ended, "a promise ended twice"
            world.promises_ended.add(decision.contact_id)
            world.promises_open.discard(decision.contact_id)
    for contact_id in list(world.contacts):
        if desk.contact_status(contact_id) is None:
            del world.contacts[contact_id]
            world.offered.pop(contact_id, None)
            world.engaged.pop(contact_id, None)


def _eligible(agent: AgentChanged, queued: ContactQueued, channel: str) -> bool:
    return (
        agent.capacity.get(channel, 0) > 0
        and (queued.language is None or queued.language in agent.languages)
        and all(agent.skills.get(skill, -1) >= level for skill, level in queued.skills.items())
    )


def _check(world: World, desk: RoutingEngine, decisions: list[Decision], now: float) -> None:
    # Offers go only to available agents with the skills, the language and room on the channel.
    for decision in decisions:
        if isinstance(decision, Offer) and decision.contact_id in world.offered:
            agent = world.agents[decision.agent_id]
            contact_id = decision.contact_id
            assert agent.state is AgentState.AVAILABLE
            assert _eligible(agent, world.contacts[contact_id], world.channel[contact_id])
            channel = world.channel[contact_id]
            assert desk.agent_load(agent.agent_id)[channel] <= agent.capacity[channel]
    # Capacity accounting matches the offers and conversations each agent really holds.
    for agent_id in world.agents:
        held: dict[str, int] = {}
        for contact_id, holder in (*world.offered.items(), *world.engaged.items()):
            if holder == agent_id:
                held[world.channel[contact_id]] = held.get(world.channel[contact_id], 0) + 1
        assert desk.agent_load(agent_id) == held
    # No contact lost: every live contact is somewhere, and the engine agrees on where.
    for contact_id in world.contacts:
        status = desk.contact_status(contact_id)
        expected = (
            "offered" if contact_id in world.offered else "engaged" if contact_id in world.engaged else None
        )
        assert status in ((expected,) if expected else ("waiting", "scheduled"))
    # Positions within a queue are exactly 1..n, in line order.
    for queue_id in desk.queue_ids():
        line = desk.line(queue_id)
        places = [desk.place_in_line(contact_id) for contact_id in line]
        assert [place.position if place else None for place in places] == list(range(1, len(line) + 1))
    # Work is never left undone: no free eligible agent next to an offerable contact.
    for queue_id in desk.queue_ids():
        for contact_id in desk.line(queue_id):
            if contact_id in world.away or world.sticky_until.get(contact_id, -1.0) > now:
                continue
            queued, channel = world.contacts[contact_id], world.channel[contact_id]
            for agent in world.agents.values():
                if (
                    agent.state is AgentState.AVAILABLE
                    and _eligible(agent, queued, channel)
                    and desk.agent_load(agent.agent_id).get(channel, 0) < agent.capacity[channel]
                    and world.cooled.get((agent.agent_id, contact_id), -1.0) <= now
                ):
                    raise AssertionError(f"{agent.agent_id} is free for waiting {contact_id}")


def _config(policy: str) -> RoutingConfig:
    return RoutingConfig(
        segments=(PREMIUM, STANDARD),
        policy=policy,
        offer_timeout_seconds=20,
        decline_cooldown_seconds=COOLDOWN_SECONDS,
        sticky_max_seconds=STICKY_SECONDS,
        callback_retry_seconds=30,
    )


def _run(script: list[tuple[Any, ...]], policy: str, check: bool) -> list[list[Decision]]:
    desk = RoutingEngine(_config(policy))
    world = World()
    now = 0.0
    log = []
    opening: list[tuple[Any, ...]] = [
        ("agent", "a0", AgentState.AVAILABLE, 3, 2, 2),
        ("agent", "a1", AgentState.AVAILABLE, 1, 0, 1),
    ]
    for seq, action in enumerate(opening + script):
        if action[0] == "wait":
            now += float(action[1])
            event: Event | None = Tick()
        else:
            event = _event(world, action, now, seq)
        if event is None:
            continue
        before = desk.contact_status(event.contact_id) if hasattr(event, "contact_id") else None
        decisions = desk.on_event(event, now)
        log.append(decisions)
        _absorb(world, event, decisions, now, desk, before)
        if check:
            _check(world, desk, decisions, now)
    return log


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script=actions, policy=st.sampled_from(("holdless", "fifo", "strict-priority")))
def test_random_event_sequences_keep_every_routing_invariant(
    script: list[tuple[Any, ...]], policy: str
) -> None:
    _run(script, policy, check=True)


@settings(max_examples=40, deadline=None)
@given(script=actions)
def test_same_events_give_the_same_decisions(script: list[tuple[Any, ...]]) -> None:
    assert _run(script, "holdless", check=False) == _run(script, "holdless", check=False)
