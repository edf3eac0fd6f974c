"""Clock-driven work that no request triggers: complaint commitments about to break.

Runs in one process at a time (its own advisory lock on PostgreSQL), every ``every`` seconds.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from holdless.complaints.actions import warn_at_risk
from holdless.dispatch.leader import Leadership, LeaderTask
from holdless.ids import WorkspaceId
from holdless.storage.tables import complaint_settings
from holdless.unit_of_work import Ctx

log = logging.getLogger(__name__)

TIMERS_LOCK_KEY = 0x68_6C_64_63  # "hldc"


class Timers(LeaderTask):
    name = "holdless-timers"

    def __init__(self, ctx: Ctx, engine: AsyncEngine, *, every: float = 60.0) -> None:
        super().__init__(Leadership(engine, key=TIMERS_LOCK_KEY, role="timers"))
        self._ctx = ctx
        self._db = engine
        self._every = every

    async def _lead(self) -> None:
        while not self._stopping and await self._leadership.still_held():
            await self.run_once()
            await self._pause(self._every)

    async def run_once(self) -> int:
        async with self._db.connect() as conn:
            ids = [
                WorkspaceId(row.workspace_id)
                for row in await conn.execute(select(complaint_settings.c.workspace_id))
            ]
        warned = 0
        for workspace_id in ids:
            warned += len(await warn_at_risk(self._ctx, workspace_id))
        return warned
