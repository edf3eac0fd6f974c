"""A webhook receiver on loopback for the tests: a plain asyncio HTTP/1.1 server that answers each
delivery with a failure status its first N times, and records every request (and every connection)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Received:
    at: float
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes

    @property
    def delivery_id(self) -> str:
        return self.headers.get("holdless-delivery", "")


@dataclass
class Receiver:
    fail_first: int = 0  # per delivery id
    failure_status: int = 500
    location: str = ""  # sent with failures: makes a 3xx a redirect
    port: int = 0
    connections: int = 0
    requests: list[Received] = field(default_factory=list)
    _seen: Counter[str] = field(default_factory=Counter)
    _open: set[asyncio.StreamWriter] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/holdless"

    def for_delivery(self, delivery_id: str) -> list[Received]:
        return [r for r in self.requests if r.delivery_id == delivery_id]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._open.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line, *lines = head.decode("latin-1").split("\r\n")
                headers = {
                    name.strip().lower(): value.strip()
                    for name, _, value in (line.partition(":") for line in lines if line)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                received = Received(time.monotonic(), request_line.split(" ")[1], headers, body)
                self.requests.append(received)
                self._seen[received.delivery_id] += 1
                status = self.failure_status if self._seen[received.delivery_id] <= self.fail_first else 200
                reply = b"ok" if status == 200 else b"try later"
                extra = f"Location: {self.location}\r\n" if self.location and status != 200 else ""
                head_out = f"HTTP/1.1 {status} X\r\n{extra}Content-Length: {len(reply)}\r\n\r\n"
                writer.write(head_out.encode() + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._open.discard(writer)
            writer.close()


@asynccontextmanager
async def receiver(
    *, fail_first: int = 0, failure_status: int = 500, location: str = ""
) -> AsyncIterator[Receiver]:
    state = Receiver(fail_first=fail_first, failure_status=failure_status, location=location)
    server = await asyncio.start_server(state._serve, "127.0.0.1", 0)
    state.port = server.sockets[0].getsockname()[1]
    try:
        yield state
    finally:
        server.close()
        for writer in list(state._open):
            writer.close()
        await server.wait_closed()
