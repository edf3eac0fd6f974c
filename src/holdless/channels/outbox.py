"""The outbound listener of one channel: sends staff and bot messages of its conversations, once each.

Like the routing dispatcher (dispatch/service.py), it reads the workspace's event log after a stored
cursor, woken by the bus for every committed `message.created` and by a poll, so a lost bus message only
delays. Each message is claimed in `channel_deliveries` before the send and marked sent after it: a
restart neither resends what was sent nor skips what was not.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncEngine

from holdless.channels.base import ChannelAdapter, Outbound, Reply
from holdless.contacts.model import IdentityKind
from holdless.conversations import events as ev
from holdless.conversations.intake import ThreadMap, thread_key
from holdless.conversations.model import Author
from holdless.errors import NotFound
from holdless.events import Event
from holdless.ids import ConversationId, MessageId, WorkspaceId
from holdless.storage.repositories.channels import SqlCursors, SqlDeliveries
from holdless.unit_of_work import Ctx

log = logging.getLogger(__name__)

PAGE = 200
MAX_ATTEMPTS = 3
SENT_BY = frozenset({Author.AGENT.value, Author.BOT.value})


class Outbox:
    def __init__(
        self,
        ctx: Ctx,
        engine: AsyncEngine,
        adapter: ChannelAdapter,
        workspace_id: WorkspaceId,
        threads: ThreadMap,
        *,
        poll_seconds: float = 2.0,
        recipient_kind: IdentityKind = IdentityKind.EMAIL,
    ) -> None:
        self._recipient_kind = recipient_kind
        self._ctx = ctx
        self._adapter = adapter
        self._workspace_id = workspace_id
        self._threads = threads
        self._cursors = SqlCursors(engine)
        self._deliveries = SqlDeliveries(engine)
        self._poll = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._working = False
        self._cursor: int | None = None
        self.sent = 0

    def notify(self, event: Event) -> None:
        """Called by the bus for every committed event; never blocks."""
        if event.type == ev.MESSAGE_CREATED and event.workspace_id == self._workspace_id:
            self._wake.set()

    async def start(self) -> None:
        cursor = await self._cursors.get(self._workspace_id, self._adapter.channel)
        if cursor is None:  # first start: history is not sent again, only what comes from now on
            async with self._ctx.uow() as uow:
                cursor = await uow.events.last_seq(self._workspace_id)
            await self._cursors.set(self._workspace_id, self._adapter.channel, cursor)
        self._cursor = cursor
        self._task = asyncio.create_task(self._run(), name=f"holdless-outbox-{self._adapter.channel}")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        delay = self._poll
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)
            self._wake.clear()
            self._working = True
            try:
                await self._catch_up()
                delay = self._poll
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s outbox: sending failed; retrying", self._adapter.channel)
                delay = min(60.0, delay * 2)
            finally:
                self._working = False

    async def _catch_up(self) -> None:
        assert self._cursor is not None
        while True:
            async with self._ctx.uow() as uow:
                batch = await uow.events.list(
                    self._workspace_id, after=self._cursor, limit=PAGE, types=(ev.MESSAGE_CREATED,)
                )
            for event in batch:
                await self._deliver(event)
                self._cursor = event.seq
                await self._cursors.set(self._workspace_id, self._adapter.channel, event.seq)
            if len(batch) < PAGE:
                return

    async def _deliver(self, event: Event) -> None:
        message = event.data["message"]
        if message["author"] not in SENT_BY or event.conversation_id is None:
            return
        message_id = MessageId(message["id"])
        outbound = await self._outbound(event.conversation_id, message_id, message["text"])
        if outbound is not None and message["author"] == Author.BOT.value:
            outbound = replace(outbound, automatic=True)
        if outbound is None:
            return
        now = self._ctx.clock.now()
        if not await self._deliveries.claim(
            self._workspace_id, self._adapter.channel, outbound.conversation_id, message_id, now
        ):
            return  # sent (or given up) before
        try:
            external_id = await self._adapter.send(outbound)
        except Exception as error:
            delivery = await self._deliveries.get(message_id)
            if delivery is not None and delivery.attempts < MAX_ATTEMPTS:
                raise  # the cursor stays before this message; retried after a back-off
            log.warning("%s outbox: gave up on message %s: %s", self._adapter.channel, message_id, error)
            await self._deliveries.finish(
                message_id, status="failed", external_id=None, error=str(error), now=self._ctx.clock.now()
            )
            return
        await self._deliveries.finish(
            message_id, status="sent", external_id=external_id, error="", now=self._ctx.clock.now()
        )
        await self._threads.remember(
            self._workspace_id, self._adapter.channel, [thread_key(external_id)], outbound.conversation_id
        )
        self.sent += 1

    async def _outbound(
        self, conversation_id: ConversationId, message_id: MessageId, text: str
    ) -> Outbound | None:
        kind = self._recipient_kind
        async with self._ctx.uow() as uow:
            try:
                conversation = await uow.conversations.get(self._workspace_id, conversation_id)
                customer = await uow.customers.get(self._workspace_id, conversation.customer_id)
            except NotFound:
                return None
        if conversation.channel is not self._adapter.channel:
            return None
        recipient = next((i.value for i in customer.identities if i.kind is kind), None)
        if recipient is None:
            log.warning("%s outbox: customer %s has no address", self._adapter.channel, customer.id)
            return None
        keys = await self._threads.keys_of(self._workspace_id, self._adapter.channel, conversation.id)
        return Outbound(
            workspace_id=self._workspace_id,
            conversation_id=conversation.id,
            message_id=message_id,
            recipient=recipient,
            recipient_name=customer.name,
            subject=conversation.subject,
            reply=Reply(text),
            thread_keys=tuple(k for k in keys if not k.startswith(("token:", "sha256:"))),
        )

    async def wait_idle(self, within: float = 10.0) -> None:
        """Until every committed message has been handled (for tests)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if not self._working and self._cursor is not None:
                async with self._ctx.uow() as uow:
                    pending = await uow.events.list(
                        self._workspace_id, after=self._cursor, limit=1, types=(ev.MESSAGE_CREATED,)
                    )
                if not pending and not self._working:
                    return
            self._wake.set()
            await asyncio.sleep(0.02)
        raise TimeoutError(f"the {self._adapter.channel} outbox did not catch up")
