"""Read-side finders for queues."""

from __future__ import annotations

from typing import Any

from holdless.conversations.access import visible_conversation
from holdless.ids import ConversationId, QueueId
from holdless.routing.callback_actions import waiting_for_person
from holdless.routing.decision_records import POSITION
from holdless.routing.queues import Queue
from holdless.tenancy import Actor, Principal
from holdless.unit_of_work import Ctx


async def list_queues(ctx: Ctx, actor: Principal) -> list[Queue]:
    async with ctx.uow() as uow:
        return await uow.queues.list(actor.workspace_id)


async def get_queue(ctx: Ctx, actor: Principal, queue_id: QueueId) -> Queue:
    async with ctx.uow() as uow:
        return await uow.queues.get(actor.workspace_id, queue_id)


async def place_in_line(ctx: Ctx, actor: Actor, conversation_id: ConversationId) -> dict[str, Any]:
    """The customer's last published place in line and expected wait (engine decisions are logged)."""
    async with ctx.uow() as uow:
        conversation = await visible_conversation(uow, actor, conversation_id)
        waiting = waiting_for_person(conversation)
        latest = await uow.events.latest(actor.workspace_id, conversation.id, POSITION) if waiting else None
    return {
        "conversation_id": conversation.id,
        "waiting": waiting,
        "position": latest.data["position"] if latest else None,
        "expected_wait_seconds": latest.data["expected_wait_seconds"] if latest else None,
        "updated_at": latest.at.isoformat() if latest else None,
    }
