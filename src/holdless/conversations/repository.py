"""What conversation actions need from storage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from holdless.conversations.model import Channel, Conversation, Message, Note, Status
from holdless.ids import ConversationId, CustomerId, QueueId, UserId, WorkspaceId


@dataclass(frozen=True, slots=True)
class ConversationFilter:
    status: tuple[Status, ...] = ()
    queue_ids: tuple[QueueId, ...] | None = None  # None: any queue
    assignee_id: UserId | None = None
    customer_id: CustomerId | None = None
    channel: Channel | None = None
    # An agent's scope: conversations assigned to them or waiting in one of their queues.
    visible_to_agent: tuple[UserId, tuple[QueueId, ...]] | None = None


class ConversationRepository(Protocol):
    async def get(
        self, workspace_id: WorkspaceId, conversation_id: ConversationId, *, for_update: bool = False
    ) -> Conversation: ...
    async def add(self, conversation: Conversation) -> None: ...
    async def update(self, conversation: Conversation) -> None: ...
    async def list(
        self, workspace_id: WorkspaceId, where: ConversationFilter, *, limit: int, before: str | None
    ) -> list[Conversation]: ...
    async def get_many(
        self, workspace_id: WorkspaceId, ids: Sequence[ConversationId], *, for_update: bool = False
    ) -> dict[ConversationId, Conversation]: ...
    async def update_many(self, conversations: Sequence[Conversation]) -> None: ...
    async def move_customer(
        self, workspace_id: WorkspaceId, source: CustomerId, target: CustomerId
    ) -> int: ...


class MessageRepository(Protocol):
    async def add_many(self, messages: Sequence[Message]) -> None: ...
    async def by_client_ids(
        self, workspace_id: WorkspaceId, pairs: Sequence[tuple[ConversationId, str | None]]
    ) -> dict[tuple[ConversationId, str], Message]:
        """Stored messages with these (conversation, client message id) pairs."""
        ...

    async def list(
        self, workspace_id: WorkspaceId, conversation_id: ConversationId, *, after_seq: int, limit: int
    ) -> list[Message]: ...


class NoteRepository(Protocol):
    async def add(self, note: Note) -> None: ...
    async def list(self, workspace_id: WorkspaceId, conversation_id: ConversationId) -> list[Note]: ...
