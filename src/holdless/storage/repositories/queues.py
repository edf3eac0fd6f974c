"""Queues and their segments."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from holdless.errors import Conflict, NotFound
from holdless.ids import QueueId, WorkspaceId
from holdless.routing.queues import Queue, Segment
from holdless.storage.tables import queues


def _queue(row: Any) -> Queue:
    return Queue(
        id=row.id,
        workspace_id=row.workspace_id,
        name=row.name,
        skills=dict(row.skills),
        languages=tuple(row.languages),
        segments=tuple(Segment(**s) for s in row.segments),
    )


def _values(queue: Queue) -> dict[str, Any]:
    return {
        "name": queue.name,
        "skills": dict(queue.skills),
        "languages": list(queue.languages),
        "segments": [
            {
                "name": s.name,
                "priority": s.priority,
                "target_seconds": s.target_seconds,
                "service_level": s.service_level,
            }
            for s in queue.segments
        ],
    }


class SqlQueues:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, workspace_id: WorkspaceId, queue_id: QueueId) -> Queue:
        query = select(queues).where(queues.c.workspace_id == workspace_id, queues.c.id == queue_id)
        row = (await self._conn.execute(query)).first()
        if row is None:
            raise NotFound("No such queue in this workspace.")
        return _queue(row)

    async def list(self, workspace_id: WorkspaceId) -> list[Queue]:
        query = select(queues).where(queues.c.workspace_id == workspace_id).order_by(queues.c.name)
        return [_queue(row) for row in await self._conn.execute(query)]

    async def _check_name(self, queue: Queue) -> None:
        query = select(queues.c.id).where(
            queues.c.workspace_id == queue.workspace_id, queues.c.name == queue.name, queues.c.id != queue.id
        )
        if (await self._conn.execute(query)).first() is not None:
            raise Conflict(f"A queue named '{queue.name}' already exists.", field="name")

    async def add(self, queue: Queue) -> None:
        await self._check_name(queue)
        await self._conn.execute(
            insert(queues).values(id=queue.id, workspace_id=queue.workspace_id, **_values(queue))
        )

    async def update(self, queue: Queue) -> None:
        await self._check_name(queue)
        await self._conn.execute(
            update(queues)
            .where(queues.c.workspace_id == queue.workspace_id, queues.c.id == queue.id)
            .values(**_values(queue))
        )
