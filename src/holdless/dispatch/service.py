"""The dispatcher: feeds each workspace's routing engine from the event log and writes its decisions.

Loop (in the one process holding the routing lock):
  * restore every workspace's engine from the database (queued conversations keep their places, open
    offers are withdrawn and made again, promised callbacks are re-armed, assigned work counts as load);
  * on every routing event committed (woken by the bus, and by a poll on each tick so a lost bus message
    only delays), read the log after the workspace's cursor, translate, feed the engine;
  * on each tick, fire the engine's timers (offer expiry, callback windows) and publish positions;
  * write every decision in one transaction per batch; feed the corrections back (record_decisions).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from holdless.conversations.model import Status
from holdless.conversations.repository import ConversationFilter
from holdless.dispatch.leader import Leadership, LeaderTask
from holdless.dispatch.router import (
    RESTART_EVENT_TYPES,
    ROUTING_EVENT_TYPES,
    WorkspaceRouter,
    routing_config,
)
from holdless.events import Event
from holdless.ids import ConversationId, WorkspaceId
from holdless.routing import model as engine
from holdless.routing.callback_actions import waiting_for_person
from holdless.routing.config import RoutingConfig
from holdless.routing.decision_records import SYSTEM, record_decisions
from holdless.routing.engine import RoutingEngine
from holdless.routing.offer_actions import OFFER_WITHDRAWN, offer_event
from holdless.routing.promises import CallbackStatus, OfferStatus
from holdless.storage.tables import workspaces
from holdless.unit_of_work import Ctx

log = logging.getLogger(__name__)

PAGE = 500
MAX_CORRECTION_ROUNDS = 5


class Dispatcher(LeaderTask):
    name = "holdless-dispatcher"

    def __init__(
        self,
        ctx: Ctx,
        engine_: AsyncEngine,
        *,
        base: RoutingConfig,
        tick_seconds: float = 0.5,
    ) -> None:
        self._ctx = ctx
        self._db = engine_
        self._base = base
        self._tick = tick_seconds
        super().__init__(Leadership(engine_))
        self._routers: dict[WorkspaceId, WorkspaceRouter] = {}
        self._working = False
        self._ready = False  # every workspace restored since this process became the leader
        self.decisions_written = 0

    # --- lifecycle -------------------------------------------------------------------------------------

    def notify(self, event: Event) -> None:
        """Called by the bus for every committed event; never blocks."""
        if event.type in ROUTING_EVENT_TYPES:
            self._mark(event.workspace_id)

    def _failed(self) -> None:
        self._routers.clear()

    def _stepped_down(self) -> None:
        self._ready = False

    async def _workspace_ids(self) -> list[WorkspaceId]:
        async with self._db.connect() as conn:
            return [WorkspaceId(row.id) for row in await conn.execute(select(workspaces.c.id))]

    async def _lead(self) -> None:
        self._routers.clear()
        self._working = True
        try:
            for workspace_id in await self._workspace_ids():
                await self._restore(workspace_id)
        finally:
            self._working = False
        self._ready = True
        next_tick = time.monotonic()
        next_check = time.monotonic() + 5.0
        while not self._stopping:
            timeout = max(0.0, next_tick - time.monotonic())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
            self._wake.clear()
            ticking = time.monotonic() >= next_tick
            self._working = True
            try:
                dirty, self._dirty = self._dirty, set()
                if ticking:
                    dirty |= set(self._routers)
                    next_tick = time.monotonic() + self._tick
                for workspace_id in dirty:
                    await self._catch_up(workspace_id)
                if ticking:
                    for router in list(self._routers.values()):
                        await self._feed(router, [engine.Tick()])
            finally:
                self._working = False
            if time.monotonic() >= next_check:
                next_check = time.monotonic() + 5.0
                if not await self._leadership.still_held():
                    return

    # --- the engine ------------------------------------------------------------------------------------

    def _now(self) -> tuple[float, datetime]:
        now = self._ctx.clock.now()
        return now.timestamp(), now

    async def _catch_up(self, workspace_id: WorkspaceId) -> None:
        router = self._routers.get(workspace_id)
        if router is None:
            router = await self._restore(workspace_id)
        while True:
            async with self._ctx.uow() as uow:
                batch = await uow.events.list(
                    workspace_id, after=router.cursor, limit=PAGE, types=ROUTING_EVENT_TYPES
                )
            if not batch:
                return
            for event in batch:
                router.cursor = event.seq
                if event.type in RESTART_EVENT_TYPES and not router.queue_changed(event):
                    # New segment rules: the engine's configuration is fixed, so it is rebuilt.
                    router = await self._restore(workspace_id)
                    break
                await self._apply(router, event)
            else:
                if len(batch) < PAGE:
                    return

    async def _apply(self, router: WorkspaceRouter, event: Event) -> None:
        inputs = router.translate(event)
        decisions: list[engine.Decision] = router.take_settled()
        if not inputs and not decisions:
            return
        stamp, _ = self._now()
        for item in inputs:
            out = router.engine.on_event(item, stamp)
            if isinstance(item, engine.OfferAccepted) and any(
                isinstance(d, engine.Rejected) and d.subject_id == item.contact_id for d in out
            ):
                decisions += out
                for fix in router.rejected_accept(item.contact_id, item.agent_id):
                    decisions += router.engine.on_event(fix, stamp)
                continue
            decisions += out
        await self._write(router, decisions)

    async def _feed(self, router: WorkspaceRouter, inputs: Sequence[engine.Event]) -> None:
        stamp, _ = self._now()
        decisions: list[engine.Decision] = []
        for item in inputs:
            decisions += router.engine.on_event(item, stamp)
        await self._write(router, decisions)

    async def _write(self, router: WorkspaceRouter, decisions: list[engine.Decision]) -> None:
        for _ in range(MAX_CORRECTION_ROUNDS):
            if not any(not isinstance(d, engine.Rejected) for d in decisions):
                return
            stamp, now = self._now()
            async with self._ctx.uow() as uow:
                corrections = await record_decisions(uow, router.workspace_id, decisions, now)
            self.decisions_written += len(decisions)
            decisions = []
            for fix in corrections:
                decisions += router.engine.on_event(fix, stamp)

    # --- restore ---------------------------------------------------------------------------------------

    async def _restore(self, workspace_id: WorkspaceId) -> WorkspaceRouter:
        """Rebuild the workspace's engine from the stored state: nothing lost, nothing offered twice."""
        stamp, now = self._now()
        async with self._ctx.uow() as uow:
            cursor = await uow.events.last_seq(workspace_id)  # before the state: replays may repeat, not skip
            queues = await uow.queues.list(workspace_id)
            agents = await uow.agents.list(workspace_id)
            open_conversations = []
            before: str | None = None
            while True:
                page = await uow.conversations.list(
                    workspace_id,
                    ConversationFilter(status=(Status.QUEUED, Status.ASSIGNED, Status.AWAY)),
                    limit=PAGE,
                    before=before,
                )
                open_conversations += page
                if len(page) < PAGE:
                    break
                before = page[-1].id
            promised = await uow.callbacks.list(workspace_id, status=CallbackStatus.PROMISED, limit=100_000)
            pending = await uow.offers.list(workspace_id, status=OfferStatus.PENDING, limit=100_000)
            # Offers made by a previous engine are withdrawn; this engine makes its own.
            for offer in pending:
                ended = await uow.offers.finish(offer, OfferStatus.WITHDRAWN, now, "routing restarted")
                if ended is not None:
                    conversation = await uow.conversations.get(workspace_id, offer.conversation_id)
                    uow.record(offer_event(OFFER_WITHDRAWN, ended, conversation, SYSTEM, now))
        router = WorkspaceRouter(
            workspace_id=workspace_id,
            engine=RoutingEngine(routing_config(queues, self._base)),
            queues={q.id: q for q in queues},
            agents={a.user_id: a for a in agents},
            cursor=cursor,
        )
        self._routers[workspace_id] = router
        feed: list[engine.Event] = []
        waiting = sorted(
            (c for c in open_conversations if waiting_for_person(c) and c.queue_id is not None),
            key=lambda c: (c.queued_at or c.created_at, c.id),
        )
        for c in waiting:
            feed += router.joining(c, enqueued_at=(c.queued_at or c.created_at).timestamp())
            if c.status is Status.AWAY:
                feed.append(engine.CustomerAway(c.id))
        by_conversation = {c.id: c for c in waiting}
        for callback in promised:
            if ConversationId(callback.conversation_id) in by_conversation:
                feed.append(
                    engine.CallbackRequested(
                        callback.conversation_id,
                        callback.window_start.timestamp(),
                        max(callback.window_end.timestamp(), stamp + 1.0),
                        callback.channel,
                    )
                )
        promised_for = {callback.conversation_id: callback for callback in promised}
        for c in open_conversations:
            if c.assignee_id is not None and not waiting_for_person(c):
                router.outside[c.id] = (c.assignee_id, c.channel.value)
                attempt = promised_for.get(c.id)
                if attempt is not None and c.assigned_at is not None:
                    # An attempt under way at the restart: kept if it started inside the window.
                    router.attempts[c.id] = (
                        c.assigned_at.timestamp()
                        if attempt.window_start <= c.assigned_at <= attempt.window_end
                        else None
                    )
        feed += [router.agent_changed(agent_id) for agent_id in router.agents]
        await self._feed(router, feed)
        log.info(
            "routing: workspace %s restored: %d waiting, %d assigned, %d callbacks, %d offers withdrawn",
            workspace_id, len(waiting), len(router.outside), len(promised), len(pending),
        )  # fmt: skip
        return router

    # --- reads for tests and supervisors ---------------------------------------------------------------

    async def wait_idle(self, within: float = 10.0) -> None:
        """Until every committed routing event has been applied and its decisions written (for tests)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self._ready and not self._dirty and not self._working and await self._caught_up():
                return
            await asyncio.sleep(0.02)
        raise TimeoutError("the routing dispatcher did not catch up with the event log")

    async def _caught_up(self) -> bool:
        cursors = {w: r.cursor for w, r in self._routers.items()}
        ids = await self._workspace_ids()
        async with self._ctx.uow() as uow:
            for workspace_id in ids:
                after = cursors.get(workspace_id, 0)
                if await uow.events.list(workspace_id, after=after, limit=1, types=ROUTING_EVENT_TYPES):
                    return False
        return not self._working and not self._dirty

    def router(self, workspace_id: WorkspaceId) -> WorkspaceRouter | None:
        return self._routers.get(workspace_id)
