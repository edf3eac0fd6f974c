"""The virtual agent: a workspace's flows (admins), and the handoff card of a conversation (staff)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import yaml
from fastapi import APIRouter, Request
from pydantic import BaseModel

from holdless.bot import actions
from holdless.errors import Invalid
from holdless.ids import ConversationId
from holdless.web.deps import CtxDep, PrincipalDep

router = APIRouter(tags=["bot"])

MAX_DEFINITION_BYTES = 1_000_000

FLOWS_BODY = {
    "requestBody": {
        "required": True,
        "description": "The definition as JSON, or as YAML with Content-Type application/yaml "
        "(docs/virtual-agent.md).",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "application/yaml": {"schema": {"type": "string"}},
        },
    }
}


class FlowsOut(BaseModel):
    definition: dict[str, Any]
    updated_at: datetime
    updated_by: str


class HandoffOut(BaseModel):
    conversation_id: str
    card: dict[str, Any] | None


def _parse(raw: bytes, content_type: str) -> Any:
    if len(raw) > MAX_DEFINITION_BYTES:
        raise Invalid("The definition is larger than 1 MB.", field="flows")
    try:
        if "yaml" in content_type:
            return yaml.safe_load(raw.decode("utf-8"))
        return json.loads(raw)
    except (ValueError, yaml.YAMLError) as error:
        kind = "YAML" if "yaml" in content_type else "JSON"
        raise Invalid(f"The definition is not valid {kind}: {error}", field="flows") from error


@router.put("/bot/flows", openapi_extra=FLOWS_BODY)
async def put_flows(request: Request, who: PrincipalDep, ctx: CtxDep) -> FlowsOut:
    """Replace the workspace's flows; a mistake is refused (422) naming the flow, the step and the problem."""
    raw = _parse(await request.body(), request.headers.get("content-type", ""))
    await actions.save_flows(ctx, who, raw)
    stored = await actions.get_flows(ctx, who)
    return FlowsOut(
        definition=dict(stored.definition), updated_at=stored.updated_at, updated_by=stored.updated_by
    )


@router.get("/bot/flows")
async def get_flows(who: PrincipalDep, ctx: CtxDep) -> FlowsOut:
    stored = await actions.get_flows(ctx, who)
    return FlowsOut(
        definition=dict(stored.definition), updated_at=stored.updated_at, updated_by=stored.updated_by
    )


@router.get("/conversations/{conversation_id}/handoff")
async def handoff(conversation_id: str, who: PrincipalDep, ctx: CtxDep) -> HandoffOut:
    """What the virtual agent learned (verified facts, intent, details, what it tried, sentiment, recent
    contacts); ``card`` is null while the bot has not handed over."""
    return HandoffOut(**await actions.handoff_card(ctx, who, ConversationId(conversation_id)))
