"""Reading the event log (the audit trail). Supervisors and admins only."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from holdless.events import Event
from holdless.ids import ConversationId, WorkspaceId
from holdless.tenancy import Principal, Role
from holdless.unit_of_work import Ctx


async def list_events(
    ctx: Ctx, actor: Principal, *, after: int, limit: int, conversation_id: ConversationId | None
) -> list[Event]:
    actor.require(Role.SUPERVISOR)
    async with ctx.uow() as uow:
        return await uow.events.list(
            actor.workspace_id, after=after, limit=min(limit, 1000), conversation_id=conversation_id
        )


async def read_log(
    ctx: Ctx, workspace_id: WorkspaceId, *, types: Collection[str], until: datetime, page: int = 5000
) -> list[Event]:
    """The workspace's events of ``types`` before ``until``, in order, read page by page (reports)."""
    found: list[Event] = []
    after = 0
    async with ctx.uow() as uow:
        while True:
            batch = await uow.events.list(workspace_id, after=after, limit=page, types=types)
            found += [e for e in batch if e.at < until]
            if len(batch) < page or batch[-1].at >= until:
                return found
            after = batch[-1].seq
