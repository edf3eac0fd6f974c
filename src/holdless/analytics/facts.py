"""The normalised input of the KPI engine: one `KpiEvent` per thing that happened to a contact or an agent.

A *contact* is one episode of a conversation: from its creation (or its reopening) to its resolution or
abandonment. A reopened conversation is a new contact from the same customer, which is what FCR asks about.

Every `KpiEvent` carries where its contact stood when it happened (customer, channel, queue, segment, agent,
language), like the server's `Event` envelope does; the engines slice by those fields and never look back.
`EventAdapter` turns the server's envelopes (`holdless.events.Event`) into `KpiEvent`s.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from holdless.conversations import events as ev
from holdless.events import Event


class Kind(StrEnum):
    CREATED = "created"  # a new contact; value 1.0 if the virtual agent handles it first; reason = intent
    QUEUED = "queued"  # joined the queue (the first time in a contact), or went back to a queue
    ASSIGNED = "assigned"  # a person took it (agent = who); the agent-active time starts
    ANSWERED = "answered"  # a person's first answer (agent = who)
    TRANSFERRED = "transferred"  # to another queue (agent "") or another agent (agent = who)
    AWAY = "away"  # the customer left an async conversation: not abandoned, the agent's clock pauses
    BACK = "back"
    ABANDONED = "abandoned"  # left the queue before a person answered
    RESOLVED = "resolved"  # reason = disposition; agent = who resolved ("" for the virtual agent)
    WRAPPED = "wrapped"  # after-contact work finished: value = its seconds, added to the contact's AHT
    CSAT = "csat"  # survey answer, value 1–5
    NPS = "nps"  # value 0–10
    CES = "ces"  # value 1–7
    CALLBACK_PROMISED = "callback_promised"
    CALLBACK_KEPT = "callback_kept"  # the callback was made inside the promised window
    CALLBACK_BROKEN = "callback_broken"
    AGENT_STATE = "agent_state"  # contact = "", agent = who, reason = available | away | offline


AVAILABLE = "available"


@dataclass(frozen=True, slots=True)
class KpiEvent:
    kind: Kind
    at: float  # seconds since the Unix epoch (UTC)
    contact: str = ""
    customer: str = ""
    channel: str = ""
    queue: str = ""
    segment: str = ""
    agent: str = ""
    language: str = ""
    reason: str = ""
    value: float = 0.0


@dataclass(slots=True)
class _Conversation:
    contact: str
    customer: str
    channel: str
    language: str
    queue: str = ""
    segment: str = ""
    agent: str = ""
    reason: str = ""
    answered: bool = False


_SURVEYS = {"csat": Kind.CSAT, "nps": Kind.NPS, "ces": Kind.CES}
_CALLBACKS = {
    "callback.promised": Kind.CALLBACK_PROMISED,
    "callback.requested": Kind.CALLBACK_PROMISED,  # the name the routing service writes
    "callback.kept": Kind.CALLBACK_KEPT,
    "callback.broken": Kind.CALLBACK_BROKEN,
}
_SIMPLE = {
    ev.AWAY: Kind.AWAY,
    ev.BACK: Kind.BACK,
    ev.ABANDONED: Kind.ABANDONED,
    ev.ASSIGNED: Kind.ASSIGNED,
    ev.TRANSFERRED: Kind.TRANSFERRED,
    ev.RESOLVED: Kind.RESOLVED,
}


class EventAdapter:
    """Maps the server's event envelopes, in sequence order, to `KpiEvent`s; keeps what messages lack.

    Conversation lifecycle events carry the conversation's state; `message.created` does not, so the
    adapter remembers each conversation's contact. Names the server does not write yet (the survey,
    callback and wrap-up events of issue 8) are mapped as documented in docs/analytics.md.
    """

    def __init__(self) -> None:
        self._conversations: dict[str, _Conversation] = {}

    def adapt(self, event: Event) -> Iterator[KpiEvent]:
        at = event.at.timestamp()
        kind = event.type
        data = event.data
        if kind == "agent.state_changed":
            yield KpiEvent(Kind.AGENT_STATE, at, agent=str(data["agent_id"]), reason=str(data["state"]))
            return
        cid = event.conversation_id or str(data.get("conversation_id") or "")
        conv_data: Mapping[str, Any] | None = data.get("conversation")
        if conv_data is not None:
            yield from self._lifecycle(kind, at, cid, conv_data, data)
            return
        c = self._conversations.get(cid)
        if c is None:
            return
        if kind == ev.MESSAGE_CREATED:
            message = data["message"]
            if message["author"] == "agent" and not c.answered:
                c.answered = True
                yield self._event(Kind.ANSWERED, at, c, agent=str(message["author_id"] or c.agent))
        elif kind == "survey.answered" and str(data.get("survey")) in _SURVEYS:
            yield self._event(_SURVEYS[str(data["survey"])], at, c, value=float(data["score"]))
        elif kind in _CALLBACKS:
            yield self._event(_CALLBACKS[kind], at, c)
        elif kind == "conversation.wrapped":
            yield self._event(Kind.WRAPPED, at, c, value=float(data["seconds"]))

    def _lifecycle(
        self, kind: str, at: float, cid: str, conv: Mapping[str, Any], data: Mapping[str, Any]
    ) -> Iterator[KpiEvent]:
        contact = f"{cid}#{int(conv.get('reopen_count') or 0)}"
        c = self._conversations.get(cid)
        if kind in (ev.CREATED, ev.REOPENED) or c is None or c.contact != contact:
            reason = str(conv.get("attributes", {}).get("intent", "")) or (c.reason if c else "")
            c = _Conversation(contact, str(conv["customer_id"]), str(conv["channel"]), conv["language"] or "")
            c.reason = reason
            self._conversations[cid] = c
            bot = 1.0 if conv.get("status") == "with_bot" else 0.0
            yield self._event(Kind.CREATED, at, c, reason=reason, value=bot)
            if kind == ev.REOPENED and conv.get("status") == "queued":
                self._track(c, conv)
                yield self._event(Kind.QUEUED, at, c)
            if kind in (ev.CREATED, ev.REOPENED):
                return
        self._track(c, conv)
        if kind == ev.QUEUED:
            yield self._event(Kind.QUEUED, at, c)
        elif kind in _SIMPLE:
            reason = str(data.get("disposition") or "") if kind == ev.RESOLVED else ""
            c.reason = c.reason or reason  # a reopening is about the same issue
            yield self._event(_SIMPLE[kind], at, c, reason=reason)

    @staticmethod
    def _track(c: _Conversation, conv: Mapping[str, Any]) -> None:
        c.queue = conv.get("queue_id") or ""
        c.segment = conv.get("segment") or ""
        c.agent = conv.get("assignee_id") or ""

    @staticmethod
    def _event(
        kind: Kind,
        at: float,
        c: _Conversation,
        *,
        agent: str | None = None,
        reason: str = "",
        value: float = 0.0,
    ) -> KpiEvent:
        return KpiEvent(
            kind,
            at,
            c.contact,
            c.customer,
            c.channel,
            c.queue,
            c.segment,
            c.agent if agent is None else agent,
            c.language,
            reason,
            value,
        )
