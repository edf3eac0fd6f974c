"""The composition root: the only place that knows which concrete classes make up a running Holdless."""

from __future__ import annotations

import gc
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy.ext.asyncio import AsyncEngine

from holdless.accounts.model import Workspace
from holdless.analytics.live import LiveKpis
from holdless.bot_service.service import VirtualAgent
from holdless.channels.email import EmailChannel, ImapBox, SmtpOut
from holdless.channels.messenger import MessengerChannel
from holdless.channels.outbox import Outbox
from holdless.channels.telegram import TelegramBot, TelegramChannel
from holdless.clock import Clock, SystemClock
from holdless.contacts.model import IdentityKind
from holdless.conversations.writer import MessageWriter
from holdless.dispatch.service import Dispatcher
from holdless.dispatch.timers import Timers
from holdless.events import Event
from holdless.ids import QueueId
from holdless.integrations.actions import WebhookCtx
from holdless.integrations.delivery import WebhookDeliverer
from holdless.integrations.model import RetryPolicy
from holdless.integrations.resolver import SystemResolver
from holdless.integrations.targets import Resolver
from holdless.realtime.bus import Bus, MemoryBus, RedisBus
from holdless.realtime.hub import Hub
from holdless.routing.config import RoutingConfig
from holdless.settings import Settings
from holdless.storage.database import create_engine
from holdless.storage.event_source import SqlEventSource
from holdless.storage.repositories.channels import SqlThreadMap
from holdless.storage.repositories.webhooks import SecretBox, SqlWebhookStore
from holdless.storage.unit_of_work import SqlUnitOfWorkFactory
from holdless.unit_of_work import Ctx

log = logging.getLogger(__name__)


@dataclass
class Holdless:
    settings: Settings
    engine: AsyncEngine
    reader: AsyncEngine
    bus: Bus
    hub: Hub
    events: SqlEventSource
    ctx: Ctx
    webhooks: WebhookCtx
    dispatcher: Dispatcher | None = None
    live_kpis: LiveKpis = field(default_factory=LiveKpis)
    timers: Timers | None = None
    deliverer: WebhookDeliverer | None = None
    email: EmailChannel | None = None
    telegram: TelegramChannel | None = None
    outboxes: list[Outbox] = field(default_factory=list)
    bot: VirtualAgent | None = None
    messenger: MessengerChannel | None = None

    async def start(self) -> None:
        listeners = [x for x in (self.dispatcher, self.deliverer, self.bot) if x is not None]

        def receive(event: Event) -> None:
            """Every committed event: to the websockets and to this process's listeners."""
            self.hub.receive(event)
            for listener in listeners:
                listener.notify(event)
            for outbox in self.outboxes:  # filled when the email channel starts, below
                outbox.notify(event)

        await self.bus.start(receive)
        await self.hub.start()
        for listener in listeners:
            await listener.start()
        if self.timers is not None:
            await self.timers.start()
        await self._start_email()
        await self._start_telegram()
        await self._start_messenger()

    async def _channel_home(
        self, channel: str, slug: str, queue_name: str | None
    ) -> tuple[Workspace, QueueId | None] | None:
        """The workspace a channel serves and the queue for its new conversations, from settings."""
        async with self.ctx.uow() as uow:
            workspace = await uow.workspaces.by_slug(slug)
            queues = await uow.queues.list(workspace.id) if workspace is not None else []
        if workspace is None:
            log.error("%s: no workspace '%s'; the channel is off", channel, slug)
            return None
        queue_id = next((q.id for q in queues if q.name == queue_name), None)
        if queue_name and queue_id is None:
            log.error("%s: no queue '%s'; new conversations wait without a queue", channel, queue_name)
        return workspace, queue_id

    async def _start_email(self) -> None:
        """The email channel, when a workspace and a way in or out are configured (docs/channels.md)."""
        s = self.settings
        if not email_configured(s):
            return
        assert s.email_workspace is not None
        home = await self._channel_home("email", s.email_workspace, s.email_queue)
        if home is None:
            return
        workspace, queue_id = home
        threads = SqlThreadMap(self.engine, self.ctx.clock)
        smtp_out = None
        if s.email_smtp_host:
            smtp_out = SmtpOut(
                s.email_smtp_host, s.email_smtp_port, s.email_from, workspace.name,
                s.email_smtp_user, s.email_smtp_password, s.email_smtp_starttls,
            )  # fmt: skip
        imap = None
        if s.email_imap_host:
            imap = ImapBox(
                s.email_imap_host, s.email_imap_port, s.email_imap_user, s.email_imap_password,
                s.email_imap_ssl, poll_seconds=s.email_imap_poll_seconds,
            )  # fmt: skip
        listen = None
        if s.email_smtp_listen_port is not None:
            listen = (s.email_smtp_listen_host, s.email_smtp_listen_port)
        channel = EmailChannel(
            self.ctx, workspace.id, threads, queue_id=queue_id, smtp_out=smtp_out, listen=listen, imap=imap,
            placement_wait_seconds=s.email_placement_wait_seconds if s.routing else 0.0,
        )  # fmt: skip
        await channel.start()
        self.email = channel
        if smtp_out is not None:
            poll = s.email_outbox_poll_seconds
            outbox = Outbox(self.ctx, self.engine, channel, workspace.id, threads, poll_seconds=poll)
            await outbox.start()
            self.outboxes.append(outbox)

    async def _start_telegram(self) -> None:
        """The Telegram channel, when a workspace and a bot token are configured (docs/channels.md)."""
        s = self.settings
        if not telegram_configured(s):
            return
        assert s.telegram_workspace is not None
        assert s.telegram_bot_token is not None
        home = await self._channel_home("telegram", s.telegram_workspace, s.telegram_queue)
        if home is None:
            return
        workspace, queue_id = home
        if s.telegram_mode == "webhook" and not s.telegram_webhook_secret:
            log.error("telegram: webhook mode needs telegram_webhook_secret; every update will be refused")
        threads = SqlThreadMap(self.engine, self.ctx.clock)
        bot = TelegramBot(s.telegram_bot_token, s.telegram_api_base, poll_seconds=s.telegram_poll_seconds)
        channel = TelegramChannel(
            self.ctx, workspace.id, threads, bot, queue_id=queue_id, polling=s.telegram_mode == "polling",
            webhook_secret=s.telegram_webhook_secret,
        )  # fmt: skip
        await channel.start()
        self.telegram = channel
        outbox = Outbox(
            self.ctx, self.engine, channel, workspace.id, threads,
            poll_seconds=s.telegram_outbox_poll_seconds, recipient_kind=IdentityKind.MESSENGER,
        )  # fmt: skip
        await outbox.start()
        self.outboxes.append(outbox)

    async def _start_messenger(self) -> None:
        """The signed messenger webhook, when a workspace and a secret are configured (docs/channels.md)."""
        s = self.settings
        if s.messenger_workspace is None or not s.messenger_secret:
            return
        home = await self._channel_home("messenger", s.messenger_workspace, s.messenger_queue)
        if home is None:
            return
        workspace, queue_id = home
        threads = SqlThreadMap(self.engine, self.ctx.clock)
        channel = MessengerChannel(
            self.ctx, self.engine, workspace.id, workspace.slug, threads, secret=s.messenger_secret,
            resolver=self.webhooks.resolver, queue_id=queue_id, outbound_url=s.messenger_outbound_url,
            allowed_hosts=s.messenger_allowed_hosts, reply_window_hours=s.messenger_reply_window_hours,
            tolerance_seconds=s.signature_tolerance_seconds,
        )  # fmt: skip
        await channel.start()
        self.messenger = channel
        if s.messenger_outbound_url:
            outbox = Outbox(
                self.ctx, self.engine, channel, workspace.id, threads,
                poll_seconds=s.messenger_outbox_poll_seconds, recipient_kind=IdentityKind.MESSENGER,
            )  # fmt: skip
            await outbox.start()
            self.outboxes.append(outbox)

    async def close(self) -> None:
        if self.bot is not None:
            await self.bot.close()
        if self.timers is not None:
            await self.timers.close()
        if self.deliverer is not None:
            await self.deliverer.close()
        for outbox in self.outboxes:
            await outbox.close()
        self.outboxes.clear()
        if self.email is not None:
            await self.email.close()
            self.email = None
        if self.telegram is not None:
            await self.telegram.close()
            self.telegram = None
        if self.messenger is not None:
            await self.messenger.close()
            self.messenger = None
        if self.dispatcher is not None:
            await self.dispatcher.close()
        await self.hub.close()
        await self.bus.close()
        await self.engine.dispose()
        await self.reader.dispose()


