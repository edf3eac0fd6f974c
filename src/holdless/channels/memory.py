"""An in-memory channel for tests of the core: messages in through intake, replies kept in a list."""

from __future__ import annotations

from holdless.channels.base import Capabilities, Outbound, Rendered, render
from holdless.conversations.intake import Inbound, Receipt, ThreadMap, receive
from holdless.conversations.model import Channel
from holdless.ids import QueueId
from holdless.unit_of_work import Ctx


class MemoryChannel:
    def __init__(
        self,
        ctx: Ctx,
        threads: ThreadMap,
        *,
        channel: Channel = Channel.API,
        capabilities: Capabilities | None = None,
        queue_id: QueueId | None = None,
    ) -> None:
        self.channel = channel
        self.capabilities = capabilities or Capabilities(buttons=True, max_buttons=3)
        self._ctx = ctx
        self._threads = threads
        self._queue_id = queue_id
        self.sent: list[tuple[Outbound, Rendered]] = []
        self.fail_next = 0  # the next n sends raise, as a provider outage would

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def deliver(self, inbound: Inbound) -> Receipt:
        """The customer writes."""
        return await receive(self._ctx, inbound, threads=self._threads, queue_id=self._queue_id)

    async def send(self, outbound: Outbound) -> str:
        if self.fail_next > 0:
            self.fail_next -= 1
            raise ConnectionError("the provider is unreachable")
        self.sent.append((outbound, render(outbound.reply, self.capabilities)))
        return f"memory-{outbound.message_id}"
