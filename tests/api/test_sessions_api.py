"""Browser sessions end for good: on sign-out, on a password change, on deactivation."""

from __future__ import annotations

from tests.conftest import RunningServer
from tests.factories import PASSWORD, make_world


async def _sign_in(server: RunningServer, slug: str, email: str, password: str = PASSWORD) -> str:
    async with server.client() as client:
        response = await client.post(
            "/api/v1/auth/login", json={"workspace": slug, "email": email, "password": password}
        )
        assert response.status_code == 200
        cookie = response.cookies.get("holdless_session")
    assert cookie
    return cookie


async def test_a_copied_cookie_stops_working_after_sign_out(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx)
    cookie = await _sign_in(server, world.slug, world.agent.email)
    async with server.client() as client:
        client.cookies.set("holdless_session", cookie)
        assert (await client.get("/api/v1/me")).status_code == 200
        assert (await client.post("/api/v1/auth/logout")).status_code == 204
    async with server.client() as copy:  # somebody kept the cookie
        copy.cookies.set("holdless_session", cookie)
        refused = await copy.get("/api/v1/me")
    assert refused.status_code == 401
    assert "sign in again" in refused.json()["error"]["message"]


async def test_changing_the_password_signs_out_every_browser(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx)
    first = await _sign_in(server, world.slug, world.agent.email)
    second = await _sign_in(server, world.slug, world.agent.email)
    async with server.client() as client:
        client.cookies.set("holdless_session", first)
        changed = await client.patch(
            f"/api/v1/users/{world.agent.user_id}", json={"password": "a brand new secret"}
        )
        assert changed.status_code == 200
    for cookie in (first, second):
        async with server.client() as client:
            client.cookies.set("holdless_session", cookie)
            assert (await client.get("/api/v1/me")).status_code == 401
    assert await _sign_in(server, world.slug, world.agent.email, "a brand new secret")


async def test_a_deactivated_person_is_signed_out(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx)
    cookie = await _sign_in(server, world.slug, world.agent.email)
    async with server.client(world.admin.token) as admin:
        assert (
            await admin.patch(f"/api/v1/users/{world.agent.user_id}", json={"active": False})
        ).status_code == 200
    async with server.client() as client:
        client.cookies.set("holdless_session", cookie)
        assert (await client.get("/api/v1/me")).status_code == 401


async def test_a_forged_cookie_is_refused(server: RunningServer) -> None:
    async with server.client() as client:
        client.cookies.set("holdless_session", "made-up-session-secret")
        response = await client.get("/api/v1/me")
    assert response.status_code == 401
