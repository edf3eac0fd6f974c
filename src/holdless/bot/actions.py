"""The only functions that change the virtual agent's state: flows, a turn's record, containment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from holdless.bot.flows import BotDefinition, parse_definition
from holdless.bot.handoff import RecentContact
from holdless.bot.handoff import card as make_card
from holdless.bot.repository import StoredFlows
from holdless.bot.state import BotState
from holdless.conversations import events as ev
from holdless.conversations.access import visible_conversation
from holdless.conversations.model import Conversation
from holdless.conversations.repository import ConversationFilter
from holdless.errors import Invalid, NotFound
from holdless.events import Audience, Event
from holdless.ids import ConversationId, QueueId, WorkspaceId
from holdless.tenancy import Principal, Role
from holdless.unit_of_work import Ctx, UnitOfWork

FLOWS_UPDATED = "bot.flows_updated"
STEP = "bot.step"
HANDOFF = "bot.handoff"
CONTAINED = "bot.contained"
CODE_SENT = "bot.code_sent"
ESCALATED = "bot.escalated"
ATTRIBUTES_SET = "bot.attributes_set"
RESERVED_ATTRIBUTES = frozenset({"angry"})  # set_anger's, so that priority changes stay in one door
MAX_ATTRIBUTES = 50
BOT_ACTOR = "bot"
CONTAINED_DISPOSITION = "contained"
RECENT_DAYS = 30


async def save_flows(ctx: Ctx, actor: Principal, raw: Mapping[str, Any]) -> BotDefinition:
    """Replace the workspace's flows (admins); a bad definition is refused with the step and the problem."""
    actor.require(Role.ADMIN)
    definition = parse_definition(raw)
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        if definition.handoff_queue is not None:
            try:
                await uow.queues.get(actor.workspace_id, QueueId(definition.handoff_queue))
            except NotFound as error:
                raise Invalid(
                    "'handoff_queue' is no queue of this workspace.", field="handoff_queue"
                ) from error
        cursor = await uow.events.last_seq(actor.workspace_id)
        await uow.bot.save_flows(actor.workspace_id, dict(raw), now, actor.actor, cursor)
        uow.record(
            Event(
                FLOWS_UPDATED,
                actor.workspace_id,
                actor.actor,
                now,
                {"flows": [f.id for f in definition.flows], "enabled": definition.enabled},
            )
        )
    return definition


async def get_flows(ctx: Ctx, actor: Principal) -> StoredFlows:
    actor.require(Role.ADMIN)
    async with ctx.uow() as uow:
        stored = await uow.bot.flows(actor.workspace_id)
    if stored is None:
        raise NotFound("This workspace has no virtual agent flows yet; PUT /api/v1/bot/flows to add them.")
    return stored


async def handoff_card(ctx: Ctx, actor: Principal, conversation_id: ConversationId) -> dict[str, Any]:
    """The card the bot wrote for the agent (staff who can see the conversation); null before a handoff."""
    async with ctx.uow() as uow:
        conversation = await visible_conversation(uow, actor, conversation_id)
        card = await uow.bot.card(actor.workspace_id, conversation.id)
    return {"conversation_id": conversation.id, "card": card}


async def recent_contacts(
    uow: UnitOfWork, conversation: Conversation, limit: int = 20
) -> list[RecentContact]:
    """The customer's other conversations of the last 30 days, on any channel, newest first."""
    since = conversation.created_at - timedelta(days=RECENT_DAYS)
    found = await uow.conversations.list(
        conversation.workspace_id,
        ConversationFilter(customer_id=conversation.customer_id),
        limit=limit,
        before=None,
    )
    return [
        RecentContact(c.id, c.channel.value, c.status.value, c.subject, c.created_at)
        for c in found
        if c.id != conversation.id and c.created_at >= since
    ]


def bot_event(kind: str, conversation: Conversation, at_: datetime, **data: Any) -> Event:
    return Event(
        kind,
        conversation.workspace_id,
        BOT_ACTOR,
        at_,
        data,
        conversation_id=conversation.id,
        queue_id=conversation.queue_id,
        assignee_id=conversation.assignee_id,
        audience=Audience.STAFF,
    )


async def record_turn(
    ctx: Ctx,
    workspace_id: WorkspaceId,
    conversation_id: ConversationId,
    state: Mapping[str, Any],
    events: Sequence[tuple[str, dict[str, Any]]],
    *,
    with_card: bool,
) -> dict[str, Any] | None:
    """Keep the bot's state (and write the handoff card) with the turn's funnel events, in one transaction."""
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        conversation = await uow.conversations.get(workspace_id, conversation_id)
        written = None
        if with_card:
            recent = await recent_contacts(uow, conversation)
            written = make_card(BotState.from_json(state), recent, now)
        await uow.bot.save(workspace_id, conversation_id, state, written, now)
        uow.record(*(bot_event(kind, conversation, now, **data) for kind, data in events))
    return written


async def contain(ctx: Ctx, workspace_id: WorkspaceId, conversation_id: ConversationId, what: str) -> bool:
    """Solved by the bot and confirmed by the customer: resolved as contained; it leaves the line."""
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        conversation = await uow.conversations.get(workspace_id, conversation_id, for_update=True)
        if not conversation.is_open or conversation.assignee_id is not None:
            return False  # a person has it (or it ended) meanwhile: theirs to close
        resolved = conversation.resolve(CONTAINED_DISPOSITION, now)
        await uow.conversations.update(resolved)
        uow.record(
            ev.conversation_event(ev.RESOLVED, resolved, BOT_ACTOR, now, disposition=CONTAINED_DISPOSITION),
            bot_event(CONTAINED, resolved, now, what=what),
        )
    return True


async def set_attributes(
    ctx: Ctx, workspace_id: WorkspaceId, conversation_id: ConversationId, values: Mapping[str, str]
) -> None:
    """A flow's `set` step: the conversation's attributes (seen by agents and routing), not `angry`."""
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        conversation = await uow.conversations.get(workspace_id, conversation_id, for_update=True)
        clean = {k[:64]: v[:500] for k, v in values.items() if k not in RESERVED_ATTRIBUTES}
        merged = {**conversation.attributes, **clean}
        if (
            not conversation.is_open
            or merged == dict(conversation.attributes)
            or len(merged) > MAX_ATTRIBUTES
        ):
            return
        changed = replace(conversation, attributes=merged)
        await uow.conversations.update(changed)
        uow.record(bot_event(ATTRIBUTES_SET, changed, now, attributes=clean))
