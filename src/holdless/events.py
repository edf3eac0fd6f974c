"""The event envelope. Every state change appends one or more Events to the workspace's event log.

Events are appended by actions inside their unit of work; the storage layer gives each a per-workspace,
gap-free sequence number at commit, and realtime delivery is driven by that sequence (docs/realtime.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from holdless.ids import ConversationId, UserId, WorkspaceId

JsonObject = Mapping[str, Any]


class Audience(StrEnum):
    """Who may receive an event in realtime besides the workspace's staff."""

    STAFF = "staff"  # agents (subject to their scope), supervisors, admins
    CUSTOMER = "customer"  # also the customer of `conversation_id`


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened, in past tense: `message.created`, `conversation.assigned`."""

    type: str
    workspace_id: WorkspaceId
    actor: str
    at: datetime
    data: JsonObject = field(default_factory=dict)
    conversation_id: ConversationId | None = None
    # Where the conversation stood when this happened; lets realtime scope an agent's stream without a query.
    queue_id: str | None = None
    assignee_id: UserId | None = None
    audience: Audience = Audience.STAFF
    seq: int = 0  # 0 until committed

    def numbered(self, seq: int) -> Event:
        """This event with its sequence number: `dataclasses.replace` without the introspection."""
        return Event(
            self.type,
            self.workspace_id,
            self.actor,
            self.at,
            self.data,
            self.conversation_id,
            self.queue_id,
            self.assignee_id,
            self.audience,
            seq,
        )

    def to_wire(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "type": self.type,
            "at": self.at.isoformat(),
            "conversation_id": self.conversation_id,
            "actor": self.actor,
            "data": dict(self.data),
        }