def build(settings: Settings, *, clock: Clock | None = None, resolver: Resolver | None = None) -> Holdless:
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
    webhooks = WebhookCtx(
        store=SqlWebhookStore(engine, SecretBox(settings.resolved_secret_key)),
        clock=ctx.clock,
        resolver=resolver or SystemResolver(),
        allowed_hosts=frozenset(settings.webhook_allowed_hosts),
    )
    deliverer = None
    if settings.webhooks:
        policy = RetryPolicy(
            base_seconds=settings.webhook_retry_base_seconds,
            max_attempts=settings.webhook_max_attempts,
            max_delay_seconds=settings.webhook_max_delay_seconds,
        )
        deliverer = WebhookDeliverer(
            webhooks, engine, policy=policy, timeout_seconds=settings.webhook_timeout_seconds,
            poll_seconds=settings.webhook_poll_seconds,
        )  # fmt: skip
    bot = VirtualAgent(ctx, engine, routing=settings.routing) if settings.bot else None
    return Holdless(
        settings=settings,
        engine=engine,
        reader=reader,
        bus=bus,
        hub=hub,
        events=source,
        ctx=ctx,
        webhooks=webhooks,
        dispatcher=dispatcher,
        deliverer=deliverer,
        timers=Timers(ctx, engine, every=settings.timers_seconds),
        bot=bot,
    )


def email_configured(settings: Settings) -> bool:
    return settings.email_workspace is not None and (
        settings.email_smtp_listen_port is not None
        or settings.email_imap_host is not None
        or settings.email_smtp_host is not None
    )


def telegram_configured(settings: Settings) -> bool:
    return settings.telegram_workspace is not None and bool(settings.telegram_bot_token)


def tune_gc() -> None:
    """Keep the cyclic collector from stalling thousands of websockets (performance.md: p99 1 s -> ms).

    Objects alive after start-up are frozen out of collection, and full collections become rare.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)
