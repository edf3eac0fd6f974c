"""The composition root: the only place that knows which concrete classes make up a running Holdless."""

from __future__ import annotations

import gc
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncEngine

from holdless.bot_service.service import VirtualAgent
from holdless.clock import Clock, SystemClock
from holdless.conversations.writer import MessageWriter
from holdless.dispatch.service import Dispatcher
from holdless.events import Event
from holdless.realtime.bus import Bus, MemoryBus, RedisBus
from holdless.realtime.hub import Hub
from holdless.routing.config import RoutingConfig
from holdless.settings import Settings
from holdless.storage.database import create_engine
from holdless.storage.event_source import SqlEventSource
from holdless.storage.unit_of_work import SqlUnitOfWorkFactory
from holdless.unit_of_work import Ctx


@dataclass
class Holdless:
    settings: Settings
    engine: AsyncEngine
    reader: AsyncEngine
    bus: Bus
    hub: Hub
    events: SqlEventSource
    ctx: Ctx
    dispatcher: Dispatcher | None = None
    bot: VirtualAgent | None = None

    async def start(self) -> None:
        listeners = [x.notify for x in (self.dispatcher, self.bot) if x is not None]
        if not listeners:
            await self.bus.start(self.hub.receive)
        else:

            def receive(event: Event) -> None:
                self.hub.receive(event)
                for notify in listeners:
                    notify(event)

            await self.bus.start(receive)
        await self.hub.start()
        if self.dispatcher is not None:
            await self.dispatcher.start()
        if self.bot is not None:
            await self.bot.start()

    async def close(self) -> None:
        if self.bot is not None:
            await self.bot.close()
        if self.dispatcher is not None:
            await self.dispatcher.close()
        await self.hub.close()
        await self.bus.close()
        await self.engine.dispose()
        await self.reader.dispose()


def build(settings: Settings, *, clock: Clock | None = None) -> Holdless:
    engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
    # Realtime reads get their own connections so that gap fills and replays never queue behind writers.
    reader = create_engine(settings.database_url, pool_size=2)
    bus: Bus = RedisBus(settings.redis_url) if settings.redis_url else MemoryBus()
    source = SqlEventSource(reader)
    hub = Hub(source)

    async def publish(events: Sequence[Event]) -> None:
        await bus.publish(events)

    plain = Ctx(uow=SqlUnitOfWorkFactory(engine, after_commit=publish), clock=clock or SystemClock())
    ctx = replace(plain, writer=MessageWriter(plain))
    dispatcher = None
    if settings.routing:
        base = RoutingConfig(offer_timeout_seconds=settings.offer_timeout_seconds)
        dispatcher = Dispatcher(ctx, engine, base=base, tick_seconds=settings.routing_tick_seconds)
    bot = VirtualAgent(ctx, engine, routing=settings.routing) if settings.bot else None
    return Holdless(
        settings=settings,
        engine=engine,
        reader=reader,
        bus=bus,
        hub=hub,
        events=source,
        ctx=ctx,
        dispatcher=dispatcher,
        bot=bot,
    )


def tune_gc() -> None:
    """Keep the cyclic collector from stalling thousands of websockets (performance.md: p99 1 s -> ms).

    Objects alive after start-up are frozen out of collection, and full collections become rare.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)
