"""Event-log reads for the realtime hub and websocket replays, each in its own short transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from holdless.events import Event
from holdless.ids import ConversationId, WorkspaceId
from holdless.storage.repositories.event_log import SqlEventLog


class SqlEventSource:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def events_after(
        self, workspace_id: WorkspaceId, after: int, *, limit: int, conversation_id: str | None = None
    ) -> list[Event]:
        async with self._engine.connect() as conn:
            return await SqlEventLog(conn).list(
                workspace_id,
                after=after,
                limit=limit,
                conversation_id=ConversationId(conversation_id) if conversation_id else None,
            )

    async def last_seq(self, workspace_id: WorkspaceId) -> int:
        async with self._engine.connect() as conn:
            return await SqlEventLog(conn).last_seq(workspace_id)
