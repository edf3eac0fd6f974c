"""Callbacks as promises: a customer (or an agent for them) asks to be called or written back in a window.

The routing engine keeps the place in line and decides when the callback is offered; these actions store
the promise and report what happened on an attempt. The engine's verdict (kept / broken) is written by
``decision_records``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from holdless.conversations import events as ev
from holdless.conversations.access import visible_conversation
from holdless.conversations.model import Conversation, Status
from holdless.errors import Conflict, Forbidden, Invalid
from holdless.events import Audience, Event
from holdless.ids import ConversationId, new_id
from holdless.routing.promises import CallbackRecord, CallbackStatus
from holdless.tenancy import Actor, Principal, Role
from holdless.unit_of_work import Ctx

CALLBACK_REQUESTED = "callback.requested"
CALLBACK_NO_ANSWER = "callback.no_answer"
CALLBACK_KEPT = "callback.kept"
CALLBACK_BROKEN = "callback.broken"
CALLBACK_AT_RISK = "callback.at_risk"

MIN_WINDOW = timedelta(minutes=5)
MAX_AHEAD = timedelta(days=14)
_PHONE = re.compile(r"^\+?[0-9 ()\-]{6,24}$")


def callback_data(callback: CallbackRecord) -> dict[str, Any]:
    return {
        "callback_id": callback.id,
        "conversation_id": callback.conversation_id,
        "customer_id": callback.customer_id,
        "channel": callback.channel,
        "window_start": callback.window_start.isoformat(),
        "window_end": callback.window_end.isoformat(),
        "status": callback.status.value,
        "attempts": callback.attempts,
        "at_risk": callback.at_risk,
        "ended_at": callback.ended_at.isoformat() if callback.ended_at else None,
        "reason": callback.reason,
    }


def callback_event(
    kind: str, callback: CallbackRecord, actor: str, at: datetime, *, audience: Audience = Audience.CUSTOMER
) -> Event:
    return Event(
        kind,
        callback.workspace_id,
        actor,
        at,
        callback_data(callback),
        conversation_id=callback.conversation_id,
        audience=audience,
    )


def waiting_for_person(conversation: Conversation) -> bool:
    return conversation.status is Status.QUEUED or (
        conversation.status is Status.AWAY and conversation.away_from is Status.QUEUED
    )


def _window(start: datetime | None, end: datetime, now: datetime) -> tuple[datetime, datetime]:
    if start is None or start < now:
        start = now
    if end.tzinfo is None or start.tzinfo is None:
        raise Invalid("Give the callback window with a time zone, e.g. 2026-11-23T14:00:00+01:00.")
    if end - start < MIN_WINDOW:
        raise Invalid(
            "The callback window must end at least 5 minutes after it starts, and in the future.",
            field="window_end",
        )
    if end - now > MAX_AHEAD:
        raise Invalid("A callback can be promised at most 14 days ahead.", field="window_end")
    return start, end


async def request_callback(
    ctx: Ctx,
    actor: Actor,
    conversation_id: ConversationId,
    *,
    window_end: datetime,
    window_start: datetime | None = None,
    channel: str | None = None,
    phone: str = "",
) -> CallbackRecord:
    """Promise a callback: the conversation keeps its place and is offered inside the window."""
    now = ctx.clock.now()
    start, end = _window(window_start, window_end, now)
    phone = phone.strip()
    if phone and not _PHONE.match(phone):
        raise Invalid("Give the phone number as digits, optionally with a leading +.", field="phone")
    async with ctx.uow() as uow:
        conversation = await visible_conversation(uow, actor, conversation_id, for_update=True)
        if not waiting_for_person(conversation):
            raise Invalid("A callback keeps a place in line: this conversation is not waiting for a person.")
        chosen = channel or conversation.channel.value
        if chosen == "voice" and not phone:
            raise Invalid("To be called back we need a phone number.", field="phone")
        if await uow.callbacks.open_for(actor.workspace_id, conversation.id) is not None:
            raise Conflict("A callback is already promised for this conversation.")
        callback = CallbackRecord(
            id=new_id("cbk"),
            workspace_id=actor.workspace_id,
            conversation_id=conversation.id,
            customer_id=conversation.customer_id,
            channel=chosen,
            window_start=start,
            window_end=end,
            status=CallbackStatus.PROMISED,
            created_at=now,
            phone=phone,
        )
        await uow.callbacks.add(callback)
        uow.record(callback_event(CALLBACK_REQUESTED, callback, actor.actor, now))
    return callback


async def report_no_answer(ctx: Ctx, actor: Principal, callback_id: str) -> CallbackRecord:
    """The agent tried and nobody answered: the conversation goes back to its place for a retry."""
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        callback = await uow.callbacks.get(actor.workspace_id, callback_id)
        if callback.status is not CallbackStatus.PROMISED:
            raise Conflict(f"This callback is already {callback.status.value}.")
        conversation = await uow.conversations.get(
            actor.workspace_id, callback.conversation_id, for_update=True
        )
        if conversation.status is not Status.ASSIGNED:
            raise Invalid("Only a callback being attempted (its conversation assigned) can be unanswered.")
        if conversation.assignee_id != actor.user_id and not actor.at_least(Role.SUPERVISOR):
            raise Forbidden("Only the agent attempting this callback, or a supervisor, can report that.")
        assert conversation.queue_id is not None
        requeued = conversation.enqueue(conversation.queue_id, conversation.segment or "", now)
        await uow.conversations.update(requeued)
        tried = replace(callback, attempts=callback.attempts + 1)
        await uow.callbacks.save(tried)
        uow.record(
            callback_event(CALLBACK_NO_ANSWER, tried, actor.actor, now),
            ev.conversation_event(ev.QUEUED, requeued, actor.actor, now, reason="callback_retry"),
        )
    return tried


async def list_callbacks(
    ctx: Ctx, actor: Principal, *, status: CallbackStatus | None = None, limit: int = 100
) -> list[CallbackRecord]:
    actor.require(Role.SUPERVISOR)
    async with ctx.uow() as uow:
        return await uow.callbacks.list(actor.workspace_id, status=status, limit=limit)


async def kept_rate(ctx: Ctx, actor: Principal) -> dict[str, float | int | None]:
    """Callback kept rate (product.md: made inside the window / promised), over settled promises: an open
    promise is neither kept nor broken yet."""
    actor.require(Role.SUPERVISOR)
    async with ctx.uow() as uow:
        counts = await uow.callbacks.counts(actor.workspace_id)
    settled = counts[CallbackStatus.KEPT] + counts[CallbackStatus.BROKEN]
    return {
        "promised": sum(counts.values()),
        "open": counts[CallbackStatus.PROMISED],
        "kept": counts[CallbackStatus.KEPT],
        "broken": counts[CallbackStatus.BROKEN],
        "kept_rate": counts[CallbackStatus.KEPT] / settled if settled else None,
    }
