"""The append-only event log and its per-workspace, gap-free sequence."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from holdless.events import Audience, Event
from holdless.ids import ConversationId, WorkspaceId
from holdless.storage.tables import events, workspaces


def _event(row: Any) -> Event:
    return Event(
        type=row.type,
        workspace_id=row.workspace_id,
        actor=row.actor,
        at=row.at,
        data=row.data,
        conversation_id=row.conversation_id,
        queue_id=row.queue_id,
        assignee_id=row.assignee_id,
        audience=Audience(row.audience),
        seq=row.seq,
    )


# Built once (the hot path of every commit): SQLAlchemy reuses the compiled statements from its cache.
_RESERVE = (
    update(workspaces)
    .where(workspaces.c.id == bindparam("workspace_id"))
    .values(event_seq=workspaces.c.event_seq + bindparam("count"))
    .returning(workspaces.c.event_seq)
)
_INSERT = insert(events)


def _row(e: Event) -> dict[str, Any]:
    return {
        "workspace_id": e.workspace_id,
        "seq": e.seq,
        "type": e.type,
        "actor": e.actor,
        "at": e.at,
        "conversation_id": e.conversation_id,
        "queue_id": e.queue_id,
        "assignee_id": e.assignee_id,
        "audience": e.audience.value,
        "data": dict(e.data),
    }


class SqlEventLog:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def append(self, pending: Sequence[Event]) -> list[Event]:
        """Number and insert events. Called last in a transaction: the workspace row lock it takes is held
        only until commit, and it makes sequence order equal commit order (see docs/realtime.md)."""
        numbered: list[Event] = []
        by_workspace: dict[WorkspaceId, list[Event]] = {}
        for e in pending:
            by_workspace.setdefault(e.workspace_id, []).append(e)
        for workspace_id in sorted(by_workspace):
            batch = by_workspace[workspace_id]
            result = await self._conn.execute(_RESERVE, {"workspace_id": workspace_id, "count": len(batch)})
            first = int(result.scalar_one()) - len(batch) + 1
            numbered.extend(e.numbered(first + i) for i, e in enumerate(batch))
        await self._conn.execute(_INSERT, [_row(e) for e in numbered])
        return numbered

    async def list(
        self,
        workspace_id: WorkspaceId,
        *,
        after: int,
        limit: int,
        conversation_id: ConversationId | None = None,
        types: Collection[str] | None = None,
    ) -> list[Event]:
        query = select(events).where(events.c.workspace_id == workspace_id, events.c.seq > after)
        if conversation_id is not None:
            query = query.where(events.c.conversation_id == conversation_id)
        if types is not None:
            query = query.where(events.c.type.in_(sorted(types)))
        rows = await self._conn.execute(query.order_by(events.c.seq).limit(limit))
        return [_event(row) for row in rows]

    async def latest(
        self, workspace_id: WorkspaceId, conversation_id: ConversationId, event_type: str
    ) -> Event | None:
        query = (
            select(events)
            .where(
                events.c.workspace_id == workspace_id,
                events.c.conversation_id == conversation_id,
                events.c.type == event_type,
            )
            .order_by(events.c.seq.desc())
            .limit(1)
        )
        row = (await self._conn.execute(query)).first()
        return None if row is None else _event(row)

    async def last_seq(self, workspace_id: WorkspaceId) -> int:
        query = select(workspaces.c.event_seq).where(workspaces.c.id == workspace_id)
        return int((await self._conn.execute(query)).scalar_one_or_none() or 0)
