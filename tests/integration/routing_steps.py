"""Steps the routing service tests share: agents going available, reading offers and places."""

from __future__ import annotations

import asyncio
from typing import Any

from holdless.agents.actions import set_state, update_profile
from holdless.agents.model import AgentState
from holdless.conversations.model import Channel
from tests.conftest import RunningServer, settle
from tests.factories import Person, World


async def available(server: RunningServer, world: World, person: Person, *, chats: int = 4) -> None:
    """The person takes Billing work in every language of the world's customers, up to ``chats`` chats."""
    ctx = server.holdless.ctx
    await update_profile(
        ctx, world.admin.principal, person.user_id, skills={"billing": 3}, languages=("en", "ru", "zh"),
        queue_ids=(world.queue_id,), capacity={Channel.WEBCHAT: chats},
    )  # fmt: skip
    await set_state(ctx, person.principal, person.user_id, AgentState.AVAILABLE)
    await settle(server)


async def offers_of(server: RunningServer, person: Person) -> list[dict[str, Any]]:
    await settle(server)
    async with server.client(person.token) as api:
        response = await api.get("/api/v1/offers")
    assert response.status_code == 200, response.text
    offers: list[dict[str, Any]] = response.json()
    return offers


async def place_of(server: RunningServer, person: Person, conversation_id: str) -> dict[str, Any]:
    await settle(server)
    async with server.client(person.token) as api:
        response = await api.get(f"/api/v1/conversations/{conversation_id}/place")
    assert response.status_code == 200, response.text
    place: dict[str, Any] = response.json()
    return place


async def events_of(server: RunningServer, person: Person, kind: str) -> list[dict[str, Any]]:
    await settle(server)
    async with server.client(person.token) as api:
        response = await api.get("/api/v1/events", params={"limit": 1000})
    assert response.status_code == 200, response.text
    return [e for e in response.json() if e["type"] == kind]


async def published(server: RunningServer) -> None:
    """Wait for the engine's next position publication (every second) to be written."""
    await settle(server)
    await asyncio.sleep(1.2)
    await settle(server)
