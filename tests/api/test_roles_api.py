"""What each role may do: refusals by role are 403 with a message; conversations an agent may not see are
404, exactly like another workspace's; customers and staff hold tokens that only open their own doors."""

from __future__ import annotations

import time

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from holdless.conversations.actions import assign
from tests.api.expect import refusal, start_chat
from tests.conftest import RunningServer
from tests.factories import make_world, queued_conversation

NEW_USER = {"email": "new@acme.test", "name": "New", "role": "agent", "password": "long enough pass"}


async def test_agent_is_refused_supervisor_and_admin_actions_with_a_message(server: RunningServer) -> None:
    ctx = server.holdless.ctx
    world = await make_world(ctx, "acme")
    waiting = await queued_conversation(ctx, world)
    spare = {"name": "Spare", "identities": [{"kind": "email", "value": "spare@example.com"}]}
    async with server.client(world.admin.token) as admin:
        spare_id = (await admin.post("/api/v1/customers", json=spare)).json()["id"]
        before = {path: (await admin.get(path)).json() for path in ("/api/v1/users", "/api/v1/queues")}
        before["customer"] = (await admin.get(f"/api/v1/customers/{world.customer_id}")).json()
        before["agents"] = (await admin.get("/api/v1/agents")).json()

    refused = [
        ("POST", "/api/v1/users", NEW_USER),
        ("PATCH", f"/api/v1/users/{world.other_agent.user_id}", {"role": "admin"}),
        ("POST", "/api/v1/queues", {"name": "VIP"}),
        ("PATCH", f"/api/v1/queues/{world.queue_id}", {"name": "Renamed"}),
        ("PATCH", f"/api/v1/agents/{world.agent.user_id}", {"skills": {"billing": 5}}),
        ("PATCH", f"/api/v1/agents/{world.other_agent.user_id}", {"queue_ids": [world.queue_id]}),
        ("POST", f"/api/v1/agents/{world.other_agent.user_id}/state", {"state": "offline"}),
        ("GET", "/api/v1/events", None),
        ("POST", f"/api/v1/customers/{world.customer_id}/merge", {"source_id": spare_id}),
        ("PATCH", f"/api/v1/customers/{world.customer_id}", {"segment": "standard"}),
        ("POST", f"/api/v1/conversations/{waiting.id}/assign", {"agent_id": world.other_agent.user_id}),
        ("PATCH", "/api/v1/workspace", {"name": "Taken over"}),
    ]
    async with server.client(world.agent.token) as agent:
        for method, path, body in refused:
            message = refusal(await agent.request(method, path, json=body), 403)
            assert "role" in message, f"{method} {path}: {message}"
        # What an agent may do next to those: rename a customer, take a conversation from their queue.
        renamed = await agent.patch(f"/api/v1/customers/{world.customer_id}", json={"name": "Olga K."})
        assert renamed.json()["segment"] == "premium"
        taken = await agent.post(
            f"/api/v1/conversations/{waiting.id}/assign", json={"agent_id": world.agent.user_id}
        )
        assert taken.json()["assignee_id"] == world.agent.user_id

    async with server.client(world.admin.token) as admin:
        for path in ("/api/v1/users", "/api/v1/queues"):
            assert (await admin.get(path)).json() == before[path]
        assert (await admin.get("/api/v1/agents")).json() == before["agents"]
        customer = (await admin.get(f"/api/v1/customers/{world.customer_id}")).json()
        assert customer == before["customer"] | {"name": "Olga K."}


async def test_supervisor_may_do_what_agents_may_not_but_not_what_only_admins_may(
    server: RunningServer,
) -> None:
    ctx = server.holdless.ctx
    world = await make_world(ctx, "acme")
    waiting = await queued_conversation(ctx, world)
    async with server.client(world.supervisor.token) as supervisor:
        refusal(await supervisor.post("/api/v1/users", json=NEW_USER), 403)
        refusal(await supervisor.post("/api/v1/queues", json={"name": "VIP"}), 403)

        given = await supervisor.post(
            f"/api/v1/conversations/{waiting.id}/assign", json={"agent_id": world.other_agent.user_id}
        )
        assert given.json()["assignee_id"] == world.other_agent.user_id
        segment = await supervisor.patch(
            f"/api/v1/customers/{world.customer_id}", json={"segment": "standard"}
        )
        assert segment.json()["segment"] == "standard"
        events = await supervisor.get("/api/v1/events", params={"conversation_id": waiting.id})
        assert [e["type"] for e in events.json()][-1] == "conversation.assigned"
        away = await supervisor.post(f"/api/v1/agents/{world.agent.user_id}/state", json={"state": "away"})
        assert away.json()["state"] == "away"


