"""Read-side finders for queues."""

from __future__ import annotations

from holdless.ids import QueueId
from holdless.routing.queues import Queue
from holdless.tenancy import Principal
from holdless.unit_of_work import Ctx


async def list_queues(ctx: Ctx, actor: Principal) -> list[Queue]:
    async with ctx.uow() as uow:
        return await uow.queues.list(actor.workspace_id)


async def get_queue(ctx: Ctx, actor: Principal, queue_id: QueueId) -> Queue:
    async with ctx.uow() as uow:
        return await uow.queues.get(actor.workspace_id, queue_id)
