"""Complaint settings (calendar and categories) and the complaints register."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from holdless.complaints.model import Complaint, ComplaintSettings, settings_from, settings_to
from holdless.errors import NotFound
from holdless.ids import ConversationId, WorkspaceId
from holdless.storage.tables import complaint_settings, complaints


def _complaint(row: Any) -> Complaint:
    return Complaint(
        id=row.id,
        workspace_id=row.workspace_id,
        conversation_id=row.conversation_id,
        customer_id=row.customer_id,
        category=row.category,
        opened_at=row.opened_at,
        due={k: datetime.fromisoformat(v) for k, v in row.due.items()},
        done={k: datetime.fromisoformat(v) for k, v in row.done.items()},
        warned={k: datetime.fromisoformat(v) for k, v in row.warned.items()},
    )


def _times(values: Any) -> dict[str, str]:
    return {k: v.isoformat() for k, v in values.items()}


class SqlComplaints:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def settings(self, workspace_id: WorkspaceId) -> ComplaintSettings | None:
        query = select(complaint_settings.c.document).where(complaint_settings.c.workspace_id == workspace_id)
        document = (await self._conn.execute(query)).scalar_one_or_none()
        return None if document is None else settings_from(document)

    async def save_settings(self, workspace_id: WorkspaceId, settings: ComplaintSettings) -> None:
        await self._conn.execute(
            delete(complaint_settings).where(complaint_settings.c.workspace_id == workspace_id)
        )
        await self._conn.execute(
            insert(complaint_settings).values(workspace_id=workspace_id, document=settings_to(settings))
        )

    async def add(self, complaint: Complaint) -> None:
        await self._conn.execute(
            insert(complaints).values(
                id=complaint.id,
                workspace_id=complaint.workspace_id,
                conversation_id=complaint.conversation_id,
                customer_id=complaint.customer_id,
                category=complaint.category,
                opened_at=complaint.opened_at,
                due=_times(complaint.due),
                done=_times(complaint.done),
                warned=_times(complaint.warned),
            )
        )

    async def get(self, workspace_id: WorkspaceId, complaint_id: str) -> Complaint:
        query = select(complaints).where(
            complaints.c.workspace_id == workspace_id, complaints.c.id == complaint_id
        )
        row = (await self._conn.execute(query)).first()
        if row is None:
            raise NotFound("No such complaint in this workspace.")
        return _complaint(row)

    async def for_conversation(
        self, workspace_id: WorkspaceId, conversation_id: ConversationId
    ) -> Complaint | None:
        query = select(complaints).where(
            complaints.c.workspace_id == workspace_id, complaints.c.conversation_id == conversation_id
        )
        row = (await self._conn.execute(query)).first()
        return None if row is None else _complaint(row)

    async def save(self, complaint: Complaint) -> None:
        await self._conn.execute(
            update(complaints)
            .where(complaints.c.workspace_id == complaint.workspace_id, complaints.c.id == complaint.id)
            .values(done=_times(complaint.done), warned=_times(complaint.warned))
        )

    async def open_ones(self, workspace_id: WorkspaceId) -> list[Complaint]:
        query = select(complaints).where(complaints.c.workspace_id == workspace_id)
        return [c for c in (_complaint(row) for row in await self._conn.execute(query)) if not c.closed]

    async def list(self, workspace_id: WorkspaceId, *, limit: int) -> list[Complaint]:
        query = (
            select(complaints)
            .where(complaints.c.workspace_id == workspace_id)
            .order_by(complaints.c.opened_at.desc(), complaints.c.id.desc())
            .limit(limit)
        )
        return [_complaint(row) for row in await self._conn.execute(query)]
