"""Agent profiles."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from holdless.agents.model import AgentProfile, AgentState
from holdless.conversations.model import Channel
from holdless.errors import NotFound
from holdless.ids import UserId, WorkspaceId
from holdless.storage.tables import agent_profiles


def _profile(row: Any) -> AgentProfile:
    return AgentProfile(
        user_id=row.user_id,
        workspace_id=row.workspace_id,
        skills=dict(row.skills),
        languages=tuple(row.languages),
        capacity={Channel(k): int(v) for k, v in row.capacity.items()},
        queue_ids=tuple(row.queue_ids),
        state=AgentState(row.state),
        state_since=row.state_since,
    )


class SqlAgents:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, workspace_id: WorkspaceId, user_id: UserId) -> AgentProfile:
        query = select(agent_profiles).where(
            agent_profiles.c.workspace_id == workspace_id, agent_profiles.c.user_id == user_id
        )
        row = (await self._conn.execute(query)).first()
        if row is None:
            raise NotFound("No such agent in this workspace.")
        return _profile(row)

    async def list(self, workspace_id: WorkspaceId) -> list[AgentProfile]:
        query = select(agent_profiles).where(agent_profiles.c.workspace_id == workspace_id)
        return [_profile(row) for row in await self._conn.execute(query.order_by(agent_profiles.c.user_id))]

    async def save(self, profile: AgentProfile) -> None:
        values = {
            "skills": dict(profile.skills),
            "languages": list(profile.languages),
            "capacity": {k.value: v for k, v in profile.capacity.items()},
            "queue_ids": list(profile.queue_ids),
            "state": profile.state.value,
            "state_since": profile.state_since,
        }
        result = await self._conn.execute(
            update(agent_profiles)
            .where(
                agent_profiles.c.workspace_id == profile.workspace_id,
                agent_profiles.c.user_id == profile.user_id,
            )
            .values(**values)
        )
        if not result.rowcount:
            await self._conn.execute(
                insert(agent_profiles).values(
                    user_id=profile.user_id, workspace_id=profile.workspace_id, **values
                )
            )
