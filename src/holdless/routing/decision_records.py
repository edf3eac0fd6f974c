"""Write the routing engine's decisions durably, and tell the engine where the stored state disagrees.

The database is the arbiter: an engine running in one process can be a moment behind what agents and
customers did through another. Each decision is checked against the stored conversation; a decision that
no longer fits (the customer left, a supervisor assigned the conversation by hand) is not written, and a
correction event for the engine is returned instead.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from holdless.conversations import events as ev
from holdless.conversations.model import Channel, Conversation, Status
from holdless.conversations.repository import ConversationFilter
from holdless.errors import NotFound
from holdless.events import Audience, Event
from holdless.ids import ConversationId, UserId, WorkspaceId, new_id
from holdless.routing import model as engine
from holdless.routing.callback_actions import (
    CALLBACK_AT_RISK,
    CALLBACK_BROKEN,
    CALLBACK_KEPT,
    callback_event,
    waiting_for_person,
)
from holdless.routing.offer_actions import OFFER_CREATED, OFFER_EXPIRED, OFFER_WITHDRAWN, offer_event
from holdless.routing.promises import CallbackStatus, OfferRecord, OfferStatus
from holdless.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

POSITION = "queue.position"
SYSTEM = "system:routing"


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def position_event(workspace_id: WorkspaceId, update: engine.PositionUpdate, now: datetime) -> Event:
    wait = update.expected_wait_seconds
    return Event(
        POSITION,
        workspace_id,
        SYSTEM,
        now,
        {"position": update.position, "expected_wait_seconds": None if wait is None else round(wait)},
        conversation_id=ConversationId(update.contact_id),
        audience=Audience.CUSTOMER,
    )


async def _conversation(
    uow: UnitOfWork, workspace_id: WorkspaceId, contact_id: str, *, lock: bool = False
) -> Conversation | None:
    try:
        return await uow.conversations.get(workspace_id, ConversationId(contact_id), for_update=lock)
    except NotFound:
        return None


async def record_decisions(
    uow: UnitOfWork, workspace_id: WorkspaceId, decisions: Sequence[engine.Decision], now: datetime
) -> list[engine.Event]:
    """Persist ``decisions`` in ``uow`` (one transaction); returns corrections to feed back to the engine."""
    corrections: list[engine.Event] = []
    # Offers that end go first: the engine may re-offer the same contact in the same breath.
    ending = [d for d in decisions if isinstance(d, engine.OfferExpired | engine.OfferWithdrawn)]
    for decision in ending + [
        d for d in decisions if not isinstance(d, engine.OfferExpired | engine.OfferWithdrawn)
    ]:
        if isinstance(decision, engine.PositionUpdate):
            uow.record(position_event(workspace_id, decision, now))
        elif isinstance(decision, engine.Offer):
            await _offer(uow, workspace_id, decision, now, corrections)
        elif isinstance(decision, engine.OfferExpired | engine.OfferWithdrawn):
            await _end_offer(uow, workspace_id, decision, now)
        elif isinstance(decision, engine.CallbackKept | engine.CallbackBroken | engine.CallbackAtRisk):
            await _callback(uow, workspace_id, decision, now)
        elif isinstance(decision, engine.Rejected):
            log.debug(
                "routing engine rejected %s for %s: %s", decision.event, decision.subject_id, decision.reason
            )
    return corrections


async def _offer(
    uow: UnitOfWork,
    workspace_id: WorkspaceId,
    decision: engine.Offer,
    now: datetime,
    corrections: list[engine.Event],
) -> None:
    conversation = await _conversation(uow, workspace_id, decision.contact_id, lock=True)
    if conversation is None or not waiting_for_person(conversation):
        corrections.append(engine.ContactLeft(decision.contact_id, "not waiting"))
        return
    if await uow.offers.pending_for(workspace_id, conversation.id) is not None:
        log.warning("routing: %s already has a pending offer; not offering it twice", conversation.id)
        return
    agent_id = UserId(decision.agent_id)
    if await _at_capacity(uow, workspace_id, agent_id, conversation.channel):
        # The engine's picture of the agent is behind (work taken through another process a moment
        # ago): no offer. It is told the agent passed, and the log it is reading will catch it up.
        corrections.append(engine.OfferDeclined(decision.contact_id, decision.agent_id))
        return
    offer = OfferRecord(
        id=new_id("ofr"),
        workspace_id=workspace_id,
        conversation_id=conversation.id,
        agent_id=agent_id,
        channel=conversation.channel.value,
        status=OfferStatus.PENDING,
        created_at=now,
        expires_at=at(decision.expires_at),
    )
    await uow.offers.add(offer)
    uow.record(offer_event(OFFER_CREATED, offer, conversation, SYSTEM, now))


async def _at_capacity(
    uow: UnitOfWork, workspace_id: WorkspaceId, agent_id: UserId, channel: Channel
) -> bool:
    """Stored truth: conversations the agent holds on the channel plus its open offers there."""
    try:
        profile = await uow.agents.get(workspace_id, agent_id)
    except NotFound:
        return True
    held = await uow.conversations.list(
        workspace_id,
        ConversationFilter(status=(Status.ASSIGNED, Status.AWAY), assignee_id=agent_id),
        limit=1000,
        before=None,
    )
    pending = await uow.offers.list(workspace_id, agent_id=agent_id, status=OfferStatus.PENDING, limit=1000)
    load = sum(1 for c in held if c.channel is channel and c.assignee_id == agent_id)
    load += sum(1 for o in pending if o.channel == channel.value)
    return load >= profile.capacity.get(channel, 0)


async def _end_offer(
    uow: UnitOfWork,
    workspace_id: WorkspaceId,
    decision: engine.OfferExpired | engine.OfferWithdrawn,
    now: datetime,
) -> None:
    pending = await uow.offers.pending_for(workspace_id, ConversationId(decision.contact_id))
    if pending is None or pending.agent_id != decision.agent_id:
        return  # already answered through the API; the engine hears of it from the log
    expired = isinstance(decision, engine.OfferExpired)
    status = OfferStatus.EXPIRED if expired else OfferStatus.WITHDRAWN
    reason = "no answer in time" if expired else getattr(decision, "reason", "")
    ended = await uow.offers.finish(pending, status, now, reason)
    conversation = await _conversation(uow, workspace_id, decision.contact_id)
    if ended is not None and conversation is not None:
        uow.record(
            offer_event(OFFER_EXPIRED if expired else OFFER_WITHDRAWN, ended, conversation, SYSTEM, now)
        )


async def _callback(
    uow: UnitOfWork,
    workspace_id: WorkspaceId,
    decision: engine.CallbackKept | engine.CallbackBroken | engine.CallbackAtRisk,
    now: datetime,
) -> None:
    callback = await uow.callbacks.open_for(workspace_id, ConversationId(decision.contact_id))
    if callback is None:
        return
    if isinstance(decision, engine.CallbackAtRisk):
        flagged = replace(callback, at_risk=True)
        await uow.callbacks.save(flagged)
        uow.record(callback_event(CALLBACK_AT_RISK, flagged, SYSTEM, now, audience=Audience.STAFF))
        return
    kept = isinstance(decision, engine.CallbackKept)
    settled = replace(
        callback,
        status=CallbackStatus.KEPT if kept else CallbackStatus.BROKEN,
        ended_at=now,
        reason="" if kept else getattr(decision, "reason", ""),
    )
    await uow.callbacks.save(settled)
    uow.record(callback_event(CALLBACK_KEPT if kept else CALLBACK_BROKEN, settled, SYSTEM, now))
    if not kept and settled.reason == "no answer":
        # Retries ran out: the engine let the contact go; the conversation stops waiting too.
        conversation = await _conversation(uow, workspace_id, decision.contact_id, lock=True)
        if conversation is not None and waiting_for_person(conversation):
            gone = conversation.abandon(now)
            await uow.conversations.update(gone)
            uow.record(
                ev.conversation_event(
                    ev.ABANDONED, gone, SYSTEM, now, audience=Audience.STAFF, reason="unreachable"
                )
            )
