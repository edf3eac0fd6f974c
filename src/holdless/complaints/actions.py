"""Register a complaint, move it through its commitments, and keep the customer informed in their channel."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from holdless.complaints.model import (
    STAGES,
    Complaint,
    ComplaintSettings,
    Stage,
    notice,
    settings_from,
    settings_to,
)
from holdless.conversations.access import visible_conversation
from holdless.conversations.messaging import post_message
from holdless.errors import Conflict, Invalid
from holdless.events import Audience, Event
from holdless.ids import ConversationId, WorkspaceId, new_id
from holdless.tenancy import Principal, Role, SystemPrincipal
from holdless.unit_of_work import Ctx

OPENED = "complaint.opened"
PROGRESSED = "complaint.progressed"
SETTINGS_UPDATED = "complaints.settings_updated"
AT_RISK = "complaint.at_risk"


def _event(
    kind: str, actor: Principal, now: datetime, data: dict[str, Any], conversation_id: ConversationId | None
) -> Event:
    """Staff events: the customer learns of a complaint through the message in their channel."""
    return Event(kind, actor.workspace_id, actor.actor, now, data, conversation_id, audience=Audience.STAFF)


def complaint_data(c: Complaint, now: datetime) -> dict[str, Any]:
    return {
        "complaint_id": c.id,
        "conversation_id": c.conversation_id,
        "customer_id": c.customer_id,
        "category": c.category,
        "opened_at": c.opened_at.isoformat(),
        "due": {k: v.isoformat() for k, v in c.due.items()},
        "done": {k: v.isoformat() for k, v in c.done.items()},
        "breaches": c.breaches(now),
        "next": None if (following := c.next_stage()) is None else following.value,
    }


async def configure(ctx: Ctx, actor: Principal, document: Mapping[str, Any]) -> ComplaintSettings:
    actor.require(Role.ADMIN)
    settings = settings_from(document)
    async with ctx.uow() as uow:
        await uow.complaints.save_settings(actor.workspace_id, settings)
        uow.record(
            Event(SETTINGS_UPDATED, actor.workspace_id, actor.actor, ctx.clock.now(), settings_to(settings))
        )
    return settings


async def settings_of(ctx: Ctx, actor: Principal) -> ComplaintSettings | None:
    actor.require(Role.SUPERVISOR)
    async with ctx.uow() as uow:
        return await uow.complaints.settings(actor.workspace_id)


async def open_complaint(
    ctx: Ctx, actor: Principal, conversation_id: ConversationId, *, category: str
) -> Complaint:
    """The conversation becomes a complaint; the customer is told the commitments on their channel."""
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        conversation = await visible_conversation(uow, actor, conversation_id)
        settings = await uow.complaints.settings(actor.workspace_id)
        if settings is None:
            raise Invalid("Complaint categories are not configured for this workspace yet.")
        chosen = settings.category(category)
        if await uow.complaints.for_conversation(actor.workspace_id, conversation.id) is not None:
            raise Conflict("This conversation is already registered as a complaint.")
        complaint = Complaint.open(
            new_id("cmp"), actor.workspace_id, conversation.id, conversation.customer_id, chosen,
            settings.calendar, now,
        )  # fmt: skip
        await uow.complaints.add(complaint)
        data = complaint_data(complaint, now)
        uow.record(
            Event(
                OPENED, actor.workspace_id, actor.actor, now, data, conversation.id, audience=Audience.STAFF
            )
        )
    text = notice("opened", complaint, conversation.language, settings.calendar.zone)
    await post_message(ctx, SystemPrincipal(actor.workspace_id), conversation.id, text=text)
    return complaint


async def progress(ctx: Ctx, actor: Principal, complaint_id: str, stage: Stage) -> Complaint:
    """Acknowledge, respond or resolve; a late step is recorded as a breach of that commitment."""
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        complaint = await uow.complaints.get(actor.workspace_id, complaint_id)
        conversation = await visible_conversation(uow, actor, complaint.conversation_id)
        settings = await uow.complaints.settings(actor.workspace_id)
        moved = complaint.complete(stage, now)
        await uow.complaints.save(moved)
        data = complaint_data(moved, now) | {"stage": stage.value, "late": moved.breached(stage, now)}
        uow.record(
            Event(
                PROGRESSED,
                actor.workspace_id,
                actor.actor,
                now,
                data,
                conversation.id,
                audience=Audience.STAFF,
            )
        )
    zone = settings.calendar.zone if settings is not None else "UTC"
    text = notice(stage.value, moved, conversation.language, zone)
    await post_message(ctx, SystemPrincipal(actor.workspace_id), conversation.id, text=text)
    return moved


async def list_complaints(ctx: Ctx, actor: Principal, *, breached: bool | None = None) -> list[Complaint]:
    actor.require(Role.SUPERVISOR)
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        found = await uow.complaints.list(actor.workspace_id, limit=1000)
    if breached is None:
        return found
    return [c for c in found if bool(c.breaches(now)) is breached]


async def breach_report(ctx: Ctx, actor: Principal) -> dict[str, Any]:
    """Commitments kept and broken per stage (open ones count once their deadline has passed)."""
    now = ctx.clock.now()
    complaints = await list_complaints(ctx, actor)
    report: dict[str, Any] = {"complaints": len(complaints), "open": sum(not c.closed for c in complaints)}
    for stage in STAGES:
        due = [c for c in complaints if stage.value in c.done or now > c.due[stage.value]]
        report[stage.value] = {
            "due": len(due),
            "breached": sum(c.breached(stage, now) for c in due),
        }
    return report


async def warn_at_risk(ctx: Ctx, workspace_id: WorkspaceId) -> list[Complaint]:
    """Commitments about to break: alert supervisors and tell the customer, once per stage."""
    now = ctx.clock.now()
    warned: list[tuple[Complaint, Stage, str | None]] = []
    async with ctx.uow() as uow:
        settings = await uow.complaints.settings(workspace_id)
        if settings is None:
            return []
        for complaint in await uow.complaints.open_ones(workspace_id):
            stage = complaint.at_risk(now)
            if stage is None:
                continue
            flagged = complaint.warn(stage, now)
            await uow.complaints.save(flagged)
            conversation = await uow.conversations.get(workspace_id, complaint.conversation_id)
            data = complaint_data(flagged, now) | {"stage": stage.value}
            uow.record(
                Event(AT_RISK, workspace_id, "system", now, data, conversation.id, audience=Audience.STAFF)
            )
            warned.append((flagged, stage, conversation.language))
    for complaint, _, language in warned:
        text = notice("at_risk", complaint, language, settings.calendar.zone)
        await post_message(ctx, SystemPrincipal(workspace_id), complaint.conversation_id, text=text)
    return [complaint for complaint, _, _ in warned]
