"""The only functions that change a conversation's lifecycle: start, queue, assign, transfer, resolve…"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from holdless.conversations import events as ev
from holdless.conversations.access import visible_conversation
from holdless.conversations.model import Channel, Conversation, Status
from holdless.errors import Forbidden, Invalid
from holdless.events import Audience
from holdless.feedback.actions import ask_after_resolution
from holdless.ids import ConversationId, CustomerId, QueueId, UserId, new_id
from holdless.tenancy import Actor, CustomerPrincipal, Principal, Role
from holdless.unit_of_work import Ctx, UnitOfWork


async def _enqueue(
    uow: UnitOfWork,
    actor: Actor,
    conversation: Conversation,
    queue_id: QueueId,
    now: datetime,
    *,
    reason: str,
) -> Conversation:
    queue = await uow.queues.get(actor.workspace_id, queue_id)
    customer = await uow.customers.get(actor.workspace_id, conversation.customer_id)
    queued = conversation.enqueue(queue.id, queue.segment(customer.segment).name, now)
    await uow.conversations.update(queued)
    uow.record(ev.conversation_event(ev.QUEUED, queued, actor.actor, now, reason=reason))
    return queued


async def start_conversation(
    ctx: Ctx,
    actor: Actor,
    customer_id: CustomerId,
    *,
    channel: Channel,
    subject: str = "",
    language: str | None = None,
    queue_id: QueueId | None = None,
) -> Conversation:
    """A new conversation starts with the virtual agent, or straight in line when a queue is named."""
    if isinstance(actor, CustomerPrincipal) and actor.customer_id != customer_id:
        raise Invalid("Customers can only start their own conversations.")
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        customer = await uow.customers.get(actor.workspace_id, customer_id)
        if customer.merged_into is not None:
            customer = await uow.customers.get(actor.workspace_id, customer.merged_into)
        conversation = Conversation(
            id=ConversationId(new_id("con")),
            workspace_id=actor.workspace_id,
            customer_id=customer.id,
            channel=channel,
            status=Status.WITH_BOT,
            created_at=now,
            subject=subject.strip()[:500],
            language=language or customer.language,
        )
        await uow.conversations.add(conversation)
        uow.record(ev.conversation_event(ev.CREATED, conversation, actor.actor, now))
        if queue_id is not None:
            conversation = await _enqueue(uow, actor, conversation, queue_id, now, reason="started")
    return conversation


async def queue_conversation(
    ctx: Ctx, actor: Actor, conversation_id: ConversationId, queue_id: QueueId, *, reason: str = "requested"
) -> Conversation:
    """Put a conversation in line (the bot hands over, or the customer asked for a person)."""
    async with ctx.uow() as uow:
        conversation = await visible_conversation(uow, actor, conversation_id, for_update=True)
        return await _enqueue(uow, actor, conversation, queue_id, ctx.clock.now(), reason=reason)


async def _agent_in_workspace(uow: UnitOfWork, actor: Principal, agent_id: UserId) -> None:
    user = await uow.users.get(actor.workspace_id, agent_id)
    if not user.active:
        raise Invalid(f"{user.name} is deactivated and cannot take conversations.")
    await uow.agents.get(actor.workspace_id, agent_id)


async def assign(
    ctx: Ctx, actor: Principal, conversation_id: ConversationId, agent_id: UserId
) -> Conversation:
    """An agent takes a waiting conversation, or a supervisor gives it to someone."""
    if agent_id != actor.user_id:
        actor.require(Role.SUPERVISOR)
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        conversation = await visible_conversation(uow, actor, conversation_id, for_update=True)
        await _agent_in_workspace(uow, actor, agent_id)
        previous = conversation.assignee_id
        assigned = conversation.assign(agent_id, now)
        await uow.conversations.update(assigned)
        agent = await uow.users.get(actor.workspace_id, agent_id)
        uow.record(
            ev.conversation_event(
                ev.ASSIGNED, assigned, actor.actor, now, agent_name=agent.name, previous_assignee_id=previous
            )
        )
    return assigned


def _may_handle(actor: Principal, conversation: Conversation) -> None:
    if actor.role is Role.AGENT and conversation.assignee_id != actor.user_id:
        raise Forbidden("Only the agent who has this conversation, or a supervisor, can do that.")


async def transfer(
    ctx: Ctx,
    actor: Principal,
    conversation_id: ConversationId,
    *,
    queue_id: QueueId | None = None,
    agent_id: UserId | None = None,
    reason: str = "",
) -> Conversation:
    """Hand a conversation to another queue (it keeps its first place-in-line time) or another agent."""
    if (queue_id is None) == (agent_id is None):
        raise Invalid("Transfer to exactly one of: a queue or an agent.")
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        conversation = await visible_conversation(uow, actor, conversation_id, for_update=True)
        _may_handle(actor, conversation)
        previous = conversation.assignee_id
        if queue_id is not None:
            moved = await _enqueue(uow, actor, conversation, queue_id, now, reason="transfer")
        else:
            assert agent_id is not None
            await _agent_in_workspace(uow, actor, agent_id)
            moved = conversation.assign(agent_id, now)
            await uow.conversations.update(moved)
        uow.record(
            ev.conversation_event(
                ev.TRANSFERRED, moved, actor.actor, now,
                previous_assignee_id=previous, to_queue_id=queue_id, to_agent_id=agent_id,
                reason=reason[:500],
            )
        )  # fmt: skip
    return moved


async def resolve(
    ctx: Ctx, actor: Principal, conversation_id: ConversationId, *, disposition: str
) -> Conversation:
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        conversation = await visible_conversation(uow, actor, conversation_id, for_update=True)
        _may_handle(actor, conversation)
        workspace = await uow.workspaces.get(actor.workspace_id)
        if disposition not in workspace.dispositions:
            raise Invalid(
                f"Unknown disposition '{disposition}'; use one of: {', '.join(workspace.dispositions)}.",
                field="disposition",
            )
        resolved = conversation.resolve(disposition, now)
        await uow.conversations.update(resolved)
        uow.record(ev.conversation_event(ev.RESOLVED, resolved, actor.actor, now, disposition=disposition))
        await ask_after_resolution(uow, resolved, actor.actor, now)
    return resolved


async def reopen(ctx: Ctx, actor: Actor, conversation_id: ConversationId) -> Conversation:
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        conversation = await visible_conversation(uow, actor, conversation_id, for_update=True)
        reopened = conversation.reopen(now)
        await uow.conversations.update(reopened)
        uow.record(
            ev.conversation_event(
                ev.REOPENED, reopened, actor.actor, now, previous_assignee_id=conversation.assignee_id
            )
        )
    return reopened


async def customer_away(ctx: Ctx, actor: Actor, conversation_id: ConversationId) -> Conversation:
    """The customer closed the page or went quiet on an async channel: their place is kept."""
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        conversation = await visible_conversation(uow, actor, conversation_id, for_update=True)
        if conversation.status is Status.AWAY:
            return conversation
        away = conversation.customer_away(now)
        await uow.conversations.update(away)
        uow.record(ev.conversation_event(ev.AWAY, away, actor.actor, now, audience=Audience.STAFF))
    return away


async def customer_back(ctx: Ctx, actor: Actor, conversation_id: ConversationId) -> Conversation:
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        conversation = await visible_conversation(uow, actor, conversation_id, for_update=True)
        if conversation.status is not Status.AWAY:
            return conversation
        back = conversation.customer_back()
        await uow.conversations.update(back)
        uow.record(ev.conversation_event(ev.BACK, back, actor.actor, now, audience=Audience.STAFF))
    return back


async def abandon(ctx: Ctx, actor: Actor, conversation_id: ConversationId) -> Conversation:
    """The customer gave up waiting on a synchronous channel (counted by the abandonment KPI)."""
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        conversation = await visible_conversation(uow, actor, conversation_id, for_update=True)
        abandoned = conversation.abandon(now)
        await uow.conversations.update(abandoned)
        uow.record(ev.conversation_event(ev.ABANDONED, abandoned, actor.actor, now, audience=Audience.STAFF))
    return abandoned


async def set_anger(
    ctx: Ctx, actor: Actor, conversation_id: ConversationId, *, angry: bool, source: str = "agent"
) -> Conversation:
    """An angry customer waits less: the routing engine moves the place earlier by a bounded amount.

    Set by the virtual agent when sentiment turns negative, or by staff; kept as the conversation's
    ``angry`` attribute so restarts and the agent's screen see it.
    """
    if isinstance(actor, CustomerPrincipal):
        raise Forbidden("Customers cannot change their own priority.")
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        conversation = await visible_conversation(uow, actor, conversation_id, for_update=True)
        if not conversation.is_open:
            raise Invalid("Only an open conversation can change priority.")
        flag = "yes" if angry else ""
        if conversation.attributes.get("angry", "") == flag:
            return conversation
        attributes = {k: v for k, v in conversation.attributes.items() if k != "angry"}
        if angry:
            attributes["angry"] = flag
        changed = replace(conversation, attributes=attributes)
        await uow.conversations.update(changed)
        uow.record(
            ev.conversation_event(
                ev.PRIORITY_CHANGED,
                changed,
                actor.actor,
                now,
                audience=Audience.STAFF,
                angry=angry,
                source=source,
            )
        )
    return changed
