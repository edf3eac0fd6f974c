"""What queue actions need from storage."""

from __future__ import annotations

from typing import Protocol

from holdless.ids import QueueId, WorkspaceId
from holdless.routing.queues import Queue


class QueueRepository(Protocol):
    async def get(self, workspace_id: WorkspaceId, queue_id: QueueId) -> Queue: ...
    async def list(self, workspace_id: WorkspaceId) -> list[Queue]: ...
    async def add(self, queue: Queue) -> None: ...
    async def update(self, queue: Queue) -> None: ...
