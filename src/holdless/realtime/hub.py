"""Fan-out of committed events to this process's websocket subscribers, in sequence order, without gaps.

Every workspace's events carry a gap-free sequence (storage/repositories/event_log.py). The hub remembers
the last sequence it delivered per workspace; an event that arrives early waits briefly for the missing ones
and, if they do not come over the bus, the hub reads them from the event log. So a subscriber sees every
event after the point it subscribed, once and in order, even if the bus drops or reorders messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from holdless.events import Event
from holdless.ids import WorkspaceId

log = logging.getLogger(__name__)


class EventSource(Protocol):
    """Read access to the event log, for gap filling and replays."""

    async def events_after(
        self, workspace_id: WorkspaceId, after: int, *, limit: int, conversation_id: str | None = None
    ) -> list[Event]: ...
    async def last_seq(self, workspace_id: WorkspaceId) -> int: ...


@dataclass(eq=False)
class Subscriber:
    workspace_id: WorkspaceId
    accepts: Callable[[Event], bool]
    limit: int
    queue: asyncio.Queue[Event] = field(default_factory=asyncio.Queue)
    overflowed: bool = False

    def offer(self, event: Event) -> None:
        if self.overflowed or not self.accepts(event):
            return
        if self.queue.qsize() >= self.limit:
            # A client this far behind gets a resync signal instead of an unbounded buffer.
            self.overflowed = True
            self.queue.put_nowait(event)  # wakes the reader so it notices
            return
        self.queue.put_nowait(event)


@dataclass
class _Stream:
    last: int
    subscribers: set[Subscriber] = field(default_factory=set)
    early: dict[int, Event] = field(default_factory=dict)
    gap_deadline: float | None = None


class Hub:
    def __init__(self, source: EventSource, *, gap_wait: float = 0.2, subscriber_limit: int = 5000) -> None:
        self._source = source
        self._gap_wait = gap_wait
        self._subscriber_limit = subscriber_limit
        self._streams: dict[WorkspaceId, _Stream] = {}
        self._inbox: asyncio.Queue[Event] = asyncio.Queue()
        self._lock = asyncio.Lock()
        self._runner: asyncio.Task[None] | None = None
        self.gap_fills = 0  # how often the bus lost or reordered events; exposed for tests and metrics

    def receive(self, event: Event) -> None:
        """Called by the bus for every committed event; never blocks."""
        self._inbox.put_nowait(event)

    async def start(self) -> None:
        self._runner = asyncio.create_task(self._run(), name="holdless-hub")

    async def close(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner

    async def subscribe(self, workspace_id: WorkspaceId, accepts: Callable[[Event], bool]) -> Subscriber:
        """Live events from now on. Call before replaying history so nothing falls between the two."""
        subscriber = Subscriber(workspace_id, accepts, self._subscriber_limit)
        async with self._lock:
            stream = self._streams.get(workspace_id)
            if stream is None:
                stream = _Stream(last=await self._source.last_seq(workspace_id))
                self._streams[workspace_id] = stream
            stream.subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        stream = self._streams.get(subscriber.workspace_id)
        if stream is None:
            return
        stream.subscribers.discard(subscriber)
        if not stream.subscribers:
            del self._streams[subscriber.workspace_id]

    async def _run(self) -> None:
        while True:
            timeout = self._next_deadline()
            try:
                event = (
                    await asyncio.wait_for(self._inbox.get(), timeout) if timeout else await self._inbox.get()
                )
            except TimeoutError:
                event = None
            try:
                async with self._lock:
                    if event is not None:
                        self._accept(event)
                    await self._fill_overdue_gaps()
            except Exception:  # a failing database read must not stop delivery for everyone
                log.exception("realtime hub could not process an event; retrying on the next one")

    def _next_deadline(self) -> float | None:
        deadlines = [s.gap_deadline for s in self._streams.values() if s.gap_deadline is not None]
        if not deadlines:
            return None
        return max(0.001, min(deadlines) - time.monotonic())

    def _accept(self, event: Event) -> None:
        stream = self._streams.get(event.workspace_id)
        if stream is None or event.seq <= stream.last:
            return  # nobody here listens to this workspace, or a duplicate
        if event.seq == stream.last + 1:
            self._deliver(stream, event)
            self._drain_early(stream)
        else:
            stream.early[event.seq] = event
            if stream.gap_deadline is None:
                stream.gap_deadline = time.monotonic() + self._gap_wait

    def _deliver(self, stream: _Stream, event: Event) -> None:
        stream.last = event.seq
        for subscriber in stream.subscribers:
            subscriber.offer(event)

    def _drain_early(self, stream: _Stream) -> None:
        while (following := stream.early.pop(stream.last + 1, None)) is not None:
            self._deliver(stream, following)
        stream.gap_deadline = (time.monotonic() + self._gap_wait) if stream.early else None

    async def _fill_overdue_gaps(self) -> None:
        now = time.monotonic()
        for workspace_id, stream in list(self._streams.items()):
            if stream.gap_deadline is None or stream.gap_deadline > now:
                continue
            self.gap_fills += 1
            upto = min(stream.early)
            missing = await self._source.events_after(workspace_id, stream.last, limit=upto - stream.last - 1)
            for event in missing:
                if event.seq == stream.last + 1:
                    self._deliver(stream, event)
            self._drain_early(stream)
