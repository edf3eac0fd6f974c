"""Channel bookkeeping: thread keys → conversation, deliveries sent, listener cursors.

Each call runs in its own short transaction on the engine: these rows are adapter state, not domain
state, and they are written so that a repeat (a redelivery, a restart) is harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from holdless.clock import Clock
from holdless.conversations.model import Channel
from holdless.ids import ConversationId, MessageId, WorkspaceId
from holdless.storage.tables import channel_cursors, channel_deliveries, channel_threads


class SqlThreadMap:
    """`conversations.intake.ThreadMap` over the channel_threads table."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    async def find(
        self, workspace_id: WorkspaceId, channel: Channel, keys: Sequence[str]
    ) -> list[ConversationId]:
        if not keys:
            return []
        query = select(channel_threads.c.key, channel_threads.c.conversation_id).where(
            channel_threads.c.workspace_id == workspace_id,
            channel_threads.c.channel == channel.value,
            channel_threads.c.key.in_(list(keys)),
        )
        async with self._engine.connect() as conn:
            rows = {row.key: ConversationId(row.conversation_id) for row in await conn.execute(query)}
        found: list[ConversationId] = []
        for key in keys:
            conversation_id = rows.get(key)
            if conversation_id is not None and conversation_id not in found:
                found.append(conversation_id)
        return found

    async def remember(
        self,
        workspace_id: WorkspaceId,
        channel: Channel,
        keys: Sequence[str],
        conversation_id: ConversationId,
    ) -> None:
        now = self._clock.now()
        for key in dict.fromkeys(keys):
            try:
                async with self._engine.begin() as conn:
                    await conn.execute(
                        insert(channel_threads).values(
                            workspace_id=workspace_id,
                            channel=channel.value,
                            key=key,
                            conversation_id=conversation_id,
                            created_at=now,
                        )
                    )
            except IntegrityError:
                continue  # already mapped: a mapping is never moved to another conversation

    async def keys_of(
        self, workspace_id: WorkspaceId, channel: Channel, conversation_id: ConversationId
    ) -> list[str]:
        query = (
            select(channel_threads.c.key)
            .where(
                channel_threads.c.workspace_id == workspace_id,
                channel_threads.c.channel == channel.value,
                channel_threads.c.conversation_id == conversation_id,
            )
            .order_by(channel_threads.c.created_at, channel_threads.c.key)
        )
        async with self._engine.connect() as conn:
            return [row.key for row in await conn.execute(query)]


@dataclass(frozen=True, slots=True)
class Delivery:
    message_id: MessageId
    status: str
    external_id: str | None
    attempts: int


class SqlDeliveries:
    """One row per outgoing message: claimed before the send, marked sent after it."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, message_id: MessageId) -> Delivery | None:
        query = select(channel_deliveries).where(channel_deliveries.c.message_id == message_id)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else Delivery(row.message_id, row.status, row.external_id, row.attempts)

    async def claim(
        self,
        workspace_id: WorkspaceId,
        channel: Channel,
        conversation_id: ConversationId,
        message_id: MessageId,
        now: datetime,
    ) -> bool:
        """True when this process may send the message: new, or left half-sent by a crash."""
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    insert(channel_deliveries).values(
                        message_id=message_id,
                        workspace_id=workspace_id,
                        channel=channel.value,
                        conversation_id=conversation_id,
                        status="sending",
                        attempts=1,
                        error="",
                        created_at=now,
                    )
                )
            return True
        except IntegrityError:
            pass
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(channel_deliveries)
                .where(
                    channel_deliveries.c.message_id == message_id, channel_deliveries.c.status == "sending"
                )
                .values(attempts=channel_deliveries.c.attempts + 1)
            )
            return bool(result.rowcount)

    async def finish(
        self, message_id: MessageId, *, status: str, external_id: str | None, error: str, now: datetime
    ) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(channel_deliveries)
                .where(channel_deliveries.c.message_id == message_id)
                .values(status=status, external_id=external_id, error=error[:500], sent_at=now)
            )


class SqlCursors:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, workspace_id: WorkspaceId, channel: Channel) -> int | None:
        query = select(channel_cursors.c.seq).where(
            channel_cursors.c.workspace_id == workspace_id, channel_cursors.c.channel == channel.value
        )
        async with self._engine.connect() as conn:
            seq = (await conn.execute(query)).scalar()
        return None if seq is None else int(seq)

    async def set(self, workspace_id: WorkspaceId, channel: Channel, seq: int) -> None:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(channel_cursors)
                .where(
                    channel_cursors.c.workspace_id == workspace_id, channel_cursors.c.channel == channel.value
                )
                .values(seq=seq)
            )
            if not result.rowcount:
                await conn.execute(
                    insert(channel_cursors).values(workspace_id=workspace_id, channel=channel.value, seq=seq)
                )
