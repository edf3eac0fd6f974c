"""Surveys asked after resolutions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from holdless.feedback.model import Question, Survey
from holdless.ids import ConversationId, CustomerId, WorkspaceId
from holdless.storage.tables import surveys


def _survey(row: Any) -> Survey:
    return Survey(
        id=row.id,
        workspace_id=row.workspace_id,
        conversation_id=row.conversation_id,
        customer_id=row.customer_id,
        channel=row.channel,
        language=row.language,
        questions=tuple(Question(q) for q in row.questions),
        requested_at=row.requested_at,
        answered_at=row.answered_at,
        answers=dict(row.answers),
        comment=row.comment,
    )


class SqlSurveys:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, survey: Survey) -> None:
        await self._conn.execute(
            insert(surveys).values(
                id=survey.id,
                workspace_id=survey.workspace_id,
                conversation_id=survey.conversation_id,
                customer_id=survey.customer_id,
                channel=survey.channel,
                language=survey.language,
                questions=[q.value for q in survey.questions],
                requested_at=survey.requested_at,
                answered_at=survey.answered_at,
                answers=dict(survey.answers),
                comment=survey.comment,
            )
        )

    async def save(self, survey: Survey) -> None:
        await self._conn.execute(
            update(surveys)
            .where(surveys.c.workspace_id == survey.workspace_id, surveys.c.id == survey.id)
            .values(answered_at=survey.answered_at, answers=dict(survey.answers), comment=survey.comment)
        )

    async def latest_for(self, workspace_id: WorkspaceId, conversation_id: ConversationId) -> Survey | None:
        query = (
            select(surveys)
            .where(surveys.c.workspace_id == workspace_id, surveys.c.conversation_id == conversation_id)
            .order_by(surveys.c.requested_at.desc())
            .limit(1)
        )
        row = (await self._conn.execute(query)).first()
        return None if row is None else _survey(row)

    async def asked_since(self, workspace_id: WorkspaceId, customer_id: CustomerId, since: datetime) -> bool:
        query = (
            select(surveys.c.id)
            .where(
                surveys.c.workspace_id == workspace_id,
                surveys.c.customer_id == customer_id,
                surveys.c.requested_at >= since,
            )
            .limit(1)
        )
        return (await self._conn.execute(query)).first() is not None
