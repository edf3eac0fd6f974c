"""DNS for webhook targets: the system resolver (getaddrinfo), off the event loop's thread."""

from __future__ import annotations

import asyncio
import socket


class SystemResolver:
    async def resolve(self, host: str, port: int) -> list[str]:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        return list(dict.fromkeys(str(info[4][0]) for info in infos))
