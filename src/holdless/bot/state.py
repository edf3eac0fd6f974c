"""The virtual agent's memory of one conversation, and the actions it asks the server to take. Pure values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class Attempt:
    """Something the bot tried (a flow, a knowledge-base answer) and how it ended."""

    what: str
    outcome: str  # running | completed | contained | handoff | verification failed | …


@dataclass(frozen=True, slots=True)
class BotState:
    language: str = "en"
    flow: str | None = None  # the flow under way
    step: str | None = None  # the step waiting for the customer (or for an HTTP result)
    kb_question: bool = False  # an answer from the knowledge base waits for "did that help?"
    retries: int = 0  # wrong answers to the current step
    misunderstood: int = 0  # turns in a row the bot did not understand
    turns: int = 0
    collected: Mapping[str, str] = field(default_factory=dict)
    verified: Mapping[str, str] = field(default_factory=dict)
    tried: tuple[Attempt, ...] = ()
    intent: str | None = None
    confidence: float = 0.0
    negatives: tuple[float, ...] = ()  # negative score of each customer message, oldest first (last 10)
    messages: tuple[str, ...] = ()  # the customer's last messages (for the summary)
    angry: bool = False
    handed_off: bool = False
    handoff_reason: str = ""
    contained: bool = False
    told: tuple[int, int | None] | None = None  # (position, expected wait) last told
    greeted: bool = False
    code_digest: str = ""  # SHA-256 of a one-time code sent and not yet answered
    last_seq: int = 0  # the last event applied (replays are skipped)

    @property
    def done(self) -> bool:
        """The bot asks nothing more: a person has it, or it was solved."""
        return self.handed_off or self.contained

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "tried":
                value = [[a.what, a.outcome] for a in value]
            elif isinstance(value, Mapping):
                value = dict(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> BotState:
        names = {f.name for f in fields(cls)}
        values: dict[str, Any] = {k: v for k, v in raw.items() if k in names}
        values["tried"] = tuple(Attempt(str(w), str(o)) for w, o in values.get("tried", []))
        values["negatives"] = tuple(float(x) for x in values.get("negatives", []))
        values["messages"] = tuple(str(x) for x in values.get("messages", []))
        told = values.get("told")
        values["told"] = None if told is None else (int(told[0]), None if told[1] is None else int(told[1]))
        return cls(**values)


# --- actions: what the server does for the bot ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Enqueue:
    """Give the conversation a place in line (it was with the bot only)."""

    reason: str


@dataclass(frozen=True, slots=True)
class Handoff:
    """A person takes over; the handoff card is written."""

    reason: str


@dataclass(frozen=True, slots=True)
class SetAttributes:
    values: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class RaiseAnger:
    """Sentiment turned negative: the routing engine moves the conversation up."""

    score: float


@dataclass(frozen=True, slots=True)
class Contain:
    """Solved by the bot and confirmed by the customer: the conversation is resolved and leaves the line."""

    flow: str


@dataclass(frozen=True, slots=True)
class SendCode:
    """Send a one-time code over a channel the workspace knows for this customer."""

    channel: str
    to: str
    code: str


@dataclass(frozen=True, slots=True)
class CallHttp:
    """A signed request to the workspace's system; the result comes back through `on_http_result`."""

    flow: str
    step: str
    url: str
    method: str
    timeout_seconds: float
    payload: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class StepEntered:
    """For the bot funnel (bot.step in the event log): where customers go and where they leave."""

    flow: str
    step: str
    type: str


Action = Enqueue | Handoff | SetAttributes | RaiseAnger | Contain | SendCode | CallHttp | StepEntered


@dataclass(frozen=True, slots=True)
class Turn:
    state: BotState
    replies: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
