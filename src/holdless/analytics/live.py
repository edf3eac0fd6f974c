"""Live KPI figures for the wallboard: one projection per workspace, caught up from the log on each read.

Pull, not push: each read first folds in the events committed since the last one, so the figures are
never staler than the event log, in any server process, without a background task.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from holdless.analytics.projections import KpiListener
from holdless.analytics.report import COUNTS, FIGURES, KPI_EVENT_TYPES, check_request
from holdless.ids import WorkspaceId
from holdless.tenancy import Principal, Role
from holdless.unit_of_work import Ctx

PAGE = 5000


@dataclass
class _Workspace:
    listener: KpiListener = field(default_factory=KpiListener)
    cursor: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class LiveKpis:
    def __init__(self) -> None:
        self._workspaces: dict[WorkspaceId, _Workspace] = {}

    async def _caught_up(self, ctx: Ctx, workspace_id: WorkspaceId) -> KpiListener:
        state = self._workspaces.setdefault(workspace_id, _Workspace())
        async with state.lock:
            while True:
                async with ctx.uow() as uow:
                    page = await uow.events.list(
                        workspace_id, after=state.cursor, limit=PAGE, types=KPI_EVENT_TYPES
                    )
                for event in page:
                    state.listener.on_event(event)
                    state.cursor = event.seq
                if len(page) < PAGE:
                    return state.listener

    async def figures(
        self,
        ctx: Ctx,
        actor: Principal,
        *,
        since: datetime,
        until: datetime,
        by: Sequence[str] = (),
        interval_minutes: int = 60,
    ) -> list[dict[str, Any]]:
        actor.require(Role.SUPERVISOR)
        check_request(since, until, by, interval_minutes)
        listener = await self._caught_up(ctx, actor.workspace_id)
        sliced = listener.projection.figures(
            by, since=since.timestamp(), until=until.timestamp(), interval_minutes=interval_minutes
        )
        rows = []
        for key, figures in sorted(sliced.items(), key=lambda item: tuple(str(k) for k in item[0])):
            row: dict[str, Any] = dict(zip(by, key, strict=True))
            if "interval" in row:
                row["interval"] = datetime.fromtimestamp(int(row["interval"]), since.tzinfo).isoformat()
            row.update({name: getattr(figures, name) for name in FIGURES})
            row.update({name: getattr(figures.tally, name) for name in COUNTS})
            rows.append(row)
        return rows
