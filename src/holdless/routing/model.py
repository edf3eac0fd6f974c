"""What goes into the routing engine (events) and what comes out (decisions), as frozen values.

Events are past tense: something happened and the engine is told. Decisions are what the engine wants
the server to do or publish. Times are float seconds on the caller's clock; the engine has no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


def _nothing() -> Mapping[str, int]:
    return MappingProxyType({})


class AgentState(StrEnum):
    AVAILABLE = "available"
    AWAY = "away"
    OFFLINE = "offline"


# --- events -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContactQueued:
    """A contact needs a person: it takes its place in line in ``queue_id``.

    ``skills`` maps a skill to the minimum level required; ``language`` None means any agent will do.
    ``sticky_agent_id`` is the agent who helped this customer last, preferred until ``sticky_until``.
    ``enqueued_at`` defaults to ``now`` (pass it when replaying the event log after a restart).
    """

    contact_id: str
    queue_id: str
    segment: str
    channel: str
    skills: Mapping[str, int] = field(default_factory=_nothing)
    language: str | None = None
    customer_id: str | None = None
    sticky_agent_id: str | None = None
    sticky_until: float | None = None
    enqueued_at: float | None = None


@dataclass(frozen=True, slots=True)
class AgentChanged:
    """The agent's whole routing profile as it is now: state, skills {name: level}, languages, capacity."""

    agent_id: str
    state: AgentState
    skills: Mapping[str, int] = field(default_factory=_nothing)
    languages: frozenset[str] = frozenset()
    capacity: Mapping[str, int] = field(default_factory=_nothing)


@dataclass(frozen=True, slots=True)
class OfferAccepted:
    contact_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class OfferDeclined:
    contact_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class OfferTimedOut:
    """The server noticed the timeout first; the engine also expires offers itself on ``Tick``."""

    contact_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class ConversationEnded:
    """Frees the agent's capacity; ``handle_seconds`` defaults to the time since the offer was accepted."""

    contact_id: str
    handle_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class ConversationTransferred:
    """The agent hands the contact to another queue (and optionally straight to ``agent_id``).

    Requirements not given are kept. The contact joins the new queue's line now.
    """

    contact_id: str
    queue_id: str
    skills: Mapping[str, int] | None = None
    language: str | None = None
    channel: str | None = None
    agent_id: str | None = None
    handle_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class CustomerAway:
    """The customer left an async conversation: the place is kept, but nobody is offered it meanwhile."""

    contact_id: str


@dataclass(frozen=True, slots=True)
class CustomerBack:
    """The customer is back, possibly on another channel; the place in line is the same."""

    contact_id: str
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class CallbackRequested:
    """The customer asks to be called or written back between ``window_start`` and ``window_end``."""

    contact_id: str
    window_start: float
    window_end: float
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class CallbackDue:
    """Make a scheduled callback due now (the engine also does it by itself at the window start)."""

    contact_id: str


@dataclass(frozen=True, slots=True)
class CallbackNoAnswer:
    """The agent tried the callback and the customer did not answer: retry later or break the promise."""

    contact_id: str


@dataclass(frozen=True, slots=True)
class PriorityChanged:
    """Anger detected (or calmed down): an angry contact is served sooner."""

    contact_id: str
    angry: bool


@dataclass(frozen=True, slots=True)
class ContactLeft:
    """The contact no longer needs a person: abandoned, solved by the bot, or closed."""

    contact_id: str
    reason: str = "abandoned"


@dataclass(frozen=True, slots=True)
class Tick:
    """Time passed: expire offers, make callbacks due or broken, end sticky holds, publish positions."""


Event = (
    ContactQueued
    | AgentChanged
    | OfferAccepted
    | OfferDeclined
    | OfferTimedOut
    | ConversationEnded
    | ConversationTransferred
    | CustomerAway
    | CustomerBack
    | CallbackRequested
    | CallbackDue
    | CallbackNoAnswer
    | PriorityChanged
    | ContactLeft
    | Tick
)


# --- decisions ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Offer:
    """Offer the contact to the agent; the agent's capacity is reserved until ``expires_at``."""

    contact_id: str
    agent_id: str
    expires_at: float


@dataclass(frozen=True, slots=True)
class OfferExpired:
    """The agent did not answer in time; the contact went back to its place."""

    contact_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class OfferWithdrawn:
    """Take the offer off the agent's screen (the agent went away, or the contact left)."""

    contact_id: str
    agent_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class PositionUpdate:
    """Tell the customer their place in line; ``expected_wait_seconds`` None means nobody can take it now."""

    contact_id: str
    position: int
    expected_wait_seconds: float | None


@dataclass(frozen=True, slots=True)
class CallbackKept:
    contact_id: str
    answered_at: float


@dataclass(frozen=True, slots=True)
class CallbackBroken:
    """``reason``: "window passed", "late", "no answer" or "withdrawn"."""

    contact_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class CallbackAtRisk:
    """Supervisor alert: the callback is not answered yet and its window ends soon."""

    contact_id: str
    window_end: float


@dataclass(frozen=True, slots=True)
class Rejected:
    """The event did not fit the engine's state (unknown contact, stale offer…); nothing changed."""

    event: str
    subject_id: str
    reason: str


Decision = (
    Offer
    | OfferExpired
    | OfferWithdrawn
    | PositionUpdate
    | CallbackKept
    | CallbackBroken
    | CallbackAtRisk
    | Rejected
)


# --- read side ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlaceInLine:
    position: int
    expected_wait_seconds: float | None


@dataclass(frozen=True, slots=True)
class QueueFigures:
    """Waiting contacts of one segment in one queue (offered but not yet answered ones included)."""

    queue_id: str
    segment: str
    waiting: int
    longest_wait_seconds: float


@dataclass(frozen=True, slots=True)
class SegmentServiceLevel:
    """SL as defined in the product brief: answered within target / (answered + abandoned after target)."""

    segment: str
    target_share: float
    target_seconds: float
    answered: int
    answered_in_target: int
    abandoned_after_target: int

    @property
    def service_level(self) -> float | None:
        counted = self.answered + self.abandoned_after_target
        return self.answered_in_target / counted if counted else None


@dataclass(frozen=True, slots=True)
class RoutingSnapshot:
    """What a supervisor's wallboard needs, at ``at``; counts since the engine started."""

    at: float
    queues: tuple[QueueFigures, ...]
    agents_by_state: Mapping[str, int]
    offers_pending: int
    callbacks_scheduled: int  # promises still open
    callbacks_at_risk: tuple[str, ...]  # open promises whose window ends within callback_at_risk_seconds
    callbacks_kept: int
    callbacks_broken: int
    service_levels: tuple[SegmentServiceLevel, ...] = field(default=())
