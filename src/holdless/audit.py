"""Reading the event log (the audit trail). Supervisors and admins only."""

from __future__ import annotations

from holdless.events import Event
from holdless.ids import ConversationId
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
