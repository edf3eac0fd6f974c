"""Workforce figures for supervisors: today's staffing gap (needed vs logged-in agents per interval)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from holdless.web.deps import CtxDep, PrincipalDep
from holdless.workforce.staffing import StaffingTarget
from holdless.workforce.today import staffing_gap_for

router = APIRouter(tags=["workforce"])


@router.get("/workforce/gap")
async def staffing_gap(
    who: PrincipalDep,
    ctx: CtxDep,
    day: Annotated[date | None, Query(alias="date", description="The day (UTC); default today")] = None,
    interval_minutes: Annotated[int, Query(description="15, 30 or 60")] = 30,
    service_level: Annotated[float, Query(gt=0, le=1)] = 0.8,
    target_seconds: Annotated[float, Query(gt=0, le=86_400)] = 60.0,
    max_occupancy: Annotated[float, Query(gt=0, le=1)] = 0.85,
) -> dict[str, Any]:
    """Agents needed per interval (forecast from this workspace's history, Erlang C for the target) against
    agents available; ``gap`` < 0 means short. Without a week of history, ``needed`` is null and ``note``
    says why."""
    target = StaffingTarget(service_level, target_seconds, max_occupancy=max_occupancy)
    return await staffing_gap_for(
        ctx, who, day=day or ctx.clock.now().date(), interval_minutes=interval_minutes, target=target
    )
