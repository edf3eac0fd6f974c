"""Offers and callback promises."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from holdless.errors import Conflict, NotFound
from holdless.ids import ConversationId, UserId, WorkspaceId
from holdless.routing.promises import CallbackRecord, CallbackStatus, OfferRecord, OfferStatus
from holdless.storage.tables import callbacks, offers


def _offer(row: Any) -> OfferRecord:
    return OfferRecord(
        id=row.id,
        workspace_id=row.workspace_id,
        conversation_id=row.conversation_id,
        agent_id=row.agent_id,
        channel=row.channel,
        status=OfferStatus(row.status),
        created_at=row.created_at,
        expires_at=row.expires_at,
        ended_at=row.ended_at,
        reason=row.reason,
    )


class SqlOffers:
    def __init__(self, conn: AsyncConnection, *, row_locks: bool) -> None:
        self._conn = conn
        self._row_locks = row_locks

    async def add(self, offer: OfferRecord) -> None:
        try:
            await self._conn.execute(
                insert(offers).values(
                    id=offer.id,
                    workspace_id=offer.workspace_id,
                    conversation_id=offer.conversation_id,
                    agent_id=offer.agent_id,
                    channel=offer.channel,
                    status=offer.status.value,
                    created_at=offer.created_at,
                    expires_at=offer.expires_at,
                    ended_at=offer.ended_at,
                    reason=offer.reason,
                )
            )
        except IntegrityError as error:
            raise Conflict("This conversation is already offered to an agent.") from error

    async def get(self, workspace_id: WorkspaceId, offer_id: str, *, for_update: bool = False) -> OfferRecord:
        query = select(offers).where(offers.c.workspace_id == workspace_id, offers.c.id == offer_id)
        if for_update and self._row_locks:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        if row is None:
            raise NotFound("No such offer in this workspace.")
        return _offer(row)

    async def pending_for(
        self, workspace_id: WorkspaceId, conversation_id: ConversationId
    ) -> OfferRecord | None:
        query = select(offers).where(
            offers.c.workspace_id == workspace_id,
            offers.c.conversation_id == conversation_id,
            offers.c.status == OfferStatus.PENDING.value,
        )
        row = (await self._conn.execute(query)).first()
        return None if row is None else _offer(row)

    async def finish(
        self, offer: OfferRecord, status: OfferStatus, at: datetime, reason: str = ""
    ) -> OfferRecord | None:
        result = await self._conn.execute(
            update(offers)
            .where(
                offers.c.workspace_id == offer.workspace_id,
                offers.c.id == offer.id,
                offers.c.status == OfferStatus.PENDING.value,
            )
            .values(status=status.value, ended_at=at, reason=reason[:200])
        )
        if result.rowcount != 1:
            return None
        return replace(offer, status=status, ended_at=at, reason=reason[:200])

    async def list(
        self,
        workspace_id: WorkspaceId,
        *,
        agent_id: UserId | None = None,
        status: OfferStatus | None = None,
        limit: int = 100,
    ) -> list[OfferRecord]:
        query = select(offers).where(offers.c.workspace_id == workspace_id)
        if agent_id is not None:
            query = query.where(offers.c.agent_id == agent_id)
        if status is not None:
            query = query.where(offers.c.status == status.value)
        query = query.order_by(offers.c.created_at.desc(), offers.c.id.desc()).limit(limit)
        return [_offer(row) for row in await self._conn.execute(query)]


def _callback(row: Any) -> CallbackRecord:
    return CallbackRecord(
        id=row.id,
        workspace_id=row.workspace_id,
        conversation_id=row.conversation_id,
        customer_id=row.customer_id,
        channel=row.channel,
        window_start=row.window_start,
        window_end=row.window_end,
        status=CallbackStatus(row.status),
        created_at=row.created_at,
        phone=row.phone,
        attempts=row.attempts,
        at_risk=row.at_risk,
        ended_at=row.ended_at,
        reason=row.reason,
    )


def _callback_values(callback: CallbackRecord) -> dict[str, Any]:
    return {
        "workspace_id": callback.workspace_id,
        "conversation_id": callback.conversation_id,
        "customer_id": callback.customer_id,
        "channel": callback.channel,
        "phone": callback.phone,
        "window_start": callback.window_start,
        "window_end": callback.window_end,
        "status": callback.status.value,
        "attempts": callback.attempts,
        "at_risk": callback.at_risk,
        "created_at": callback.created_at,
        "ended_at": callback.ended_at,
        "reason": callback.reason[:200],
    }


class SqlCallbacks:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, callback: CallbackRecord) -> None:
        try:
            await self._conn.execute(insert(callbacks).values(id=callback.id, **_callback_values(callback)))
        except IntegrityError as error:
            raise Conflict("This conversation already has a callback promised.") from error

    async def get(self, workspace_id: WorkspaceId, callback_id: str) -> CallbackRecord:
        query = select(callbacks).where(
            callbacks.c.workspace_id == workspace_id, callbacks.c.id == callback_id
        )
        row = (await self._conn.execute(query)).first()
        if row is None:
            raise NotFound("No such callback in this workspace.")
        return _callback(row)

    async def open_for(
        self, workspace_id: WorkspaceId, conversation_id: ConversationId
    ) -> CallbackRecord | None:
        query = select(callbacks).where(
            callbacks.c.workspace_id == workspace_id,
            callbacks.c.conversation_id == conversation_id,
            callbacks.c.status == CallbackStatus.PROMISED.value,
        )
        row = (await self._conn.execute(query)).first()
        return None if row is None else _callback(row)

    async def save(self, callback: CallbackRecord) -> None:
        await self._conn.execute(
            update(callbacks)
            .where(callbacks.c.workspace_id == callback.workspace_id, callbacks.c.id == callback.id)
            .values(**_callback_values(callback))
        )

    async def list(
        self, workspace_id: WorkspaceId, *, status: CallbackStatus | None = None, limit: int = 100
    ) -> list[CallbackRecord]:
        query = select(callbacks).where(callbacks.c.workspace_id == workspace_id)
        if status is not None:
            query = query.where(callbacks.c.status == status.value)
        query = query.order_by(callbacks.c.window_end, callbacks.c.id).limit(limit)
        return [_callback(row) for row in await self._conn.execute(query)]

    async def counts(self, workspace_id: WorkspaceId) -> dict[CallbackStatus, int]:
        query = (
            select(callbacks.c.status, func.count())
            .where(callbacks.c.workspace_id == workspace_id)
            .group_by(callbacks.c.status)
        )
        found = {CallbackStatus(status): count for status, count in await self._conn.execute(query)}
        return {status: found.get(status, 0) for status in CallbackStatus}
