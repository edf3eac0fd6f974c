"""What the virtual agent needs from storage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from holdless.ids import ConversationId, WorkspaceId


@dataclass(frozen=True, slots=True)
class StoredFlows:
    workspace_id: WorkspaceId
    definition: Mapping[str, Any]
    updated_at: datetime
    updated_by: str
    cursor: int


class BotRepository(Protocol):
    async def flows(self, workspace_id: WorkspaceId) -> StoredFlows | None: ...
    async def save_flows(
        self, workspace_id: WorkspaceId, definition: Mapping[str, Any], at: datetime, by: str, cursor: int
    ) -> None:
        """Store the definition; `cursor` is used only when the workspace had none (the bot starts there)."""
        ...

    async def workspaces(self) -> list[WorkspaceId]: ...
    async def move_cursor(self, workspace_id: WorkspaceId, seq: int) -> None: ...
    async def state(
        self, workspace_id: WorkspaceId, conversation_id: ConversationId
    ) -> Mapping[str, Any] | None: ...
    async def card(
        self, workspace_id: WorkspaceId, conversation_id: ConversationId
    ) -> Mapping[str, Any] | None: ...
    async def save(
        self,
        workspace_id: WorkspaceId,
        conversation_id: ConversationId,
        state: Mapping[str, Any],
        card: Mapping[str, Any] | None,
        at: datetime,
    ) -> None:
        """Store the state (and the card, when given; an earlier card is kept otherwise)."""
        ...
