"""Conversations over HTTP: finding them, and taking one from the queue to a resolution and back."""

from __future__ import annotations

from holdless.contacts.actions import create_customer
from holdless.conversations.actions import assign, resolve, start_conversation
from holdless.conversations.model import Channel
from holdless.tenancy import SystemPrincipal
from tests.api.expect import refusal, start_chat
from tests.conftest import RunningServer
from tests.factories import make_world, queued_conversation


async def test_list_filters_by_status_queue_assignee_customer_and_channel(server: RunningServer) -> None:
    ctx = server.holdless.ctx
    world = await make_world(ctx, "acme")
    system = SystemPrincipal(world.workspace_id)
    ivan = await create_customer(ctx, system, name="Ivan")
    billing = await queued_conversation(ctx, world)
    tech = await queued_conversation(ctx, world, queue_id=world.other_queue_id)
    taken = await queued_conversation(ctx, world)
    await assign(ctx, world.supervisor.principal, taken.id, world.agent.user_id)
    by_email = await start_conversation(ctx, system, ivan.id, channel=Channel.EMAIL)
    done = await queued_conversation(ctx, world)
    await resolve(ctx, world.supervisor.principal, done.id, disposition="resolved")

    async def ids(**params: object) -> set[str]:
        response = await supervisor.get("/api/v1/conversations", params=params)
        assert response.status_code == 200, response.text
        return {c["id"] for c in response.json()["items"]}

    async with server.client(world.supervisor.token) as supervisor:
        assert await ids() == {billing.id, tech.id, taken.id, by_email.id, done.id}
        assert await ids(status="queued") == {billing.id, tech.id}
        assert await ids(status=["queued", "with_bot"]) == {billing.id, tech.id, by_email.id}
        assert await ids(status="resolved") == {done.id}
        assert await ids(queue_id=world.other_queue_id) == {tech.id}
        assert await ids(assignee_id=world.agent.user_id) == {taken.id}
        assert await ids(customer_id=ivan.id) == {by_email.id}
        assert await ids(channel="email") == {by_email.id}
        assert await ids(channel="webchat", queue_id=world.queue_id, status="queued") == {billing.id}
        assert await ids(customer_id=world.customer_id, channel="email") == set()


async def test_pages_walk_every_conversation_once_newest_first(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx, "acme")
    async with server.client(world.supervisor.token) as supervisor:
        created = []
        for number in range(7):
            body = {"customer_id": world.customer_id, "subject": f"Question {number}"}
            created.append((await supervisor.post("/api/v1/conversations", json=body)).json()["id"])

        pages, before = [], None
        while True:
            params = {"limit": 3} | ({"before": before} if before else {})
            page = (await supervisor.get("/api/v1/conversations", params=params)).json()
            pages.append([c["id"] for c in page["items"]])
            before = page["next_before"]
            if before is None:
                break

    assert [len(page) for page in pages] == [3, 3, 1]
    assert [c for page in pages for c in page] == list(reversed(created))


async def test_conversation_goes_from_queue_to_resolution_and_back(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx, "acme")
    async with server.client(world.supervisor.token) as supervisor:
        started = await supervisor.post(
            "/api/v1/conversations",
            json={"customer_id": world.customer_id, "subject": "Refund", "queue_id": world.queue_id},
        )
        assert started.status_code == 201
        assert started.json()["status"] == "queued"
        assert started.json()["segment"] == "premium"
    base = f"/api/v1/conversations/{started.json()['id']}"

    async with server.client(world.agent.token) as agent:
        taken = await agent.post(f"{base}/assign", json={"agent_id": world.agent.user_id})
        assert (taken.json()["status"], taken.json()["assignee_id"]) == ("assigned", world.agent.user_id)
        reply = await agent.post(f"{base}/messages", json={"text": "Let me check your refund."})
        assert reply.status_code == 201
        assert (reply.json()["author"], reply.json()["seq"]) == ("agent", 1)
        moved = await agent.post(
            f"{base}/transfer", json={"queue_id": world.other_queue_id, "reason": "tech"}
        )
        assert (moved.json()["status"], moved.json()["queue_id"]) == ("queued", world.other_queue_id)
        assert moved.json()["assignee_id"] is None
        refusal(await agent.get(base), 404)  # no longer in a queue of theirs

    async with server.client(world.other_agent.token) as other:
        await other.post(f"{base}/assign", json={"agent_id": world.other_agent.user_id})
        history = (await other.get(f"{base}/messages")).json()
        assert [m["text"] for m in history] == ["Let me check your refund."]

        unknown = refusal(await other.post(f"{base}/resolve", json={"disposition": "fixed-it"}), 422)
        for allowed in ("resolved", "answered_question", "follow_up_needed", "duplicate", "spam"):
            assert allowed in unknown
        resolved = await other.post(f"{base}/resolve", json={"disposition": "answered_question"})
        assert (resolved.json()["status"], resolved.json()["disposition"]) == (
            "resolved",
            "answered_question",
        )
        assert "resolved" in refusal(
            await other.post(f"{base}/resolve", json={"disposition": "resolved"}), 422
        )

        reopened = await other.post(f"{base}/reopen")
        assert reopened.status_code == 200
        assert reopened.json()["status"] == "queued"
        assert reopened.json()["queue_id"] == world.other_queue_id
        assert (reopened.json()["reopen_count"], reopened.json()["disposition"]) == (1, None)
        refusal(await other.post(f"{base}/reopen"), 422)


