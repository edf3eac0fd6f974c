"""The channel contract with the in-memory channel: intake into conversations, replies sent exactly once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from holdless.bootstrap import Holdless, build
from holdless.channels.memory import MemoryChannel
from holdless.channels.outbox import Outbox
from holdless.contacts.model import Identity, IdentityKind
from holdless.conversations.intake import Inbound
from holdless.conversations.messaging import post_message
from holdless.conversations.model import Author, Channel, Status
from holdless.storage.repositories.channels import SqlThreadMap
from tests.conftest import Backend, make_settings
from tests.factories import World, make_world


@pytest.fixture
async def holdless(backend: Backend, tmp_path: Path) -> AsyncIterator[Holdless]:
    running = build(make_settings(backend, tmp_path, routing=False))
    await running.start()
    try:
        yield running
    finally:
        await running.close()


def message(world: World, external_id: str, text: str, *, thread: tuple[str, ...] = ()) -> Inbound:
    return Inbound(
        workspace_id=world.workspace_id,
        channel=Channel.MESSENGER,
        sender=Identity(IdentityKind.MESSENGER, "Test:42"),
        display_name="Pavel",
        text=text,
        external_id=external_id,
        received_at=datetime.now(UTC),
        thread_keys=thread,
        language="ru",
    )


def outbox_for(holdless: Holdless, channel: MemoryChannel, world: World) -> Outbox:
    threads = SqlThreadMap(holdless.engine, holdless.ctx.clock)
    return Outbox(
        holdless.ctx, holdless.engine, channel, world.workspace_id, threads,
        poll_seconds=0.05, recipient_kind=IdentityKind.MESSENGER,
    )  # fmt: skip


async def test_a_channel_message_reaches_a_queued_conversation_and_replies_go_out_exactly_once(
    holdless: Holdless,
) -> None:
    world = await make_world(holdless.ctx)
    threads = SqlThreadMap(holdless.engine, holdless.ctx.clock)
    channel = MemoryChannel(holdless.ctx, threads, channel=Channel.MESSENGER, queue_id=world.other_queue_id)
    outbox = outbox_for(holdless, channel, world)
    await outbox.start()
    try:
        receipt = await channel.deliver(message(world, "m1", "Привет, не работает вход"))
        assert receipt.new_conversation
        assert receipt.conversation.status is Status.QUEUED
        assert receipt.conversation.queue_id == world.other_queue_id
        assert receipt.acknowledgement is not None
        assert "Вы в очереди" in receipt.acknowledgement.text, "the customer's language, no invented time"

        again = await channel.deliver(message(world, "m1", "Привет, не работает вход"))
        assert again.created is False, "a redelivery is not stored twice"
        assert again.message.id == receipt.message.id
        follow_up = await channel.deliver(message(world, "m2", "Ещё вопрос", thread=("m1",)))
        assert follow_up.conversation.id == receipt.conversation.id
        assert follow_up.acknowledgement is None, "only the first message is acknowledged"

        channel.fail_next = 1  # the provider is down for one attempt: retried, then sent once
        await post_message(
            holdless.ctx, world.supervisor.principal, receipt.conversation.id, text="Сейчас проверим"
        )
        await outbox.wait_idle()
    finally:
        await outbox.close()
    sent = [(o.recipient, o.reply.text, o.automatic) for o, _ in channel.sent]
    assert sent == [
        ("test:42", receipt.acknowledgement.text, True),
        ("test:42", "Сейчас проверим", False),
    ]

    restarted = outbox_for(holdless, channel, world)
    await restarted.start()
    try:
        await restarted.wait_idle()
    finally:
        await restarted.close()
    assert len(channel.sent) == 2, "a restarted listener sends nothing again"


async def test_history_from_before_the_channel_was_enabled_is_not_sent(holdless: Holdless) -> None:
    world = await make_world(holdless.ctx)
    threads = SqlThreadMap(holdless.engine, holdless.ctx.clock)
    channel = MemoryChannel(holdless.ctx, threads, channel=Channel.MESSENGER, queue_id=world.queue_id)
    receipt = await channel.deliver(message(world, "old", "Hello"))
    outbox = outbox_for(holdless, channel, world)
    await outbox.start()
    try:
        await outbox.wait_idle()
        assert channel.sent == []
        await post_message(holdless.ctx, world.supervisor.principal, receipt.conversation.id, text="Hi!")
        await outbox.wait_idle()
    finally:
        await outbox.close()
    assert [o.reply.text for o, _ in channel.sent] == ["Hi!"]
    assert receipt.message.author is Author.CUSTOMER
