"""Concurrent posts share transactions, yet each keeps its own outcome and its exact place in order."""

from __future__ import annotations

import asyncio

import pytest

from holdless.conversations.messaging import post_message
from holdless.conversations.queries import list_messages
from holdless.errors import Forbidden, NotFound
from holdless.tenancy import CustomerPrincipal
from tests.conftest import RunningServer
from tests.factories import make_world, queued_conversation


async def test_concurrent_posts_are_stored_once_each_in_order_and_a_refusal_fails_only_itself(
    server: RunningServer,
) -> None:
    ctx = server.holdless.ctx
    world = await make_world(ctx)
    other = await make_world(ctx, "globex")
    first = await queued_conversation(ctx, world)
    second = await queued_conversation(ctx, world)
    foreign = await queued_conversation(ctx, other)
    customer = CustomerPrincipal(world.workspace_id, world.customer_id)

    posts = [
        post_message(
            ctx, customer, (first if i % 2 else second).id, text=f"m{i}", client_message_id=f"id-{i % 30}"
        )
        for i in range(60)
    ]
    refused_by_workspace = post_message(ctx, customer, foreign.id, text="not yours")
    refused_by_role = post_message(ctx, world.agent.principal, first.id, text="not taken yet")
    results = await asyncio.gather(*posts, refused_by_workspace, refused_by_role, return_exceptions=True)

    assert isinstance(results[60], NotFound)
    assert isinstance(results[61], Forbidden)
    outcomes = results[:60]
    assert not [r for r in outcomes if isinstance(r, BaseException)]
    created = [r for r in outcomes if not isinstance(r, BaseException) and r[1]]
    assert len(created) == 30  # ids 0..29 each stored once; the repeats returned the stored message
    for i, outcome in enumerate(outcomes):
        assert not isinstance(outcome, BaseException)
        assert outcome[0].client_message_id == f"id-{i % 30}"
        assert outcome[0].text == f"m{i % 30}"

    for conversation in (first, second):
        stored = await list_messages(ctx, world.supervisor.principal, conversation.id)
        assert [m.seq for m in stored] == list(range(1, 16))
        assert len({m.client_message_id for m in stored}) == 15


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_single_post_is_not_held_back_waiting_for_company(server: RunningServer) -> None:
    ctx = server.holdless.ctx
    world = await make_world(ctx)
    conversation = await queued_conversation(ctx, world)
    customer = CustomerPrincipal(world.workspace_id, world.customer_id)
    message, created = await asyncio.wait_for(post_message(ctx, customer, conversation.id, text="alone"), 2)
    assert created
    assert message.seq == 1