async def test_customer_writing_to_a_resolved_conversation_reopens_it(server: RunningServer) -> None:
    world = await make_world(server.holdless.ctx, "acme")
    chat = await start_chat(server, "acme", queue_id=world.queue_id)
    base = f"/api/v1/conversations/{chat.conversation_id}"
    async with server.client(world.supervisor.token) as supervisor:
        await supervisor.post(f"{base}/resolve", json={"disposition": "resolved"})
    async with server.client(chat.token) as widget:
        again = await widget.post(
            f"/api/v1/widget/conversations/{chat.conversation_id}/messages", json={"text": "It broke again"}
        )
        assert (again.status_code, again.json()["author"]) == (201, "customer")
        mine = (await widget.get("/api/v1/widget/conversations")).json()
    assert [(c["id"], c["status"], c["reopen_count"]) for c in mine] == [(chat.conversation_id, "queued", 1)]
    async with server.client(world.agent.token) as agent:
        waiting = (await agent.get("/api/v1/conversations", params={"status": "queued"})).json()["items"]
        assert [c["id"] for c in waiting] == [chat.conversation_id]


async def test_the_same_client_message_id_twice_stores_one_message(server: RunningServer) -> None:
    ctx = server.holdless.ctx
    world = await make_world(ctx, "acme")
    chat = await start_chat(server, "acme", queue_id=world.queue_id)
    await assign(ctx, world.supervisor.principal, chat.conversation_id, world.agent.user_id)
    body = {"text": "Hello, is anyone there?", "client_message_id": "c-1"}
    widget_path = f"/api/v1/widget/conversations/{chat.conversation_id}/messages"
    staff_path = f"/api/v1/conversations/{chat.conversation_id}/messages"

    async with server.client(chat.token) as widget:
        first = await widget.post(widget_path, json=body)
        retry = await widget.post(widget_path, json=body)
    async with server.client(world.agent.token) as agent:
        reply = {"text": "Yes, I am here.", "client_message_id": "a-1"}
        answer = await agent.post(staff_path, json=reply)
        answer_retry = await agent.post(staff_path, json=reply)
        stored = (await agent.get(staff_path)).json()

    assert first.json() == retry.json()
    assert answer.json() == answer_retry.json()
    assert [(m["seq"], m["author"], m["text"]) for m in stored] == [
        (1, "customer", "Hello, is anyone there?"),
        (2, "agent", "Yes, I am here."),
    ]


async def test_agent_must_take_a_conversation_before_replying(server: RunningServer) -> None:
    ctx = server.holdless.ctx
    world = await make_world(ctx, "acme")
    waiting = await queued_conversation(ctx, world)
    path = f"/api/v1/conversations/{waiting.id}/messages"
    async with server.client(world.agent.token) as agent:
        assert "Take the conversation" in refusal(await agent.post(path, json={"text": "Hi!"}), 403)
        assert (await agent.get(path)).json() == []
        await agent.post(f"/api/v1/conversations/{waiting.id}/assign", json={"agent_id": world.agent.user_id})
        assert (await agent.post(path, json={"text": "Hi!"})).status_code == 201
