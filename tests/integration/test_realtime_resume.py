"""Realtime delivery: exactly what was missed, in order, once; scoped to what each person may see."""

from __future__ import annotations

import gc

import pytest

from holdless.conversations.actions import assign
from holdless.conversations.messaging import add_note, post_message
from holdless.settings import Settings
from holdless.tenancy import CustomerPrincipal
from tests.conftest import RunningServer, start_server, stop_server
from tests.factories import make_world, queued_conversation
from tests.integration.wsclient import open_socket


async def test_reconnecting_customer_receives_exactly_the_50_messages_it_missed_in_order(
    server: RunningServer,
) -> None:
    ctx = server.holdless.ctx
    world = await make_world(ctx)
    conversation = await queued_conversation(ctx, world)
    await assign(ctx, world.agent.principal, conversation.id, world.agent.user_id)
    token = server.signer.customer(world.workspace_id, world.customer_id)
    url = f"{server.ws_url}/ws/customer?token={token}&conversation_id={conversation.id}"

    async with open_socket(url) as socket:
        hello = await socket.next()
        assert hello["type"] == "hello"
        await post_message(ctx, world.agent.principal, conversation.id, text="Hello, I am Anna")
        first = (await socket.events(1, of_type="message.created"))[0]
        assert first["data"]["message"]["text"] == "Hello, I am Anna"
        last_seen = socket.last_seq

    sent = [f"update {i}" for i in range(50)]
    for text in sent:
        await post_message(ctx, world.agent.principal, conversation.id, text=text)

    async with open_socket(f"{url}&after={last_seen}") as socket:
        assert (await socket.next())["type"] == "hello"
        missed = await socket.events(50)
        assert [e["data"]["message"]["text"] for e in missed] == sent
        seqs = [e["seq"] for e in missed]
        assert seqs == sorted(seqs)
        assert len(set(seqs)) == 50
        assert await socket.silent_for(0.5, of_type="message.created")  # nothing twice

        await post_message(ctx, world.agent.principal, conversation.id, text="live again")
        live = await socket.events(1, of_type="message.created")
        assert live[0]["data"]["message"]["text"] == "live again"


async def test_same_client_message_id_over_the_socket_stores_one_message(server: RunningServer) -> None:
    ctx = server.holdless.ctx
    world = await make_world(ctx)
    conversation = await queued_conversation(ctx, world)
    token = server.signer.customer(world.workspace_id, world.customer_id)
    url = f"{server.ws_url}/ws/customer?token={token}&conversation_id={conversation.id}"
    async with open_socket(url) as socket:
        await socket.next()
        for _ in range(2):
            await socket.send({"type": "message", "text": "my card is blocked", "client_message_id": "c-1"})
        acks = []
        while len(acks) < 2:
            frame = await socket.next()
            if frame["type"] == "ack":
                acks.append(frame)
        assert [a["created"] for a in acks] == [True, False]
        assert acks[0]["message_id"] == acks[1]["message_id"]
    async with server.client(world.supervisor.token) as client:
        stored = (await client.get(f"/api/v1/conversations/{conversation.id}/messages")).json()
    assert [m["text"] for m in stored] == ["my card is blocked"]


async def test_agent_stream_carries_only_their_queues_and_customers_never_see_notes(
    server: RunningServer,
) -> None:
    ctx = server.holdless.ctx
    world = await make_world(ctx)
    mine = await queued_conversation(ctx, world)
    theirs = await queued_conversation(ctx, world, queue_id=world.other_queue_id)
    customer_token = server.signer.customer(world.workspace_id, world.customer_id)
    customer_url = f"{server.ws_url}/ws/customer?token={customer_token}&conversation_id={mine.id}"
    async with (
        open_socket(f"{server.ws_url}/ws/agent?token={world.agent.token}") as agent,
        open_socket(customer_url) as customer,
    ):
        await agent.next()
        await customer.next()
        customer_side = CustomerPrincipal(world.workspace_id, world.customer_id)
        await post_message(ctx, customer_side, theirs.id, text="for the tech queue")
        await post_message(ctx, customer_side, mine.id, text="for billing")
        received = await agent.events(1, of_type="message.created")
        assert received[0]["data"]["message"]["text"] == "for billing"

        await add_note(ctx, world.supervisor.principal, mine.id, "VIP, be careful")
        note = await agent.events(1, of_type="note.created")
        assert note[0]["data"]["note"]["text"] == "VIP, be careful"
        seen_by_customer = await customer.events(1, of_type="message.created")
        assert seen_by_customer[0]["data"]["message"]["text"] == "for billing"
        assert await customer.silent_for(0.5, of_type="note.created")


async def test_client_too_far_behind_is_told_to_resync(settings: Settings) -> None:
    settings = settings.model_copy(update={"replay_limit": 10})
    running_server, task, server = await start_server(settings)
    try:
        ctx = server.holdless.ctx
        world = await make_world(ctx)
        conversation = await queued_conversation(ctx, world)
        await assign(ctx, world.agent.principal, conversation.id, world.agent.user_id)
        for i in range(15):
            await post_message(ctx, world.agent.principal, conversation.id, text=f"m{i}")
        token = server.signer.customer(world.workspace_id, world.customer_id)
        url = f"{server.ws_url}/ws/customer?token={token}&conversation_id={conversation.id}&after=0"
        async with open_socket(url) as socket:
            assert (await socket.next())["type"] == "hello"
            frames = [await socket.next() for _ in range(11)]
        assert frames[-1]["type"] == "resync"
        assert all("seq" in f for f in frames[:-1])
    finally:
        await stop_server(running_server, task)


async def test_wrong_customer_token_or_foreign_conversation_is_refused_with_a_message(
    server: RunningServer,
) -> None:
    ctx = server.holdless.ctx
    world = await make_world(ctx)
    other = await make_world(ctx, "globex")
    conversation = await queued_conversation(ctx, other)
    token = server.signer.customer(world.workspace_id, world.customer_id)
    for url in (
        f"{server.ws_url}/ws/customer?token=forged&conversation_id={conversation.id}",
        f"{server.ws_url}/ws/customer?token={token}&conversation_id={conversation.id}",
        f"{server.ws_url}/ws/agent?token=not-a-token",
    ):
        async with open_socket(url) as socket:
            frame = await socket.next()
            assert frame["type"] == "error"
            assert frame["message"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_server_start_up_freezes_the_heap_and_makes_full_collections_rare(settings: Settings) -> None:
    before = gc.get_threshold()
    running_server, task, _ = await start_server(settings.model_copy(update={"gc_tuning": True}))
    try:
        assert gc.get_threshold()[0] >= 10 * before[0]
        assert gc.get_freeze_count() > 0
    finally:
        await stop_server(running_server, task)
        gc.unfreeze()
        gc.set_threshold(*before)