async def test_agent_cannot_see_conversations_outside_their_queues_or_given_to_someone_else(
    server: RunningServer,
) -> None:
    ctx = server.holdless.ctx
    world = await make_world(ctx, "acme")
    mine = await queued_conversation(ctx, world)
    other_queue = await queued_conversation(ctx, world, queue_id=world.other_queue_id)
    taken = await queued_conversation(ctx, world)
    await assign(ctx, world.supervisor.principal, taken.id, world.other_agent.user_id)

    async with server.client(world.agent.token) as agent:
        for hidden in (other_queue.id, taken.id):
            base = f"/api/v1/conversations/{hidden}"
            refusal(await agent.get(base), 404)
            refusal(await agent.get(f"{base}/messages"), 404)
            refusal(await agent.post(f"{base}/messages", json={"text": "Hi"}), 404)
            refusal(await agent.get(f"{base}/notes"), 404)
            refusal(await agent.post(f"{base}/notes", json={"text": "Hmm"}), 404)
            refusal(await agent.post(f"{base}/assign", json={"agent_id": world.agent.user_id}), 404)
            refusal(await agent.post(f"{base}/resolve", json={"disposition": "resolved"}), 404)
        listed = (await agent.get("/api/v1/conversations")).json()["items"]
        assert [c["id"] for c in listed] == [mine.id]
        assert (await agent.get(f"/api/v1/conversations/{mine.id}")).status_code == 200

    async with server.client(world.supervisor.token) as supervisor:
        for visible in (other_queue.id, taken.id):
            assert (await supervisor.get(f"/api/v1/conversations/{visible}")).status_code == 200
            note = await supervisor.post(f"/api/v1/conversations/{visible}/notes", json={"text": "Watching"})
            assert note.status_code == 201
        listed = (await supervisor.get("/api/v1/conversations")).json()["items"]
        assert {c["id"] for c in listed} == {mine.id, other_queue.id, taken.id}
    async with server.client(world.agent.token) as agent:
        assert (await agent.get(f"/api/v1/conversations/{taken.id}/notes")).status_code == 404


async def test_customer_tokens_open_only_the_widget_and_staff_tokens_only_the_staff_api(
    server: RunningServer,
) -> None:
    world = await make_world(server.holdless.ctx, "acme")
    chat = await start_chat(server, "acme", queue_id=world.queue_id)
    staff_calls = [
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/conversations"),
        ("GET", f"/api/v1/conversations/{chat.conversation_id}"),
        ("POST", f"/api/v1/conversations/{chat.conversation_id}/messages"),
        ("GET", f"/api/v1/customers/{chat.customer_id}"),
    ]
    widget_calls = [
        ("GET", "/api/v1/widget/conversations"),
        ("GET", f"/api/v1/widget/conversations/{chat.conversation_id}/messages"),
        ("POST", f"/api/v1/widget/conversations/{chat.conversation_id}/messages"),
    ]
    async with server.client(chat.token) as widget:
        for method, path in staff_calls:
            refusal(await widget.request(method, path, json={"text": "Hi"}), 401)
        for method, path in widget_calls:
            assert (await widget.request(method, path, json={"text": "Hi"})).status_code < 300
    for person in (world.admin, world.agent):
        async with server.client(person.token) as staff:
            for method, path in widget_calls:
                refusal(await staff.request(method, path, json={"text": "Hi"}), 401)


class _LongAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 100 * 86400


async def test_invalid_expired_or_missing_credentials_are_401_with_a_message(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx, "acme")
    chat = await start_chat(server, "acme")
    secret = server.holdless.settings.resolved_secret_key()

    def signed_long_ago(salt: str, value: list[str]) -> str:
        return URLSafeTimedSerializer(secret, salt=salt, signer=_LongAgo).dumps(value)

    old_session = signed_long_ago("session", [world.workspace_id, world.admin.user_id])
    old_chat = signed_long_ago("customer", [world.workspace_id, chat.customer_id])
    async with server.client() as anonymous:
        refusal(await anonymous.get("/api/v1/me"), 401)
        refusal(await anonymous.get("/api/v1/widget/conversations"), 401)
        for cookie in (old_session, old_session[:-3] + "abc"):
            anonymous.cookies.set("holdless_session", cookie)
            assert "sign in again" in refusal(await anonymous.get("/api/v1/me"), 401)
    for token, path in [
        ("not-a-token", "/api/v1/me"),
        (world.admin.token + "x", "/api/v1/me"),
        (old_chat, "/api/v1/widget/conversations"),
        (chat.token[:-3] + "abc", "/api/v1/widget/conversations"),
    ]:
        async with server.client(token) as client:
            response = await client.get(path)
        refusal(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"


async def test_a_deactivated_persons_token_stops_working(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx, "acme")
    async with server.client(world.admin.token) as admin:
        off = await admin.patch(f"/api/v1/users/{world.agent.user_id}", json={"active": False})
        assert off.json()["active"] is False
    async with server.client(world.agent.token) as agent:
        assert "deactivated" in refusal(await agent.get("/api/v1/me"), 401)
