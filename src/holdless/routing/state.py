"""The engine's private, mutable records. Nothing outside ``holdless.routing`` sees these.

They are plain slotted classes rather than frozen dataclasses on purpose: they are updated on every
decision, and copying them would cost more than the rest of the decision.
"""

from __future__ import annotations

from collections.abc import Callable

from holdless.routing.callbacks import CallbackPromise
from holdless.routing.config import Segment
from holdless.routing.lines import LineKey, OrderedLine
from holdless.routing.model import AgentState, Offer, PositionUpdate

# Stages of a contact inside the engine.
WAITING = 0  # in line (possibly away, or held for its sticky agent)
OFFERED = 1  # an agent's capacity is reserved for it
PARKED = 2  # a callback whose window (or retry) has not started yet: no place in the live line
ENGAGED = 3  # an agent accepted it; kept only to free the capacity when the conversation ends
GONE = 4  # forgotten by the engine; timers still holding it ignore it

# Timer kinds.
STICKY_END_TIMER = 2
COOLDOWN_END_TIMER = 3
CALLBACK_DUE_TIMER = 4
CALLBACK_AT_RISK_TIMER = 5
CALLBACK_END_TIMER = 6

# Offer heap entry: the line key fields (deadline, place, enqueued_at, id), the ticket that validates it,
# then the contact.
OfferEntry = tuple[float, float, float, str, int, "RoutedContact"]
# Serving key of a contact at some ``now``, smaller first: (band, deadline or group, place, enqueued_at,
# id). Bands: 0 overdue (late beyond giving way), 1 at risk, 2 normal (keyed by group), 3 late giving way.
ServeKey = tuple[float, float, float, float, str]
# Free agent heap entry: selection key, agent id, the agent's version when pushed, the agent, and its
# count of changes when pushed (unchanged since: the key is still exact).
FreeAgentEntry = tuple[float, float, str, int, "RoutedAgent", int]


class _Nobody:
    ticket = -1


# A profile's best offerable contact: valid until (time), its serving key (NO_KEY: no contact), the
# contact, and its ticket when cached (the cache is stale once the contact's ticket moved on).
BestHead = tuple[float, ServeKey, "RoutedContact | _Nobody", int]
NO_KEY: ServeKey = (float("inf"), 0.0, 0.0, 0.0, "")  # after every real key: nothing to offer
STALE: BestHead = (float("-inf"), NO_KEY, _Nobody(), 0)


class Attainment:
    """A segment's measured share of contacts answered within target (exponentially weighted), and
    whether it is far enough ahead of its target to lend its at-risk precedence to other segments."""

    __slots__ = ("ahead", "share", "target")

    def __init__(self, target: float) -> None:
        self.target = target
        self.share = target  # no outcomes yet: as if exactly on target
        self.ahead = False


class Lane:
    """One segment's offerable contacts of a profile (or of a queue's line): how the policy treats them."""

    __slots__ = ("attainment", "group", "heap", "late", "segment", "slack", "yield_for")

    def __init__(
        self, segment: Segment, group: float, slack: float, yield_for: float, attainment: Attainment
    ) -> None:
        self.segment = segment
        self.attainment = attainment
        self.group = group  # normal band: smaller group first
        self.slack = slack  # at risk once deadline - now <= slack
        self.yield_for = yield_for  # a late contact gives way until deadline + yield_for (0: never)
        self.heap: list[OfferEntry] = []  # offerable contacts by (deadline, place, ...), lazily cleaned
        self.late: list[OfferEntry] = []  # those found past their deadline, when late contacts give way


class RequirementProfile:
    """Contacts with the same channel, language and skill minimums: every agent takes all or none of them."""

    __slots__ = (
        "agents",
        "best",
        "by_segment",
        "channel",
        "free_agents",
        "key",
        "lanes",
        "language",
        "skills",
        "slots",
    )

    def __init__(self, channel: str, language: str | None, skills: tuple[tuple[str, int], ...]) -> None:
        self.key = (channel, language, skills)
        self.channel = channel
        self.language = language
        self.skills = skills
        self.agents: set[str] = set()  # eligible agents, whatever their state
        self.slots = 0  # channel capacity of eligible agents who are available
        self.lanes: list[Lane] = []  # offerable contacts, one heap per segment seen
        self.best: BestHead = STALE  # cached best lane head (see matching.pick_contact)
        self.by_segment: dict[int, Lane] = {}  # id of the segment (a config value, never copied) -> lane
        self.free_agents: list[FreeAgentEntry] = []  # heap of agents with free capacity, lazily cleaned


