"""A small websocket client for tests: reads frames with a timeout and keeps the last sequence seen."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect


class Socket:
    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.last_seq = 0

    async def next(self, timeout: float = 5.0) -> dict[str, Any]:
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(self.connection.recv(), timeout))
        if "seq" in frame:
            self.last_seq = frame["seq"]
        return frame

    async def events(
        self, count: int, *, of_type: str | None = None, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """The next `count` events (frames with a sequence number), optionally only of one type."""
        found: list[dict[str, Any]] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(found) < count:
            frame = await self.next(max(0.01, deadline - loop.time()))
            if "seq" in frame and (of_type is None or frame["type"] == of_type):
                found.append(frame)
        return found

    async def silent_for(self, seconds: float, *, of_type: str) -> bool:
        """True when no event of this type arrives for `seconds` (heartbeats are fine)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (left := deadline - loop.time()) > 0:
            try:
                frame = await self.next(left)
            except TimeoutError:
                return True
            if frame.get("type") == of_type:
                return False
        return True

    async def send(self, payload: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(payload))


@asynccontextmanager
async def open_socket(url: str) -> AsyncIterator[Socket]:
    async with connect(url, open_timeout=5, close_timeout=2) as connection:
        yield Socket(connection)
