"""Clock-driven work that no request triggers: complaint commitments about to break.

Runs in one process at a time (its own advisory lock on PostgreSQL), every ``every`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from holdless.complaints.actions import warn_at_risk
from holdless.dispatch.leader import Leadership
from holdless.ids import WorkspaceId
from holdless.storage.tables import complaint_settings
from holdless.unit_of_work import Ctx

log = logging.getLogger(__name__)

TIMERS_LOCK_KEY = 0x68_6C_64_63  # "hldc"


class Timers:
    def __init__(self, ctx: Ctx, engine: AsyncEngine, *, every: float = 60.0) -> None:
        self._ctx = ctx
        self._db = engine
        self._every = every
        self._leadership = Leadership(engine, key=TIMERS_LOCK_KEY, role="timers")
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="holdless-timers")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._leadership.release()

    async def _run(self) -> None:
        while True:
            try:
                if await self._leadership.try_acquire():
                    await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("timers: a pass failed; trying again at the next one")
            await asyncio.sleep(self._every)

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
