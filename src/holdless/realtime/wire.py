"""The JSON shapes on the bus and on websockets (docs/realtime.md is the contract)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from holdless.events import Audience, Event
from holdless.ids import ConversationId, UserId, WorkspaceId


def event_to_bus(event: Event) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "type": event.type,
        "workspace_id": event.workspace_id,
        "actor": event.actor,
        "at": event.at.isoformat(),
        "data": dict(event.data),
        "conversation_id": event.conversation_id,
        "queue_id": event.queue_id,
        "assignee_id": event.assignee_id,
        "audience": event.audience.value,
    }


def event_from_bus(raw: dict[str, Any]) -> Event:
    return Event(
        type=raw["type"],
        workspace_id=WorkspaceId(raw["workspace_id"]),
        actor=raw["actor"],
        at=datetime.fromisoformat(raw["at"]),
        data=raw["data"],
        conversation_id=ConversationId(raw["conversation_id"]) if raw["conversation_id"] else None,
        queue_id=raw["queue_id"],
        assignee_id=UserId(raw["assignee_id"]) if raw["assignee_id"] else None,
        audience=Audience(raw["audience"]),
        seq=int(raw["seq"]),
    )


# One encoder for every frame: json.dumps with non-default options builds a new encoder per call.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def dumps(payload: dict[str, Any]) -> str:
    return _ENCODER.encode(payload)


class Frame:
    """An event on its way to sockets: encoded at most once, however many subscribers send it."""

    __slots__ = ("_text", "event")

    def __init__(self, event: Event) -> None:
        self.event = event
        self._text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = dumps(self.event.to_wire())
        return self._text
