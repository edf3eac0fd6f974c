"""The routing engine inside the server: offers, places in line, callbacks, restarts — through the API."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from holdless.settings import Settings
from tests.api.expect import refusal, start_chat
from tests.conftest import Backend, RunningServer, make_settings, settle, start_server, stop_server
from tests.factories import make_world, queued_conversation
from tests.integration.routing_steps import available, events_of, offers_of, place_of, published

OFFER_SECONDS = 4.0  # for the expiry test; elsewhere offers wait long enough for a slow machine


@pytest.fixture
def settings(backend: Backend, tmp_path: Path) -> Settings:
    return make_settings(backend, tmp_path, offer_timeout_seconds=600)


async def test_a_waiting_customer_is_offered_to_an_agent_who_accepts_it(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx)
    chat = await start_chat(server, world.slug, queue_id=world.queue_id)

    place = await place_of(server, world.supervisor, chat.conversation_id)
    assert place["waiting"] is True
    assert place["position"] == 1
    assert place["expected_wait_seconds"] is None, "nobody able is signed in: no made-up estimate"
    async with server.client(chat.token) as widget:
        seen = (await widget.get(f"/api/v1/widget/conversations/{chat.conversation_id}/place")).json()
    assert seen["position"] == 1, "the customer sees their own place"

    await available(server, world, world.agent)
    [offer] = await offers_of(server, world.agent)
    assert offer["conversation_id"] == chat.conversation_id
    assert await offers_of(server, world.other_agent) == [], "the Tech agent is not offered Billing work"

    async with server.client(world.agent.token) as api:
        accepted = await api.post(f"/api/v1/offers/{offer['id']}/accept")
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["assignee_id"] == world.agent.user_id
        assert accepted.json()["status"] == "assigned"
        refusal(await api.post(f"/api/v1/offers/{offer['id']}/accept"), 409)
    assert await offers_of(server, world.agent) == []


async def test_an_unanswered_offer_expires_and_goes_to_the_next_agent(
    backend: Backend, tmp_path: Path
) -> None:
    uvicorn_server, task, server = await start_server(
        make_settings(backend, tmp_path, offer_timeout_seconds=OFFER_SECONDS)
    )
    try:
        world = await make_world(server.holdless.ctx)
        conversation = await queued_conversation(server.holdless.ctx, world)
        await available(server, world, world.agent)
        [first] = await offers_of(server, world.agent)

        await available(server, world, world.supervisor)
        assert await offers_of(server, world.supervisor) == [], (
            "one contact is offered to one agent at a time"
        )
        for _ in range(int(OFFER_SECONDS / 0.1) + 20):
            second_offers = await offers_of(server, world.supervisor)
            if second_offers:
                break
            await asyncio.sleep(0.1)
        assert await offers_of(server, world.agent) == [], "the agent who let it time out is not asked again"
        [second] = second_offers
        assert second["conversation_id"] == conversation.id

        expired = await events_of(server, world.admin, "offer.expired")
        assert [e["data"]["offer_id"] for e in expired] == [first["id"]], "the timeout is logged"
        async with server.client(world.agent.token) as api:
            message = refusal(await api.post(f"/api/v1/offers/{first['id']}/accept"), 409)
        assert "expired" in message
    finally:
        await stop_server(uvicorn_server, task)


async def test_a_declined_offer_goes_to_another_agent_and_is_logged(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx)
    conversation = await queued_conversation(server.holdless.ctx, world)
    await available(server, world, world.agent)
    await available(server, world, world.supervisor)
    offered = [o for p in (world.agent, world.supervisor) for o in await offers_of(server, p)]
    [offer] = offered
    first = world.agent if offer["agent_id"] == world.agent.user_id else world.supervisor
    other = world.supervisor if first is world.agent else world.agent

    async with server.client(first.token) as api:
        declined = await api.post(f"/api/v1/offers/{offer['id']}/decline", json={"reason": "on a call"})
    assert declined.status_code == 200, declined.text
    [next_offer] = await offers_of(server, other)
    assert next_offer["conversation_id"] == conversation.id
    [logged] = await events_of(server, world.admin, "offer.declined")
    assert logged["data"]["reason"] == "on a call"
    async with server.client(other.token) as api:
        refusal(await api.post(f"/api/v1/offers/{offer['id']}/decline"), 403)


async def test_places_follow_the_line_and_are_kept_while_the_customer_is_away(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx)
    chats = [await start_chat(server, world.slug, queue_id=world.queue_id) for _ in range(3)]
    places = [(await place_of(server, world.admin, c.conversation_id))["position"] for c in chats]
    assert places == [1, 2, 3]

    async with server.client(chats[1].token) as widget:
        away = await widget.post(f"/api/v1/widget/conversations/{chats[1].conversation_id}/away")
        assert away.status_code == 200, away.text
    async with server.client(world.admin.token) as api:
        gone = await api.post(
            f"/api/v1/conversations/{chats[0].conversation_id}/resolve", json={"disposition": "resolved"}
        )
        assert gone.status_code == 200, gone.text
    await published(server)  # positions of those behind are re-published every second
    assert (await place_of(server, world.admin, chats[2].conversation_id))["position"] == 2, (
        "the away customer still counts in front"
    )

    await available(server, world, world.agent)
    [offer] = await offers_of(server, world.agent)
    assert offer["conversation_id"] == chats[2].conversation_id, "an away customer is not offered meanwhile"

    async with server.client(chats[1].token) as widget:
        path = f"/api/v1/widget/conversations/{chats[1].conversation_id}/messages"
        assert (await widget.post(path, json={"text": "I'm back"})).status_code == 201
    place = await place_of(server, world.admin, chats[1].conversation_id)
    assert place["position"] == 1, "back with the place kept: first in line"


async def test_a_callback_promised_and_answered_in_its_window_is_kept(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx)
    chat = await start_chat(server, world.slug, queue_id=world.queue_id)
    window_end = datetime.now(UTC) + timedelta(minutes=30)
    async with server.client(chat.token) as widget:
        path = f"/api/v1/widget/conversations/{chat.conversation_id}/callback"
        refusal(await widget.post(path, json={"window_end": datetime.now(UTC).isoformat()}), 422)
        refusal(await widget.post(path, json={"window_end": window_end.isoformat(), "channel": "voice"}), 422)
        promised = await widget.post(path, json={"window_end": window_end.isoformat()})
        assert promised.status_code == 201, promised.text
        refusal(await widget.post(path, json={"window_end": window_end.isoformat()}), 409)

    await available(server, world, world.agent)
    [offer] = await offers_of(server, world.agent)
    async with server.client(world.agent.token) as api:
        assert (await api.post(f"/api/v1/offers/{offer['id']}/accept")).status_code == 200
        done = await api.post(
            f"/api/v1/conversations/{chat.conversation_id}/resolve", json={"disposition": "resolved"}
        )
        assert done.status_code == 200, done.text
    await settle(server)
    async with server.client(world.supervisor.token) as api:
        [callback] = (await api.get("/api/v1/callbacks")).json()
        summary = (await api.get("/api/v1/callbacks/summary")).json()
    assert callback["status"] == "kept"
    assert summary == {"promised": 1, "open": 0, "kept": 1, "broken": 0, "kept_rate": 1.0}


async def test_an_unanswered_callback_is_retried_then_broken(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx)
    conversation = await queued_conversation(server.holdless.ctx, world)
    async with server.client(world.supervisor.token) as api:
        promised = await api.post(
            f"/api/v1/conversations/{conversation.id}/callback",
            json={"window_end": (datetime.now(UTC) + timedelta(hours=1)).isoformat(), "channel": "webchat"},
        )
        assert promised.status_code == 201, promised.text
    callback_id = promised.json()["id"]
    await available(server, world, world.agent)
    [offer] = await offers_of(server, world.agent)
    async with server.client(world.agent.token) as api:
        assert (await api.post(f"/api/v1/offers/{offer['id']}/accept")).status_code == 200
        tried = await api.post(f"/api/v1/callbacks/{callback_id}/no-answer")
        assert tried.status_code == 200, tried.text
        assert tried.json()["attempts"] == 1
    assert await offers_of(server, world.agent) == [], "the retry waits for the retry delay (5 min)"
    async with server.client(world.admin.token) as api:
        back = (await api.get(f"/api/v1/conversations/{conversation.id}")).json()
    assert back["status"] == "queued", "an unanswered callback keeps its place for the retry"


async def test_a_restart_keeps_every_place_and_offers_nothing_twice(backend: Backend, tmp_path: Path) -> None:
    settings = make_settings(backend, tmp_path, offer_timeout_seconds=600)
    first, task, running = await start_server(settings)
    world = await make_world(running.holdless.ctx)
    chats = [await start_chat(running, world.slug, queue_id=world.queue_id) for _ in range(4)]
    await available(running, world, world.agent, chats=1)
    [offer] = await offers_of(running, world.agent)
    await published(running)
    before = {c.conversation_id: (await place_of(running, world.admin, c.conversation_id)) for c in chats}
    await stop_server(first, task)

    second, task, running = await start_server(settings)
    try:
        await published(running)
        [again] = await offers_of(running, world.agent)
        assert again["conversation_id"] == offer["conversation_id"], "the same customer is first in line"
        assert again["id"] != offer["id"], "the old offer was withdrawn, a new one made"
        async with running.client(world.agent.token) as api:
            message = refusal(await api.post(f"/api/v1/offers/{offer['id']}/accept"), 409)
            assert "withdrawn" in message
        for chat in chats:
            after = await place_of(running, world.admin, chat.conversation_id)
            assert after["position"] == before[chat.conversation_id]["position"], (before, after)
        withdrawn = await events_of(running, world.admin, "offer.withdrawn")
        assert [e["data"]["offer_id"] for e in withdrawn] == [offer["id"]]
        created = await events_of(running, world.admin, "offer.created")
        assert len(created) == 2, "one offer before the restart, one after: none lost, none twice"
    finally:
        await stop_server(second, task)


async def test_an_angry_customer_moves_up_the_line_and_is_offered_first(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx)
    calm = await start_chat(server, world.slug, queue_id=world.queue_id)
    upset = await start_chat(server, world.slug, queue_id=world.queue_id)
    assert (await place_of(server, world.admin, upset.conversation_id))["position"] == 2

    async with server.client(world.supervisor.token) as api:
        marked = await api.post(
            f"/api/v1/conversations/{upset.conversation_id}/priority", json={"angry": True}
        )
        assert marked.status_code == 200, marked.text
        assert marked.json()["attributes"]["angry"] == "yes"
    async with server.client(upset.token) as widget:
        path = f"/api/v1/conversations/{upset.conversation_id}/priority"
        refusal(await widget.post(path, json={"angry": False}), 401)
    await published(server)
    assert (await place_of(server, world.admin, upset.conversation_id))["position"] == 1
    assert (await place_of(server, world.admin, calm.conversation_id))["position"] == 2

    await available(server, world, world.agent, chats=1)
    [offer] = await offers_of(server, world.agent)
    assert offer["conversation_id"] == upset.conversation_id


async def test_a_returning_customer_is_first_offered_to_the_agent_who_helped_last(
    server: RunningServer,
) -> None:
    world = await make_world(server.holdless.ctx)
    await available(server, world, world.supervisor)  # idle longest: would get new work first
    await available(server, world, world.agent)
    chat = await start_chat(server, world.slug, queue_id=world.queue_id)
    [first] = await offers_of(server, world.supervisor)
    async with server.client(world.supervisor.token) as api:
        assert (await api.post(f"/api/v1/offers/{first['id']}/decline")).status_code == 200
    [taken] = await offers_of(server, world.agent)
    async with server.client(world.agent.token) as api:
        assert (await api.post(f"/api/v1/offers/{taken['id']}/accept")).status_code == 200
        path = f"/api/v1/conversations/{chat.conversation_id}/resolve"
        assert (await api.post(path, json={"disposition": "resolved"})).status_code == 200
    await settle(server)

    async with server.client(chat.token) as widget:
        again = await widget.post("/api/v1/widget/conversations", json={"queue_id": world.queue_id})
        assert again.status_code == 201, again.text
    [sticky] = await offers_of(server, world.agent)
    assert sticky["conversation_id"] == again.json()["id"], "the agent who helped last is asked first"
    assert await offers_of(server, world.supervisor) == []
