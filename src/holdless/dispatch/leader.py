"""Which server process runs the routing engine: the holder of a PostgreSQL advisory lock.

One engine decides for everyone, so a contact is never offered by two processes at once. The lock lives
as long as the holder's database session: if the process dies, PostgreSQL releases it and another
process takes over (restoring the engine from the database). SQLite means one process: it always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from holdless.ids import WorkspaceId

log = logging.getLogger(__name__)

# Any constant shared by all Holdless processes on the database; "hldl" in ASCII.
LOCK_KEY = 0x68_6C_64_6C


class Leadership:
    def __init__(self, engine: AsyncEngine, *, key: int = LOCK_KEY, role: str = "routing") -> None:
        """`key`: one advisory lock per kind of leader (routing, webhooks); `role` names it in logs."""
        self._engine = engine
        self._key = key
        self._role = role
        self._conn: AsyncConnection | None = None

    @property
    def exclusive(self) -> bool:
        """Whether other processes may compete (PostgreSQL) or this is the only one (SQLite)."""
        return self._engine.dialect.name == "postgresql"

    async def try_acquire(self) -> bool:
        if not self.exclusive:
            return True
        if self._conn is not None:
            return await self.still_held()
        conn = await self._engine.connect()
        try:
            held = bool(
                (await conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key})).scalar()
            )
            await conn.commit()  # session-level lock: it outlives the transaction, not the connection
        except Exception:
            await conn.close()
            raise
        if not held:
            await conn.close()
            return False
        self._conn = conn
        log.info("%s: this process now leads", self._role)
        return True

    async def still_held(self) -> bool:
        if self._conn is None:
            return not self.exclusive
        try:
            await self._conn.execute(text("SELECT 1"))
            await self._conn.commit()
        except Exception:
            log.warning("%s: lost the database session holding the lock", self._role)
            await self.release()
            return False
        return True

    async def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            await conn.commit()
        except Exception:  # the connection is gone, and the lock with it
            log.debug("%s: unlock failed", self._role, exc_info=True)
        finally:
            await conn.close()


class LeaderTask(ABC):
    """A background task that works only while its process holds ``leadership``: routing, webhook
    delivery, timers. Subclasses implement ``_lead`` (return to give up the lead) and may override
    ``_failed`` to reset their state after an error; ``notify`` marks a workspace for the next pass."""

    name = "holdless-leader-task"

    def __init__(self, leadership: Leadership) -> None:
        self._leadership = leadership
        self._dirty: set[WorkspaceId] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.leading = False

    def _mark(self, workspace_id: WorkspaceId) -> None:
        self._dirty.add(workspace_id)
        self._wake.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def close(self) -> None:
        """Stop between two passes (a pass cut in the middle of a query would leave it to a dead loop);
        cancel only if the pass does not end in time."""
        self._stopping = True
        self._wake.set()
        task, self._task = self._task, None
        if task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(task), 10)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self._leadership.release()
        self.leading = False

    async def _pause(self, seconds: float) -> None:
        """Sleep, but wake at once when the task is closed."""
        if self._stopping:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _run(self) -> None:
        while not self._stopping:
            try:
                if await self._leadership.try_acquire():
                    self.leading = True
                    await self._lead()
                else:
                    await self._pause(2.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s failed; starting again from the database", self.name)
                self._failed()
                await self._pause(1.0)
            finally:
                self.leading = False
                self._stepped_down()

    @abstractmethod
    async def _lead(self) -> None:
        """Work while leading; return to give up the lead (the loop then tries to take it again)."""

    def _failed(self) -> None:  # noqa: B027 - an optional hook
        """Forget in-memory state after an error (the next lead starts from the database)."""

    def _stepped_down(self) -> None:  # noqa: B027 - an optional hook
        """Called whenever the task stops leading."""
