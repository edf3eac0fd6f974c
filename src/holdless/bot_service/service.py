"""The virtual agent's listener: reads the event log after a per-workspace cursor and runs the bot.

Like the routing dispatcher (dispatch/service.py): woken by the bus, polling on a tick so a lost bus
message only delays, and run by one process at a time (its own PostgreSQL advisory lock). Only workspaces
with stored flows (PUT /api/v1/bot/flows) have a bot. The cursor is stored, so a restart or a new leader
goes on where the last one stopped; bot messages carry a client message id made from the event's
sequence, so an event applied twice posts nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from sqlalchemy.ext.asyncio import AsyncEngine

from holdless.bot.actions import FLOWS_UPDATED
from holdless.bot.flows import BotDefinition, parse_definition
from holdless.bot_service.turns import TurnRunner
from holdless.bot_service.understanding import Understanding
from holdless.conversations import events as ev
from holdless.dispatch.leader import Leadership, LeaderTask
from holdless.errors import HoldlessError
from holdless.events import Event
from holdless.ids import WorkspaceId
from holdless.routing.decision_records import POSITION
from holdless.unit_of_work import Ctx

log = logging.getLogger(__name__)

BOT_LOCK_KEY = 0x68_6C_62_74  # "hlbt"
BOT_EVENT_TYPES = frozenset({ev.MESSAGE_CREATED, ev.QUEUED, POSITION, FLOWS_UPDATED})
PAGE = 200


class VirtualAgent(LeaderTask):
    name = "holdless-virtual-agent"

    def __init__(self, ctx: Ctx, engine: AsyncEngine, *, routing: bool, tick_seconds: float = 1.0) -> None:
        super().__init__(Leadership(engine, key=BOT_LOCK_KEY, role="virtual agent"))
        self._ctx = ctx
        self._tick = tick_seconds
        self._runner = TurnRunner(ctx, routing=routing)
        self._enabled: set[WorkspaceId] = set()
        self._definitions: dict[WorkspaceId, tuple[BotDefinition, Understanding | None]] = {}
        self._working = False
        self._ready = False

    def notify(self, event: Event) -> None:
        """Called by the bus for every committed event; never blocks."""
        if event.type not in BOT_EVENT_TYPES:
            return
        if event.type == FLOWS_UPDATED or event.workspace_id in self._enabled:
            self._mark(event.workspace_id)

    def _failed(self) -> None:
        self._definitions.clear()

    def _stepped_down(self) -> None:
        self._ready = False

    async def _lead(self) -> None:
        async with self._ctx.uow() as uow:
            self._enabled = set(await uow.bot.workspaces())
        self._definitions.clear()
        self._dirty |= self._enabled
        self._ready = True
        next_tick = time.monotonic()
        next_check = time.monotonic() + 5.0
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.0, next_tick - time.monotonic()))
            self._wake.clear()
            self._working = True
            try:
                dirty, self._dirty = self._dirty, set()
                if time.monotonic() >= next_tick:
                    dirty |= self._enabled
                    next_tick = time.monotonic() + self._tick
                for workspace_id in sorted(dirty):
                    await self._catch_up(workspace_id)
            finally:
                self._working = False
            if time.monotonic() >= next_check:
                next_check = time.monotonic() + 5.0
                if not await self._leadership.still_held():
                    return

    async def _definition(
        self, workspace_id: WorkspaceId, *, reload: bool
    ) -> tuple[BotDefinition, Understanding | None] | None:
        if not reload and workspace_id in self._definitions:
            return self._definitions[workspace_id]
        async with self._ctx.uow() as uow:
            stored = await uow.bot.flows(workspace_id)
        if stored is None:
            self._enabled.discard(workspace_id)
            return None
        try:
            definition = parse_definition(stored.definition)
        except HoldlessError:
            log.exception("bot: stored flows of %s no longer valid; the bot is off there", workspace_id)
            self._enabled.discard(workspace_id)
            return None
        self._enabled.add(workspace_id)
        pair = (definition, None)
        self._definitions[workspace_id] = pair
        return pair

    async def understanding(self, workspace_id: WorkspaceId) -> Understanding:
        definition, built = self._definitions[workspace_id]
        if built is None:
            # Training (first time in the process) and indexing take seconds: off the event loop.
            built = await asyncio.to_thread(Understanding.build, definition)
            self._definitions[workspace_id] = (definition, built)
        return built

    async def _catch_up(self, workspace_id: WorkspaceId) -> None:
        pair = await self._definition(workspace_id, reload=False)
        if pair is None:
            return
        while True:
            async with self._ctx.uow() as uow:
                stored = await uow.bot.flows(workspace_id)
                if stored is None:
                    return
                batch = await uow.events.list(
                    workspace_id, after=stored.cursor, limit=PAGE, types=BOT_EVENT_TYPES
                )
            if not batch:
                return
            for event in batch:
                if event.type == FLOWS_UPDATED:
                    pair = await self._definition(workspace_id, reload=True)
                    if pair is None:
                        return
                elif pair[0].enabled:
                    try:
                        await self._runner.apply(event, pair[0], lambda: self.understanding(workspace_id))
                    except HoldlessError as error:  # the conversation moved on meanwhile: nothing to do
                        log.info("bot: event %s skipped: %s", event.seq, error.message)
                    except Exception:  # one bad event must not stop the bot for the whole workspace
                        log.exception("bot: event %s of %s failed; skipped", event.seq, workspace_id)
            # Once per batch: an event applied again after a crash is recognised by the state's last_seq.
            async with self._ctx.uow() as uow:
                await uow.bot.move_cursor(workspace_id, batch[-1].seq)
            if len(batch) < PAGE:
                return

    # --- for tests -------------------------------------------------------------------------------------

    async def wait_idle(self, within: float = 30.0) -> None:
        """Until every committed event of a bot workspace has been applied (tests)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self._ready and not self._dirty and not self._working and await self._caught_up():
                return
            await asyncio.sleep(0.02)
        raise TimeoutError("the virtual agent did not catch up with the event log")

    async def _caught_up(self) -> bool:
        async with self._ctx.uow() as uow:
            for workspace_id in await uow.bot.workspaces():
                stored = await uow.bot.flows(workspace_id)
                if stored is not None and await uow.events.list(
                    workspace_id, after=stored.cursor, limit=1, types=BOT_EVENT_TYPES
                ):
                    return False
        return not self._working and not self._dirty
