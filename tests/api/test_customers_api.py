"""Customers over HTTP: creating, finding, identities that belong to one person only, and merges."""

from __future__ import annotations

from holdless.conversations.actions import start_conversation
from holdless.conversations.model import Channel
from holdless.tenancy import SystemPrincipal
from tests.api.expect import refusal
from tests.conftest import RunningServer
from tests.factories import make_world


async def test_customer_is_created_with_identities_and_found_by_name_or_email(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx, "acme")
    body = {
        "name": "Anna Petrova",
        "language": "ru",
        "identities": [
            {"kind": "email", "value": "Anna.Petrova@Example.COM"},
            {"kind": "phone", "value": "+44 20 7946 0958"},
        ],
    }
    async with server.client(world.agent.token) as agent:
        created = await agent.post("/api/v1/customers", json=body)
        assert created.status_code == 201
        anna = created.json()
        assert anna["segment"] == "standard"
        kinds = {i["kind"]: i["value"] for i in anna["identities"]}
        assert kinds["email"] == "anna.petrova@example.com"
        assert set(kinds) == {"email", "phone"}

        async def found(q: str) -> list[str]:
            return [
                c["name"] for c in (await agent.get("/api/v1/customers", params={"q": q})).json()["items"]
            ]

        assert await found("petrova") == ["Anna Petrova"]
        assert await found("anna.petrova@example") == ["Anna Petrova"]
        assert await found("olga@acme") == ["Olga"]
        assert await found("nobody-like-this") == []
        assert await found("%") == [], "a % typed in the search box is text, not 'everything'"
        assert await found("anna_petrova") == [], "nor is _ 'any one character'"
        assert (await agent.get(f"/api/v1/customers/{anna['id']}")).json() == anna


async def test_identity_of_another_customer_is_refused_with_a_conflict(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx, "acme")
    async with server.client(world.agent.token) as agent:
        ivan = (await agent.post("/api/v1/customers", json={"name": "Ivan"})).json()
        olga_email = {"kind": "email", "value": "OLGA@acme.example"}
        message = refusal(
            await agent.post(f"/api/v1/customers/{ivan['id']}/identities", json=olga_email), 409
        )
        assert "olga@acme.example" in message
        assert "merge" in message
        assert (await agent.get(f"/api/v1/customers/{ivan['id']}")).json()["identities"] == []
        duplicate = {"name": "Olga again", "identities": [olga_email]}
        refusal(await agent.post("/api/v1/customers", json=duplicate), 409)


async def test_merge_moves_identities_and_conversations_and_hides_the_merged_customer(
    server: RunningServer,
) -> None:
    ctx = server.holdless.ctx
    world = await make_world(ctx, "acme")
    async with server.client(world.supervisor.token) as supervisor:
        body = {"name": "O. Smirnova", "identities": [{"kind": "phone", "value": "+7 900 000 00 00"}]}
        duplicate = (await supervisor.post("/api/v1/customers", json=body)).json()
        by_phone = await start_conversation(
            ctx, SystemPrincipal(world.workspace_id), duplicate["id"], channel=Channel.VOICE
        )

        merged = await supervisor.post(
            f"/api/v1/customers/{world.customer_id}/merge", json={"source_id": duplicate["id"]}
        )
        assert merged.status_code == 200
        assert {i["kind"] for i in merged.json()["identities"]} == {"email", "phone"}

        theirs = await supervisor.get("/api/v1/conversations", params={"customer_id": world.customer_id})
        assert [c["id"] for c in theirs.json()["items"]] == [by_phone.id]
        found = (await supervisor.get("/api/v1/customers", params={"q": "smirnova"})).json()["items"]
        assert found == []
        everyone = (await supervisor.get("/api/v1/customers")).json()["items"]
        assert [c["id"] for c in everyone] == [world.customer_id]
        gone = (await supervisor.get(f"/api/v1/customers/{duplicate['id']}")).json()
        assert gone["merged_into"] == world.customer_id

        again = await supervisor.post(
            f"/api/v1/customers/{world.customer_id}/merge", json={"source_id": duplicate["id"]}
        )
        refusal(again, 422)


async def test_customer_cannot_be_merged_into_themselves(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx, "acme")
    async with server.client(world.supervisor.token) as supervisor:
        path = f"/api/v1/customers/{world.customer_id}/merge"
        assert "themselves" in refusal(
            await supervisor.post(path, json={"source_id": world.customer_id}), 422
        )
        customer = (await supervisor.get(f"/api/v1/customers/{world.customer_id}")).json()
        assert customer["merged_into"] is None
