"""What a bot turn starts from (the NLU's reading, what is known, the context) and the builder that collects
its replies and actions. Pure."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from holdless.bot import texts
from holdless.bot.flows import ArticleText, BotDefinition
from holdless.bot.state import Action, Attempt, BotState, Contain, Enqueue, Handoff, Turn


@dataclass(frozen=True, slots=True)
class Reading:
    """What the NLU made of one customer message."""

    language: str
    intent: str | None  # None: "don't know"
    confidence: float
    negative_score: float
    sentiment: str = "neutral"


@dataclass(frozen=True, slots=True)
class Known:
    """What the workspace knows about the customer: used to verify, never shown to the customer."""

    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    name: str = ""


def no_answer(_: str) -> ArticleText | None:
    return None


@dataclass(frozen=True, slots=True)
class Context:
    definition: BotDefinition
    known: Known = Known()
    in_line: bool = True  # False: the conversation is with the bot only; a handoff must enqueue it
    new_code: str = ""  # a fresh random one-time code, in case a verify step needs one
    answer: Callable[[str], ArticleText | None] = no_answer  # knowledge-base search


class Builder:
    """Collects replies and actions while a turn runs."""

    def __init__(self, state: BotState) -> None:
        self.state = state
        self.replies: list[str] = []
        self.actions: list[Action] = []

    def say(self, key: str, **values: object) -> None:
        self.replies.append(texts.say(key, self.state.language, **values))

    def text(self, step_text: Mapping[str, str]) -> None:
        self.replies.append(fill(texts.pick(step_text, self.state.language), self.state.collected))

    def update(self, **changes: object) -> None:
        self.state = replace(self.state, **changes)  # type: ignore[arg-type]

    def turn(self) -> Turn:
        return Turn(self.state, tuple(self.replies), tuple(self.actions))


class Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(text: str, values: Mapping[str, str]) -> str:
    try:
        return text.format_map(Values(values))
    except (ValueError, IndexError):
        return text


def digest(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def close_attempt(b: Builder, outcome: str) -> None:
    """Close the latest running attempt with `outcome`."""
    tried = list(b.state.tried)
    for i in range(len(tried) - 1, -1, -1):
        if tried[i].outcome == "running":
            tried[i] = Attempt(tried[i].what, outcome)
            break
    b.update(tried=tuple(tried))


def hand_off(b: Builder, context: Context, reason: str, *, reply: str | None = "handoff") -> None:
    if reply:
        b.say(reply)
    close_attempt(b, "handoff")
    b.update(handed_off=True, handoff_reason=reason, flow=None, step=None, kb_question=False, code_digest="")
    if not context.in_line:
        b.actions.append(Enqueue(reason="bot handoff"))
    b.actions.append(Handoff(reason))


def contain(b: Builder, what: str) -> None:
    b.say("contained")
    close_attempt(b, "contained")
    b.update(contained=True, flow=None, step=None, kb_question=False)
    b.actions.append(Contain(what))
