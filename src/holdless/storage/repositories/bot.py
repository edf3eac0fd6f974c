"""The virtual agent's flows, cursors, per-conversation state and handoff cards."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from holdless.bot.repository import StoredFlows
from holdless.ids import ConversationId, WorkspaceId
from holdless.storage.tables import bot_conversations, bot_flows


class SqlBot:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def flows(self, workspace_id: WorkspaceId) -> StoredFlows | None:
        row = (
            await self._conn.execute(select(bot_flows).where(bot_flows.c.workspace_id == workspace_id))
        ).first()
        if row is None:
            return None
        return StoredFlows(
            WorkspaceId(row.workspace_id), row.definition, row.updated_at, row.updated_by, int(row.cursor)
        )

    async def save_flows(
        self, workspace_id: WorkspaceId, definition: Mapping[str, Any], at: datetime, by: str, cursor: int
    ) -> None:
        changed = await self._conn.execute(
            update(bot_flows)
            .where(bot_flows.c.workspace_id == workspace_id)
            .values(definition=dict(definition), updated_at=at, updated_by=by)
        )
        if changed.rowcount == 0:
            await self._conn.execute(
                insert(bot_flows).values(
                    workspace_id=workspace_id,
                    definition=dict(definition),
                    updated_at=at,
                    updated_by=by,
                    cursor=cursor,
                )
            )

    async def workspaces(self) -> list[WorkspaceId]:
        rows = await self._conn.execute(select(bot_flows.c.workspace_id))
        return [WorkspaceId(row.workspace_id) for row in rows]

    async def move_cursor(self, workspace_id: WorkspaceId, seq: int) -> None:
        await self._conn.execute(
            update(bot_flows).where(bot_flows.c.workspace_id == workspace_id).values(cursor=seq)
        )

    async def _row(self, workspace_id: WorkspaceId, conversation_id: ConversationId) -> Any:
        query = select(bot_conversations).where(
            bot_conversations.c.workspace_id == workspace_id,
            bot_conversations.c.conversation_id == conversation_id,
        )
        return (await self._conn.execute(query)).first()

    async def state(
        self, workspace_id: WorkspaceId, conversation_id: ConversationId
    ) -> Mapping[str, Any] | None:
        row = await self._row(workspace_id, conversation_id)
        return None if row is None else dict(row.state)

    async def card(
        self, workspace_id: WorkspaceId, conversation_id: ConversationId
    ) -> Mapping[str, Any] | None:
        row = await self._row(workspace_id, conversation_id)
        return None if row is None or row.card is None else dict(row.card)

    async def save(
        self,
        workspace_id: WorkspaceId,
        conversation_id: ConversationId,
        state: Mapping[str, Any],
        card: Mapping[str, Any] | None,
        at: datetime,
    ) -> None:
        values: dict[str, Any] = {"state": dict(state), "updated_at": at}
        if card is not None:
            values["card"] = dict(card)
        changed = await self._conn.execute(
            update(bot_conversations)
            .where(
                bot_conversations.c.workspace_id == workspace_id,
                bot_conversations.c.conversation_id == conversation_id,
            )
            .values(**values)
        )
        if changed.rowcount == 0:
            values.setdefault("card", None)
            await self._conn.execute(
                insert(bot_conversations).values(
                    workspace_id=workspace_id, conversation_id=conversation_id, **values
                )
            )
