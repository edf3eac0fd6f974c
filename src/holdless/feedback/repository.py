"""What survey actions need from storage."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from holdless.feedback.model import Survey
from holdless.ids import ConversationId, CustomerId, WorkspaceId


class SurveyRepository(Protocol):
    async def add(self, survey: Survey) -> None: ...
    async def save(self, survey: Survey) -> None: ...
    async def latest_for(
        self, workspace_id: WorkspaceId, conversation_id: ConversationId
    ) -> Survey | None: ...
    async def asked_since(
        self, workspace_id: WorkspaceId, customer_id: CustomerId, since: datetime
    ) -> bool: ...
