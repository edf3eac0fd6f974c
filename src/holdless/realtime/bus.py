"""The event bus between server processes: in-process by default, Redis pub/sub for several processes.

The bus is allowed to lose or reorder messages (Redis pub/sub is at-most-once): the hub detects gaps in
the per-workspace sequence and fills them from the event log, so delivery does not depend on the bus.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Callable, Sequence
from typing import Protocol

from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from holdless.events import Event
from holdless.realtime.wire import dumps, event_from_bus, event_to_bus

log = logging.getLogger(__name__)
Receiver = Callable[[Event], None]
CHANNEL = "holdless:events"


class Bus(Protocol):
    async def publish(self, events: Sequence[Event]) -> None: ...
    async def start(self, receiver: Receiver) -> None: ...
    async def close(self) -> None: ...


class MemoryBus:
    """One process: publishing hands events straight to this process's hub."""

    def __init__(self) -> None:
        self._receiver: Receiver | None = None

    async def start(self, receiver: Receiver) -> None:
        self._receiver = receiver

    async def publish(self, events: Sequence[Event]) -> None:
        if self._receiver is not None:
            for event in events:
                self._receiver(event)

    async def close(self) -> None:
        self._receiver = None


class RedisBus:
    """Several processes: each commit is one PUBLISH; every process listens on one channel.

    A process hands its own commits to its hub directly (no Redis round trip, no decoding) and skips
    them when they come back over the channel: each PUBLISH starts with the publishing process's origin
    id and a space, then the JSON list of events. A payload starting with '[' has no origin (older form).
    """

    def __init__(self, url: str, *, channel: str = CHANNEL) -> None:
        self._redis: Redis = Redis.from_url(url)
        self._channel = channel
        self._listener: asyncio.Task[None] | None = None
        self._origin = secrets.token_hex(8)
        self._own = self._origin.encode()
        self._receiver: Receiver | None = None

    async def start(self, receiver: Receiver) -> None:
        self._receiver = receiver
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(self._channel)
        self._listener = asyncio.create_task(self._listen(pubsub, receiver), name="holdless-redis-bus")

    async def _listen(self, pubsub: PubSub, receiver: Receiver) -> None:
        try:
            while True:
                try:
                    message = await pubsub.get_message(timeout=5.0)
                except (ConnectionError, OSError) as error:  # the hub's gap filling covers what was lost
                    log.warning("redis bus connection lost (%s); retrying", error)
                    await asyncio.sleep(1.0)
                    continue
                if message is None or message.get("type") != "message":
                    continue
                data = message["data"]
                if isinstance(data, str):
                    data = data.encode()
                if not data.startswith(b"["):
                    origin, _, data = data.partition(b" ")
                    if origin == self._own:
                        continue  # delivered to this process's hub when it was published
                try:
                    events = [event_from_bus(raw) for raw in json.loads(data)]
                except (ValueError, KeyError, TypeError) as error:  # not ours: never let it stop the bus
                    log.warning("ignored a malformed message on %s: %s", self._channel, error)
                    continue
                for event in events:
                    receiver(event)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def publish(self, events: Sequence[Event]) -> None:
        if not events:
            return
        if self._receiver is not None:
            for event in events:
                self._receiver(event)
        await self._redis.publish(self._channel, f"{self._origin} {dumps_list(events)}")

    async def close(self) -> None:
        self._receiver = None
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self._redis.aclose()
        # aclose() leaves the pool's sockets to the garbage collector; close them now.
        await self._redis.connection_pool.disconnect()


def dumps_list(events: Sequence[Event]) -> str:
    return "[" + ",".join(dumps(event_to_bus(e)) for e in events) + "]"
