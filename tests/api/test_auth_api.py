"""Signing in and out with a cookie, and API tokens that can be listed and revoked."""

from __future__ import annotations

from tests.api.expect import refusal
from tests.conftest import RunningServer
from tests.factories import PASSWORD, make_world


async def test_sign_in_cookie_opens_the_api_until_sign_out(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx, "acme")
    async with server.client() as browser:
        signed_in = await browser.post(
            "/api/v1/auth/login", json={"workspace": "ACME", "email": "Agent@acme.test", "password": PASSWORD}
        )
        assert signed_in.status_code == 200
        assert signed_in.json()["user"]["id"] == world.agent.user_id
        assert "httponly" in signed_in.headers["set-cookie"].lower()

        me = await browser.get("/api/v1/me")
        assert (me.json()["user"]["email"], me.json()["workspace_id"]) == (
            "agent@acme.test",
            world.workspace_id,
        )
        assert (await browser.get("/api/v1/conversations")).status_code == 200

        assert (await browser.post("/api/v1/auth/logout")).status_code == 204
        refusal(await browser.get("/api/v1/me"), 401)


async def test_wrong_password_reads_the_same_as_an_unknown_workspace_or_email(server: RunningServer) -> None:
    await make_world(server.holdless.ctx, "acme")
    attempts = [
        {"workspace": "acme", "email": "agent@acme.test", "password": "wrong password"},
        {"workspace": "nowhere", "email": "agent@acme.test", "password": PASSWORD},
        {"workspace": "acme", "email": "nobody@acme.test", "password": PASSWORD},
    ]
    async with server.client() as browser:
        answers = [await browser.post("/api/v1/auth/login", json=body) for body in attempts]
        refusal(await browser.get("/api/v1/me"), 401)
    messages = {refusal(answer, 401) for answer in answers}
    assert len(messages) == 1, messages
    assert all("set-cookie" not in answer.headers for answer in answers)


async def test_api_tokens_are_created_listed_and_revoked(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx, "acme")
    async with server.client(world.agent.token) as agent:
        created = await agent.post("/api/v1/tokens", json={"name": "CRM sync"})
        assert created.status_code == 201
        secret, token_id = created.json()["token"], created.json()["id"]
        listed = (await agent.get("/api/v1/tokens")).json()
        assert sorted(t["name"] for t in listed) == ["CRM sync", "tests"]
        assert all(t["token"] is None for t in listed), "secrets are shown only once"

    async with server.client(secret) as crm:
        assert (await crm.get("/api/v1/me")).json()["user"]["id"] == world.agent.user_id
        assert (await crm.delete(f"/api/v1/tokens/{token_id}")).status_code == 204
        assert "not valid" in refusal(await crm.get("/api/v1/me"), 401)

    async with server.client(world.agent.token) as agent:
        assert [t["name"] for t in (await agent.get("/api/v1/tokens")).json()] == ["tests"]
        refusal(await agent.delete(f"/api/v1/tokens/{token_id}"), 404)


async def test_nobody_revokes_someone_elses_token(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx, "acme")
    async with server.client(world.agent.token) as agent:
        agents_token = (await agent.get("/api/v1/tokens")).json()[0]["id"]
    async with server.client(world.admin.token) as admin:
        refusal(await admin.delete(f"/api/v1/tokens/{agents_token}"), 404)
        assert [t["id"] for t in (await admin.get("/api/v1/tokens")).json()] != [agents_token]
    async with server.client(world.agent.token) as agent:
        assert (await agent.get("/api/v1/me")).status_code == 200
