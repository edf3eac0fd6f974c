"""Permissioned fetches: who may see which conversation. Refusals look like "not found" on purpose."""

from __future__ import annotations

from holdless.conversations.model import Conversation
from holdless.errors import NotFound
from holdless.ids import ConversationId
from holdless.tenancy import Actor, CustomerPrincipal, Principal, Role
from holdless.unit_of_work import UnitOfWork

_HIDDEN = "No such conversation in this workspace."


async def visible_conversation(
    uow: UnitOfWork, actor: Actor, conversation_id: ConversationId, *, for_update: bool = False
) -> Conversation:
    """Agents see conversations assigned to them and those waiting in their queues; supervisors and
    admins see the whole workspace; a customer sees only their own."""
    conversation = await uow.conversations.get(actor.workspace_id, conversation_id, for_update=for_update)
    if isinstance(actor, CustomerPrincipal):
        if conversation.customer_id != actor.customer_id:
            raise NotFound(_HIDDEN)
    elif (
        isinstance(actor, Principal)
        and actor.role is Role.AGENT
        and conversation.assignee_id != actor.user_id
    ):
        if conversation.assignee_id is not None or conversation.queue_id is None:
            raise NotFound(_HIDDEN)
        profile = await uow.agents.get(actor.workspace_id, actor.user_id)
        if conversation.queue_id not in profile.queue_ids:
            raise NotFound(_HIDDEN)
    return conversation
