"""An agent answers an offer: accept (the conversation becomes theirs) or decline (it goes to the next)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from holdless.conversations import events as ev
from holdless.conversations.model import Conversation, Status
from holdless.conversations.repository import ConversationFilter
from holdless.errors import Conflict, Forbidden
from holdless.events import Event
from holdless.routing.promises import OfferRecord, OfferStatus
from holdless.tenancy import Principal
from holdless.unit_of_work import Ctx, UnitOfWork

OFFER_CREATED = "offer.created"
OFFER_ACCEPTED = "offer.accepted"
OFFER_DECLINED = "offer.declined"
OFFER_EXPIRED = "offer.expired"
OFFER_WITHDRAWN = "offer.withdrawn"

_ENDED_AS = {
    OfferStatus.ACCEPTED: "accepted",
    OfferStatus.DECLINED: "declined",
    OfferStatus.EXPIRED: "expired",
    OfferStatus.WITHDRAWN: "withdrawn",
}


def offer_data(offer: OfferRecord) -> dict[str, Any]:
    return {
        "offer_id": offer.id,
        "conversation_id": offer.conversation_id,
        "agent_id": offer.agent_id,
        "status": offer.status.value,
        "created_at": offer.created_at.isoformat(),
        "expires_at": offer.expires_at.isoformat(),
        "ended_at": offer.ended_at.isoformat() if offer.ended_at else None,
        "reason": offer.reason,
    }


def offer_event(kind: str, offer: OfferRecord, conversation: Conversation, actor: str, at: datetime) -> Event:
    """Offer events reach the offered agent (``assignee_id``) and the queue's supervisors, not customers."""
    data = offer_data(offer)
    if kind == OFFER_CREATED:
        data.update(
            queue_id=conversation.queue_id,
            segment=conversation.segment,
            channel=conversation.channel.value,
            customer_id=conversation.customer_id,
            subject=conversation.subject,
            language=conversation.language,
        )
    return Event(
        kind,
        offer.workspace_id,
        actor,
        at,
        data,
        conversation_id=offer.conversation_id,
        queue_id=conversation.queue_id,
        assignee_id=offer.agent_id,
    )


async def _own_pending_offer(uow: UnitOfWork, actor: Principal, offer_id: str, now: datetime) -> OfferRecord:
    offer = await uow.offers.get(actor.workspace_id, offer_id, for_update=True)
    if offer.agent_id != actor.user_id:
        raise Forbidden("This offer was made to another agent.")
    if offer.status is not OfferStatus.PENDING:
        raise Conflict(f"This offer is no longer open: it was {_ENDED_AS[offer.status]}.")
    if now >= offer.expires_at:
        raise Conflict("This offer expired; the conversation is being offered to someone else.")
    return offer


async def accept_offer(ctx: Ctx, actor: Principal, offer_id: str) -> Conversation:
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        offer = await _own_pending_offer(uow, actor, offer_id, now)
        conversation = await uow.conversations.get(actor.workspace_id, offer.conversation_id, for_update=True)
        profile = await uow.agents.get(actor.workspace_id, actor.user_id)
        mine = await uow.conversations.list(
            actor.workspace_id,
            ConversationFilter(status=(Status.ASSIGNED, Status.AWAY), assignee_id=actor.user_id),
            limit=1000,
            before=None,
        )
        busy = sum(1 for c in mine if c.channel is conversation.channel)
        if busy >= profile.capacity.get(conversation.channel, 0):
            # The engine reserves a slot for every offer, so this only happens after a manual assignment.
            raise Conflict(f"You already have {busy} {conversation.channel.value} conversations, your limit.")
        accepted = await uow.offers.finish(offer, OfferStatus.ACCEPTED, now)
        if accepted is None:  # pragma: no cover - the row lock above makes this a race lost on SQLite only
            raise Conflict("This offer is no longer open.")
        assigned = conversation.assign(actor.user_id, now)
        await uow.conversations.update(assigned)
        user = await uow.users.get(actor.workspace_id, actor.user_id)
        uow.record(
            offer_event(OFFER_ACCEPTED, accepted, assigned, actor.actor, now),
            ev.conversation_event(
                ev.ASSIGNED, assigned, actor.actor, now,
                agent_name=user.name, previous_assignee_id=None, offer_id=offer.id,
            ),
        )  # fmt: skip
    return assigned


async def decline_offer(ctx: Ctx, actor: Principal, offer_id: str, *, reason: str = "") -> OfferRecord:
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        offer = await _own_pending_offer(uow, actor, offer_id, now)
        conversation = await uow.conversations.get(actor.workspace_id, offer.conversation_id)
        declined = await uow.offers.finish(offer, OfferStatus.DECLINED, now, reason.strip()[:200])
        if declined is None:  # pragma: no cover
            raise Conflict("This offer is no longer open.")
        uow.record(offer_event(OFFER_DECLINED, declined, conversation, actor.actor, now))
    return declined


async def my_offers(ctx: Ctx, actor: Principal) -> list[OfferRecord]:
    """The agent's open offers (the inbox shows them with a countdown)."""
    async with ctx.uow() as uow:
        return await uow.offers.list(actor.workspace_id, agent_id=actor.user_id, status=OfferStatus.PENDING)
