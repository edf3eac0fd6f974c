"""What agent actions need from storage."""

from __future__ import annotations

from typing import Protocol

from holdless.agents.model import AgentProfile
from holdless.ids import UserId, WorkspaceId


class AgentRepository(Protocol):
    async def get(self, workspace_id: WorkspaceId, user_id: UserId) -> AgentProfile: ...
    async def list(self, workspace_id: WorkspaceId) -> list[AgentProfile]: ...
    async def save(self, profile: AgentProfile) -> None: ...
