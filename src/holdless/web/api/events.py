"""The event log, for audits and integrations that poll."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from holdless import audit
from holdless.ids import ConversationId
from holdless.web.deps import CtxDep, PrincipalDep

router = APIRouter(tags=["events"])


@router.get("/events")
async def list_events(
    who: PrincipalDep,
    ctx: CtxDep,
    after: Annotated[
        int, Query(ge=0, le=2**63 - 1, description="Return events with a sequence number above this")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    conversation_id: Annotated[str | None, Query(max_length=40)] = None,
) -> list[dict[str, Any]]:
    found = await audit.list_events(
        ctx, who, after=after, limit=limit,
        conversation_id=ConversationId(conversation_id) if conversation_id else None,
    )  # fmt: skip
    return [e.to_wire() | {"audience": e.audience.value} for e in found]