class RoutedAgent:
    __slots__ = (
        "active",
        "active_total",
        "capacity",
        "changes",
        "cooldown",
        "id",
        "idle_since",
        "languages",
        "offers",
        "profiles",
        "pushed",
        "skills",
        "state",
        "sticky",
        "version",
    )

    def __init__(self, agent_id: str, now: float) -> None:
        self.id = agent_id
        self.state = AgentState.OFFLINE
        self.skills: dict[str, int] = {}
        self.languages: frozenset[str] = frozenset()
        self.capacity: dict[str, int] = {}
        self.active: dict[str, int] = {}  # conversations and reserved offers per channel
        self.active_total = 0
        self.idle_since = now
        self.version = 0  # bumped on every change that invalidates free-agent heap entries
        self.changes = 0  # bumped on every change at all (a free entry's rank may be stale)
        self.profiles: dict[str, list[RequirementProfile]] = {}  # eligible profiles per channel
        # Rank per channel its free entries were last pushed with (None: push afresh on the next change).
        self.pushed: dict[str, tuple[float, float]] | None = None
        self.cooldown: dict[str, float] = {}  # contact id -> not offered again before
        self.offers: dict[str, RoutedContact] = {}  # pending offers, in the order made
        self.sticky: dict[str, list[OfferEntry]] = {}  # contacts held for this agent, per channel

    def has_room(self, channel: str) -> bool:
        return self.active.get(channel, 0) < self.capacity.get(channel, 0)


class SegmentLine:
    """The contacts of one segment in a queue's line, sorted by (deadline, place, enqueued_at, id)."""

    __slots__ = ("group", "line", "segment", "slack", "yield_for")

    def __init__(self, segment: Segment, group: float, slack: float, yield_for: float) -> None:
        self.segment = segment
        self.group = group
        self.slack = slack
        self.yield_for = yield_for
        self.line = OrderedLine()


class QueueLine:
    __slots__ = ("at_risk", "dirty", "id", "lanes", "oldest", "waiting")

    def __init__(self, queue_id: str) -> None:
        self.id = queue_id
        self.lanes: dict[int, SegmentLine] = {}  # by id of the segment
        self.at_risk: tuple[int, ...] = ()  # at-risk counts per lane when last published
        self.dirty = False  # positions may have changed since the last publication
        self.waiting: dict[str, int] = {}  # per segment: in line or offered, not yet answered
        # per segment: heap of (enqueued_at, ticket, visit, contact), lazily cleaned
        self.oldest: dict[str, list[tuple[float, int, int, RoutedContact]]] = {}


class RoutedContact:
    __slots__ = (
        "accepted_at",
        "agent",
        "angry",
        "away",
        "callback",
        "channel",
        "customer_id",
        "enqueued_at",
        "epoch",
        "id",
        "lane",
        "language",
        "line_key",
        "offer_expires",
        "place",
        "profile",
        "published",
        "queue",
        "segment",
        "skills",
        "stage",
        "sticky_agent",
        "sticky_until",
        "ticket",
        "visit",
    )

    def __init__(
        self,
        contact_id: str,
        queue: QueueLine,
        segment: Segment,
        profile: RequirementProfile,
        enqueued_at: float,
        serial: int,
    ) -> None:
        self.id = contact_id
        self.queue = queue
        self.segment = segment
        self.profile = profile
        self.channel = profile.channel
        self.language = profile.language
        self.skills = profile.skills
        self.customer_id: str | None = None
        self.enqueued_at = enqueued_at
        self.place = enqueued_at  # when it counts as having joined the line (earlier if angry)
        self.stage = WAITING
        self.away = False
        self.angry = False
        self.sticky_agent: str | None = None
        self.sticky_until = 0.0
        self.line_key: LineKey | None = None  # set while in the queue's line
        self.lane: SegmentLine | None = None  # the queue's line of its segment, while in it
        # Validates heap entries; bumped whenever they go stale. Starting from the contact's serial shifted
        # far left keeps tickets unique across contacts, so entries of a reused id never tie.
        self.ticket = serial << 32
        self.epoch = 0  # validates callback timers; bumped whenever the place or stage changes
        self.visit = 0  # validates oldest-waiting entries; bumped when it stops waiting
        self.agent: RoutedAgent | None = None  # offered to, or engaged with
        self.offer_expires = 0.0
        self.accepted_at = 0.0
        self.callback: CallbackPromise | None = None
        self.published: tuple[int, float | None] | None = None


# Decisions are frozen dataclasses, whose ``__init__`` sets each field through ``object.__setattr__``.
# On the hot path the engine fills the same slots directly: the same values, about half the cost.
_new = object.__new__


def _setters(cls: type, *names: str) -> tuple[Callable[[object, object], None], ...]:
    return tuple(vars(cls)[name].__set__ for name in names)


_offer_contact, _offer_agent, _offer_expires = _setters(Offer, "contact_id", "agent_id", "expires_at")
_update_contact, _update_position, _update_wait = _setters(
    PositionUpdate, "contact_id", "position", "expected_wait_seconds"
)


def offer(contact_id: str, agent_id: str, expires_at: float) -> Offer:
    made: Offer = _new(Offer)
    _offer_contact(made, contact_id)
    _offer_agent(made, agent_id)
    _offer_expires(made, expires_at)
    return made


def position_update(contact_id: str, position: int, expected_wait_seconds: float | None) -> PositionUpdate:
    made: PositionUpdate = _new(PositionUpdate)
    _update_contact(made, contact_id)
    _update_position(made, position)
    _update_wait(made, expected_wait_seconds)
    return made
