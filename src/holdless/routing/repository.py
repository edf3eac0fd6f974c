"""What queue, offer and callback actions need from storage."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from holdless.ids import ConversationId, QueueId, UserId, WorkspaceId
from holdless.routing.promises import CallbackRecord, CallbackStatus, OfferRecord, OfferStatus
from holdless.routing.queues import Queue


class QueueRepository(Protocol):
    async def get(self, workspace_id: WorkspaceId, queue_id: QueueId) -> Queue: ...
    async def list(self, workspace_id: WorkspaceId) -> list[Queue]: ...
    async def add(self, queue: Queue) -> None: ...
    async def update(self, queue: Queue) -> None: ...


class OfferRepository(Protocol):
    async def add(self, offer: OfferRecord) -> None:
        """Conflict if the conversation already has a pending offer (a unique index guards it)."""
        ...

    async def get(
        self, workspace_id: WorkspaceId, offer_id: str, *, for_update: bool = False
    ) -> OfferRecord: ...
    async def pending_for(
        self, workspace_id: WorkspaceId, conversation_id: ConversationId
    ) -> OfferRecord | None: ...
    async def finish(
        self, offer: OfferRecord, status: OfferStatus, at: datetime, reason: str = ""
    ) -> OfferRecord | None:
        """Move a pending offer to ``status``; None when it was no longer pending (someone else won)."""
        ...

    async def list(
        self,
        workspace_id: WorkspaceId,
        *,
        agent_id: UserId | None = None,
        status: OfferStatus | None = None,
        limit: int = 100,
    ) -> list[OfferRecord]: ...


class CallbackRepository(Protocol):
    async def add(self, callback: CallbackRecord) -> None: ...
    async def get(self, workspace_id: WorkspaceId, callback_id: str) -> CallbackRecord: ...
    async def open_for(
        self, workspace_id: WorkspaceId, conversation_id: ConversationId
    ) -> CallbackRecord | None: ...
    async def save(self, callback: CallbackRecord) -> None: ...
    async def list(
        self, workspace_id: WorkspaceId, *, status: CallbackStatus | None = None, limit: int = 100
    ) -> list[CallbackRecord]: ...
    async def counts(self, workspace_id: WorkspaceId) -> dict[CallbackStatus, int]: ...
