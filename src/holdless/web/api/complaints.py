"""The complaints register: settings (business calendar, categories), complaints, breaches."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from holdless.complaints import actions
from holdless.complaints.model import Stage, settings_to
from holdless.errors import NotFound
from holdless.ids import ConversationId
from holdless.web.deps import CtxDep, PrincipalDep

router = APIRouter(tags=["complaints"])


class CategoryIO(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    acknowledge_hours: float = Field(gt=0)
    respond_hours: float = Field(gt=0)
    resolve_hours: float = Field(gt=0)


class SettingsIO(BaseModel):
    zone: str = Field(default="UTC", max_length=64, description="IANA time zone, e.g. Europe/Berlin")
    hours: dict[str, list[tuple[str, str]]] = Field(
        description='Opening windows per weekday, 0 = Monday: {"0": [["09:00", "17:00"]]}'
    )
    holidays: list[str] = Field(default_factory=list, max_length=400, description="ISO dates")
    categories: list[CategoryIO] = Field(default_factory=list, max_length=100)


class OpenIn(BaseModel):
    category: str = Field(min_length=1, max_length=64)


@router.put("/complaints/settings")
async def configure(body: SettingsIO, who: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    """Business hours, holidays and categories with their commitments (admins)."""
    return settings_to(await actions.configure(ctx, who, body.model_dump()))


@router.get("/complaints/settings")
async def get_settings(who: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    found = await actions.settings_of(ctx, who)
    if found is None:
        raise NotFound("Complaint settings are not configured yet.")
    return settings_to(found)


@router.post("/conversations/{conversation_id}/complaint", status_code=201)
async def open_complaint(
    conversation_id: str, body: OpenIn, who: PrincipalDep, ctx: CtxDep
) -> dict[str, Any]:
    """Register the conversation as a complaint; the customer is told the commitments in their channel."""
    complaint = await actions.open_complaint(
        ctx, who, ConversationId(conversation_id), category=body.category
    )
    return actions.complaint_data(complaint, ctx.clock.now())


@router.post("/complaints/{complaint_id}/{stage}")
async def progress(complaint_id: str, stage: Stage, who: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    """``stage``: acknowledge, respond or resolve. A late step is kept as a breach."""
    moved = await actions.progress(ctx, who, complaint_id, stage)
    return actions.complaint_data(moved, ctx.clock.now())


@router.get("/complaints")
async def list_complaints(
    who: PrincipalDep, ctx: CtxDep, breached: bool | None = None
) -> list[dict[str, Any]]:
    now = ctx.clock.now()
    return [
        actions.complaint_data(c, now) for c in await actions.list_complaints(ctx, who, breached=breached)
    ]


@router.get("/complaints/breaches")
async def breaches(who: PrincipalDep, ctx: CtxDep) -> dict[str, Any]:
    """Per commitment: how many fell due and how many were broken, reported apart from other KPIs."""
    return await actions.breach_report(ctx, who)
