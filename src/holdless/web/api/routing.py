"""Offers (accept / decline), places in line, and callbacks as promises."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from holdless.ids import ConversationId
from holdless.routing import callback_actions, offer_actions, queries
from holdless.routing.promises import CallbackRecord, CallbackStatus, OfferRecord
from holdless.tenancy import Actor
from holdless.unit_of_work import Ctx
from holdless.web.api.schemas import conversation_out
from holdless.web.deps import CtxDep, CustomerDep, PrincipalDep

router = APIRouter(tags=["routing"])


class OfferOut(BaseModel):
    id: str
    conversation_id: str
    agent_id: str
    status: str
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    reason: str

    @classmethod
    def of(cls, offer: OfferRecord) -> OfferOut:
        return cls(
            id=offer.id, conversation_id=offer.conversation_id, agent_id=offer.agent_id,
            status=offer.status.value, created_at=offer.created_at, expires_at=offer.expires_at,
            ended_at=offer.ended_at, reason=offer.reason,
        )  # fmt: skip


class DeclineIn(BaseModel):
    reason: str = Field(default="", max_length=200)


class CallbackIn(BaseModel):
    window_start: datetime | None = Field(default=None, description="Default: now")
    window_end: datetime
    channel: Literal["voice", "webchat", "telegram", "messenger", "email"] | None = Field(
        default=None, description="voice: call me; another channel: write me there. Default: this one"
    )
    phone: str = Field(default="", max_length=40)


class CallbackOut(BaseModel):
    id: str
    conversation_id: str
    customer_id: str
    channel: str
    window_start: datetime
    window_end: datetime
    status: str
    attempts: int
    at_risk: bool
    ended_at: datetime | None
    reason: str

    @classmethod
    def of(cls, c: CallbackRecord) -> CallbackOut:
        return cls(
            id=c.id, conversation_id=c.conversation_id, customer_id=c.customer_id, channel=c.channel,
            window_start=c.window_start, window_end=c.window_end, status=c.status.value,
            attempts=c.attempts, at_risk=c.at_risk, ended_at=c.ended_at, reason=c.reason,
        )  # fmt: skip


class PlaceOut(BaseModel):
    conversation_id: str
    waiting: bool
    position: int | None
    expected_wait_seconds: int | None
    updated_at: str | None


@router.get("/offers")
async def my_offers(who: PrincipalDep, ctx: CtxDep) -> list[OfferOut]:
    """Your open offers; each expires at ``expires_at`` and then goes to the next agent."""
    return [OfferOut.of(o) for o in await offer_actions.my_offers(ctx, who)]


@router.post("/offers/{offer_id}/accept")
async def accept_offer(offer_id: str, who: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    return conversation_out(await offer_actions.accept_offer(ctx, who, offer_id))


@router.post("/offers/{offer_id}/decline")
async def decline_offer(
    offer_id: str, who: PrincipalDep, ctx: CtxDep, body: DeclineIn | None = None
) -> OfferOut:
    reason = body.reason if body is not None else ""
    return OfferOut.of(await offer_actions.decline_offer(ctx, who, offer_id, reason=reason))


@router.get("/conversations/{conversation_id}/place")
async def place(conversation_id: str, who: PrincipalDep, ctx: CtxDep) -> PlaceOut:
    return PlaceOut(**await queries.place_in_line(ctx, who, ConversationId(conversation_id)))


@router.post("/conversations/{conversation_id}/callback", status_code=201)
async def request_callback(
    conversation_id: str, body: CallbackIn, who: PrincipalDep, ctx: CtxDep
) -> CallbackOut:
    return await _promise(ctx, who, conversation_id, body)


async def _promise(ctx: Ctx, who: Actor, conversation_id: str, body: CallbackIn) -> CallbackOut:
    callback = await callback_actions.request_callback(
        ctx, who, ConversationId(conversation_id), window_start=body.window_start,
        window_end=body.window_end, channel=body.channel, phone=body.phone,
    )  # fmt: skip
    return CallbackOut.of(callback)


@router.get("/callbacks")
async def list_callbacks(
    who: PrincipalDep,
    ctx: CtxDep,
    status: CallbackStatus | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[CallbackOut]:
    """Promised callbacks by window end (supervisors): filter ``status=promised`` for the open ones."""
    return [
        CallbackOut.of(c) for c in await callback_actions.list_callbacks(ctx, who, status=status, limit=limit)
    ]


@router.get("/callbacks/summary")
async def callback_summary(who: PrincipalDep, ctx: CtxDep) -> dict[str, float | int | None]:
    """Promised, open, kept, broken and the kept rate (kept / settled)."""
    return await callback_actions.kept_rate(ctx, who)


@router.post("/callbacks/{callback_id}/no-answer")
async def callback_no_answer(callback_id: str, who: PrincipalDep, ctx: CtxDep) -> CallbackOut:
    """Nobody answered the attempt: the conversation goes back to its place and is retried."""
    return CallbackOut.of(await callback_actions.report_no_answer(ctx, who, callback_id))


# --- the customer's side (widget) ---------------------------------------------------------------------


@router.get("/widget/conversations/{conversation_id}/place", tags=["widget"])
async def widget_place(conversation_id: str, who: CustomerDep, ctx: CtxDep) -> PlaceOut:
    return PlaceOut(**await queries.place_in_line(ctx, who, ConversationId(conversation_id)))


@router.post("/widget/conversations/{conversation_id}/callback", status_code=201, tags=["widget"])
async def widget_callback(
    conversation_id: str, body: CallbackIn, who: CustomerDep, ctx: CtxDep
) -> CallbackOut:
    return await _promise(ctx, who, conversation_id, body)
