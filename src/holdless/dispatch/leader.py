"""Which server process runs the routing engine: the holder of a PostgreSQL advisory lock.

One engine decides for everyone, so a contact is never offered by two processes at once. The lock lives
as long as the holder's database session: if the process dies, PostgreSQL releases it and another
process takes over (restoring the engine from the database). SQLite means one process: it always leads.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

# Any constant shared by all Holdless processes on the database; "hldl" in ASCII.
LOCK_KEY = 0x68_6C_64_6C


class Leadership:
    def __init__(self, engine: AsyncEngine, *, key: int = LOCK_KEY) -> None:
        """`key`: another advisory lock for another single-leader job (the virtual agent has its own)."""
        self._engine = engine
        self._key = key
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
        log.info("routing: this process now runs the routing engine")
        return True

    async def still_held(self) -> bool:
        if self._conn is None:
            return not self.exclusive
        try:
            await self._conn.execute(text("SELECT 1"))
            await self._conn.commit()
        except Exception:
            log.warning("routing: lost the database session holding the routing lock")
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
            log.debug("routing: unlock failed", exc_info=True)
        finally:
            await conn.close()
