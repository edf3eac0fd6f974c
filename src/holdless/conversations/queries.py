"""Read-side finders for conversations, scoped to what the asker may see."""

from __future__ import annotations

from dataclasses import replace

from holdless.conversations.access import visible_conversation
from holdless.conversations.model import Conversation, Message, Note
from holdless.conversations.repository import ConversationFilter
from holdless.ids import ConversationId
from holdless.tenancy import Actor, CustomerPrincipal, Principal, Role
from holdless.unit_of_work import Ctx

MAX_PAGE = 200


async def list_conversations(
    ctx: Ctx, actor: Principal, where: ConversationFilter, *, limit: int = 50, before: str | None = None
) -> list[Conversation]:
    async with ctx.uow() as uow:
        if actor.role is Role.AGENT:
            profile = await uow.agents.get(actor.workspace_id, actor.user_id)
            where = replace(where, visible_to_agent=(actor.user_id, profile.queue_ids))
        return await uow.conversations.list(
            actor.workspace_id, where, limit=min(limit, MAX_PAGE), before=before
        )


async def get_conversation(ctx: Ctx, actor: Actor, conversation_id: ConversationId) -> Conversation:
    async with ctx.uow() as uow:
        return await visible_conversation(uow, actor, conversation_id)


async def list_messages(
    ctx: Ctx, actor: Actor, conversation_id: ConversationId, *, after_seq: int = 0, limit: int = 100
) -> list[Message]:
    async with ctx.uow() as uow:
        conversation = await visible_conversation(uow, actor, conversation_id)
        return await uow.messages.list(
            actor.workspace_id, conversation.id, after_seq=after_seq, limit=min(limit, MAX_PAGE)
        )


async def list_notes(ctx: Ctx, actor: Principal, conversation_id: ConversationId) -> list[Note]:
    async with ctx.uow() as uow:
        conversation = await visible_conversation(uow, actor, conversation_id)
        return await uow.notes.list(actor.workspace_id, conversation.id)


async def customer_conversations(
    ctx: Ctx, actor: CustomerPrincipal, *, limit: int = 20
) -> list[Conversation]:
    async with ctx.uow() as uow:
        where = ConversationFilter(customer_id=actor.customer_id)
        return await uow.conversations.list(actor.workspace_id, where, limit=limit, before=None)
