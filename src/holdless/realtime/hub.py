"""Fan-out of committed events to this process's websocket subscribers, in sequence order, without gaps.

Every workspace's events carry a gap-free sequence (storage/repositories/event_log.py). The hub remembers
the last sequence it delivered per workspace; an event that arrives early waits briefly for the missing ones
and, if they do not come over the bus, the hub reads them from the event log. A periodic sweep compares the
log's last sequence with the hub's, which catches lost *trailing* events that no later event would reveal.
So a subscriber sees every event after the point it subscribed, once and in order, even if the bus drops or
reorders messages.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from holdless.events import Event
from holdless.ids import WorkspaceId
from holdless.realtime.wire import Frame

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
    conversation_id: str | None = None  # set for a customer's socket: only that conversation's events
    queue: asyncio.Queue[Frame] = field(default_factory=asyncio.Queue)
    overflowed: bool = False

    def offer(self, frame: Frame) -> None:
        if self.overflowed or not self.accepts(frame.event):
            return
        if self.queue.qsize() >= self.limit:
            # A client this far behind gets a resync signal instead of an unbounded buffer.
            self.overflowed = True
        self.queue.put_nowait(frame)


@dataclass
class _Stream:
    last: int
    staff: set[Subscriber] = field(default_factory=set)
    by_conversation: dict[str, set[Subscriber]] = field(default_factory=dict)
    early: dict[int, Event] = field(default_factory=dict)
    gap_deadline: float | None = None
    suspect: int | None = None  # the log's last sequence at the previous sweep, if the hub was behind it

    @property
    def empty(self) -> bool:
        return not self.staff and not self.by_conversation


class Hub:
    def __init__(
        self,
        source: EventSource,
        *,
        gap_wait: float = 0.2,
        sweep_every: float = 1.0,
        subscriber_limit: int = 5000,
    ) -> None:
        self._source = source
        self._gap_wait = gap_wait
        self._sweep_every = sweep_every
        self._next_sweep = time.monotonic() + sweep_every
        self._subscriber_limit = subscriber_limit
        self._streams: dict[WorkspaceId, _Stream] = {}
        self._inbox: asyncio.Queue[Event | None] = asyncio.Queue()
        self._lock = asyncio.Lock()
        self._runner: asyncio.Task[None] | None = None
        self.gap_fills = 0  # how often the bus lost or reordered events; exposed for tests and metrics

    def receive(self, event: Event) -> None:
        """Called by the bus for every committed event; never blocks."""
        self._inbox.put_nowait(event)

    async def start(self) -> None:
        self._runner = asyncio.create_task(self._run(), name="holdless-hub")

    async def close(self) -> None:
        """Stop between two events, never in the middle of a database read."""
        if self._runner is None:
            return
        self._inbox.put_nowait(None)
        try:
            await asyncio.wait_for(self._runner, 10)
        except TimeoutError:
            log.warning("realtime hub did not stop in time")
        self._runner = None

    async def subscribe(
        self,
        workspace_id: WorkspaceId,
        accepts: Callable[[Event], bool],
        *,
        conversation_id: str | None = None,
    ) -> Subscriber:
        """Live events from now on. Call before replaying history so nothing falls between the two."""
        subscriber = Subscriber(workspace_id, accepts, self._subscriber_limit, conversation_id)
        async with self._lock:
            stream = self._streams.get(workspace_id)
            if stream is None:
                stream = _Stream(last=await self._source.last_seq(workspace_id))
                self._streams[workspace_id] = stream
            if conversation_id is None:
                stream.staff.add(subscriber)
            else:
                stream.by_conversation.setdefault(conversation_id, set()).add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        stream = self._streams.get(subscriber.workspace_id)
        if stream is None:
            return
        if subscriber.conversation_id is None:
            stream.staff.discard(subscriber)
        else:
            listeners = stream.by_conversation.get(subscriber.conversation_id, set())
            listeners.discard(subscriber)
            if not listeners:
                stream.by_conversation.pop(subscriber.conversation_id, None)
        if stream.empty:
            del self._streams[subscriber.workspace_id]

    async def _run(self) -> None:
        while True:
            batch: list[Event | None] = []
            try:
                # asyncio.timeout, unlike wait_for, creates no task per event.
                async with asyncio.timeout_at(self._next_deadline()):
                    batch.append(await self._inbox.get())
            except TimeoutError:
                pass
            while not self._inbox.empty():  # take the rest of a burst: one lock round for all of it
                batch.append(self._inbox.get_nowait())
            if None in batch:  # close() asked us to stop
                return
            try:
                async with self._lock:
                    for event in batch:
                        if event is not None:
                            self._accept(event)
                    if time.monotonic() >= self._next_sweep:
                        await self._sweep()
                    await self._fill_overdue_gaps()
            except Exception:  # a failing database read must not stop delivery for everyone
                log.exception("realtime hub could not process an event; retrying on the next one")

    def _next_deadline(self) -> float | None:
        """When the loop must wake up even without events (absolute, loop time), or None."""
        deadlines = [s.gap_deadline for s in self._streams.values() if s.gap_deadline is not None]
        if self._streams:
            deadlines.append(self._next_sweep)
        if not deadlines:
            return None
        return asyncio.get_running_loop().time() + max(0.001, min(deadlines) - time.monotonic())

    async def _sweep(self) -> None:
        """A commit is published a moment after it is visible in the log, so the hub acts only when it is
        still behind what the log held one sweep ago."""
        self._next_sweep = time.monotonic() + self._sweep_every
        for workspace_id, stream in list(self._streams.items()):
            if stream.suspect is not None and stream.last < stream.suspect and stream.gap_deadline is None:
                stream.gap_deadline = time.monotonic()  # filled right away by _fill_overdue_gaps
            logged = await self._source.last_seq(workspace_id)
            stream.suspect = logged if logged > stream.last else None

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
        frame = Frame(event)
        for subscriber in stream.staff:
            subscriber.offer(frame)
        if event.conversation_id is not None:
            for subscriber in stream.by_conversation.get(event.conversation_id, ()):
                subscriber.offer(frame)

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
            limit = (min(stream.early) - stream.last - 1) if stream.early else 1000
            missing = await self._source.events_after(workspace_id, stream.last, limit=limit)
            for event in missing:
                if event.seq == stream.last + 1:
                    self._deliver(stream, event)
            self._drain_early(stream)
