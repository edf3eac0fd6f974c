"""The signed messenger webhook over a real server: signatures, replays, the reply window, signed replies."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request, Response
from sqlalchemy import select

from holdless.bootstrap import Holdless, build
from holdless.clock import ManualClock
from holdless.contacts.model import IdentityKind
from holdless.conversations.messaging import post_message
from holdless.conversations.model import Author, Channel, Message, Status
from holdless.conversations.repository import ConversationFilter
from holdless.ids import ConversationId
from holdless.storage.tables import channel_deliveries
from holdless.web.app import create_app
from tests.conftest import Backend, RunningServer, free_port, make_settings, serve_app
from tests.factories import World, make_world

SECRET = "messenger-test-secret"


@dataclass
class Receiver:
    """A loopback stand-in for the provider's endpoint: keeps every post with its headers."""

    url: str
    posts: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    async def wait_for(self, count: int, within: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + within
        for _ in range(int(within / 0.02)):
            if len(self.posts) >= count or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.02)
        assert len(self.posts) >= count, f"expected {count} posts, got {len(self.posts)}"
        return [json.loads(body) for _, body in self.posts]


@asynccontextmanager
async def receiver() -> AsyncIterator[Receiver]:
    app = FastAPI()
    port = free_port()
    found = Receiver(f"http://127.0.0.1:{port}/hook")

    @app.post("/hook")
    async def hook(request: Request) -> Response:
        found.posts.append((dict(request.headers), await request.body()))
        return Response(status_code=204)

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    for _ in range(250):
        if server.started:
            break
        await asyncio.sleep(0.02)
    try:
        yield found
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


def signed(body: bytes, at: float, secret: str = SECRET) -> dict[str, str]:
    """Headers computed independently of holdless.integrations.signing (the documented scheme)."""
    mac = hmac.new(secret.encode(), str(int(at)).encode() + b"." + body, hashlib.sha256).hexdigest()
    return {
        "Holdless-Timestamp": str(int(at)),
        "Holdless-Signature": f"v1={mac}",
        "Content-Type": "application/json",
    }


def payload(message_id: str, text: str, *, user: str = "79001234567", name: str = "Anna") -> bytes:
    data = {
        "message_id": message_id,
        "from": {"id": user, "name": name, "language": "en"},
        "text": text,
        "attachments": [{"name": "photo.jpg", "content_type": "image/jpeg", "size": 2048}],
        "sent_at": "2026-11-23T10:00:00Z",
    }
    return json.dumps(data).encode()


@dataclass
class Messenger:
    server: RunningServer
    world: World
    clock: ManualClock
    receiver: Receiver

    @property
    def holdless(self) -> Holdless:
        return self.server.holdless

    async def post(self, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
        url = f"/api/v1/channels/messenger/{self.world.slug}/webhook"
        now = self.clock.now().timestamp()
        async with self.server.client() as client:
            return await client.post(url, content=body, headers=headers or signed(body, now))

    async def messages(self) -> list[Message]:
        """Every message of the messenger customer's conversations."""
        ctx = self.holdless.ctx
        ws = self.world.workspace_id
        async with ctx.uow() as uow:
            customer = await uow.customers.find_by_identity(
                ws, IdentityKind.MESSENGER, "messenger:79001234567"
            )
            if customer is None:
                return []
            found = await uow.conversations.list(
                ws, ConversationFilter(customer_id=customer.id), limit=10, before=None
            )
            result: list[Message] = []
            for conversation in found:
                result += await uow.messages.list(ws, conversation.id, after_seq=0, limit=100)
        return result

    async def reply(self, conversation_id: ConversationId, text: str) -> Message:
        principal = self.world.supervisor.principal
        message, _ = await post_message(self.holdless.ctx, principal, conversation_id, text=text)
        return message

    async def idle(self) -> None:
        for outbox in self.holdless.outboxes:
            await outbox.wait_idle()


@asynccontextmanager
async def running(backend: Backend, tmp_path: Path, **overrides: Any) -> AsyncIterator[Messenger]:
    clock = ManualClock(datetime.now(UTC))
    async with receiver() as rx:
        values: dict[str, Any] = {
            "routing": False, "bot": False, "messenger_workspace": "acme", "messenger_secret": SECRET,
            "messenger_queue": "Billing", "messenger_outbound_url": rx.url,
            "messenger_allowed_hosts": ["127.0.0.1"], "messenger_outbox_poll_seconds": 0.05,
        }  # fmt: skip
        settings = make_settings(backend, tmp_path, **(values | overrides))
        holdless = build(settings, clock=clock)
        world = await make_world(holdless.ctx)
        async with serve_app(create_app(settings, holdless=holdless)) as server:
            yield Messenger(server, world, clock, rx)


@pytest.fixture
async def messenger(backend: Backend, tmp_path: Path) -> AsyncIterator[Messenger]:
    async with running(backend, tmp_path) as found:
        yield found


async def test_a_signed_message_starts_a_conversation_and_a_redelivery_is_stored_once(
    messenger: Messenger,
) -> None:
    response = await messenger.post(payload("wamid.1", "My card was charged twice"))
    assert response.status_code == 200, response.text
    conversation_id = response.json()["conversation_id"]
    async with messenger.holdless.ctx.uow() as uow:
        conversation = await uow.conversations.get(messenger.world.workspace_id, conversation_id)
    assert conversation.channel is Channel.MESSENGER
    assert conversation.status is Status.QUEUED
    assert conversation.queue_id == messenger.world.queue_id

    # The provider redelivers the same message later: a new signature, the same message id.
    messenger.clock.advance(5)
    again = await messenger.post(payload("wamid.1", "My card was charged twice"))
    assert again.status_code == 200, again.text
    assert again.json() == {**response.json(), "created": False}
    customer_messages = [m for m in await messenger.messages() if m.author is Author.CUSTOMER]
    assert [(m.text, [a.name for a in m.attachments]) for m in customer_messages] == [
        ("My card was charged twice", ["photo.jpg"])
    ]


async def test_an_unsigned_or_stale_post_is_refused_and_nothing_is_stored(messenger: Messenger) -> None:
    body = payload("wamid.9", "Hello")
    now = messenger.clock.now().timestamp()
    cases = [
        ({**signed(body, now), "Holdless-Signature": "v1=" + "0" * 64}, "bad_signature"),
        (signed(body, now, secret="someone-else"), "bad_signature"),
        (signed(body, now - 301), "stale_timestamp"),  # the tolerance is 300 s
        (signed(body, now + 301), "stale_timestamp"),
        ({"Content-Type": "application/json"}, "stale_timestamp"),
    ]
    for headers, code in cases:
        response = await messenger.post(body, headers)
        assert (response.status_code, response.json()["error"]["code"]) == (401, code), headers
    assert await messenger.messages() == []


async def test_a_replayed_post_is_refused_with_409_and_stored_once(messenger: Messenger) -> None:
    body = payload("wamid.2", "Hello")
    headers = signed(body, messenger.clock.now().timestamp())
    first = await messenger.post(body, headers)
    assert first.status_code == 200
    before = await messenger.messages()
    replay = await messenger.post(body, headers)
    assert replay.status_code == 409
    assert replay.json()["error"]["code"] == "replayed"
    assert await messenger.messages() == before


async def test_a_signed_but_malformed_body_gets_422_with_a_clear_message(
    messenger: Messenger, caplog: pytest.LogCaptureFixture
) -> None:
    cases = [
        (b"{not json", "JSON"),
        (b"[1, 2]", "object"),
        (json.dumps({"from": {"id": "1"}, "text": "hi"}).encode(), "message_id"),
        (json.dumps({"message_id": "m", "text": "hi"}).encode(), "from"),
        (json.dumps({"message_id": "m", "from": {"id": "1"}}).encode(), "text"),
        (
            json.dumps({"message_id": "m", "from": {"id": "1"}, "text": "x", "attachments": 3}).encode(),
            "attachments",
        ),
    ]
    for body, field_named in cases:
        response = await messenger.post(body)
        assert response.status_code == 422, response.text
        assert field_named in response.json()["error"]["message"]
    assert await messenger.messages() == []
    refusals = [r for r in caplog.records if "messenger: refused a post" in r.getMessage()]
    assert len(refusals) == len(cases), "each refusal is logged"
    async with messenger.server.client() as client:
        assert (await client.get("/healthz")).status_code == 200, "the server is still up"


async def test_a_reply_to_a_loopback_url_not_allowed_by_the_admin_is_never_sent(
    backend: Backend, tmp_path: Path
) -> None:
    async with running(backend, tmp_path, messenger_allowed_hosts=[]) as messenger:
        response = await messenger.post(payload("wamid.6", "Hello"))
        conversation_id = ConversationId(response.json()["conversation_id"])
        reply = await messenger.reply(conversation_id, "Hi Anna")
        await messenger.idle()
        query = select(channel_deliveries.c.status, channel_deliveries.c.error).where(
            channel_deliveries.c.message_id == reply.id
        )
        async with messenger.holdless.engine.connect() as conn:
            status, error = (await conn.execute(query)).one()
        assert status == "failed"
        assert "127.0.0.1" in error
        assert "loopback" in error
        assert "HOLDLESS_MESSENGER_ALLOWED_HOSTS" in error, "names the setting an admin would change"
        assert messenger.receiver.posts == [], "refused from the resolved address: no packet sent"


async def test_an_agent_reply_reaches_the_provider_signed_and_exactly_once(messenger: Messenger) -> None:
    response = await messenger.post(payload("wamid.3", "Where is my order?"))
    conversation_id = ConversationId(response.json()["conversation_id"])
    reply = await messenger.reply(conversation_id, "It leaves the warehouse today.")
    await messenger.idle()
    [ack, post] = await messenger.receiver.wait_for(2)
    assert ack["automatic"] is True, "the acknowledgement of the first message, marked as automatic"
    assert "You are in line" in ack["text"]
    assert post["automatic"] is False
    assert post["to"] == {"id": "79001234567"}
    assert post["text"] == "It leaves the warehouse today."
    assert post["message_id"] == reply.id
    assert post["template"] is None
    headers, body = messenger.receiver.posts[1]
    expected = signed(body, int(headers["holdless-timestamp"]))["Holdless-Signature"]
    assert headers["holdless-signature"] == expected
    await asyncio.sleep(0.3)  # several more polls of the outbox
    assert len(messenger.receiver.posts) == 2, "each message sent once"


async def test_a_free_form_reply_after_the_window_is_refused_but_a_template_goes_out(
    messenger: Messenger,
) -> None:
    response = await messenger.post(payload("wamid.4", "Please call me back"))
    conversation_id = ConversationId(response.json()["conversation_id"])
    await messenger.idle()
    await messenger.receiver.wait_for(1)  # the acknowledgement, within the window
    messenger.clock.advance(25 * 3600)  # the window is 24 hours after the customer's last message
    late = await messenger.reply(conversation_id, "Sorry for the delay!")
    await messenger.idle()
    query = select(channel_deliveries.c.status, channel_deliveries.c.error).where(
        channel_deliveries.c.message_id == late.id
    )
    async with messenger.holdless.engine.connect() as conn:
        status, error = (await conn.execute(query)).one()
    assert status == "failed"
    assert "more than 24 hours ago" in error
    assert "[template:NAME]" in error
    assert len(messenger.receiver.posts) == 1, "only the acknowledgement"
    async with messenger.holdless.ctx.uow() as uow:
        told = await uow.events.latest(messenger.world.workspace_id, conversation_id, "channel.reply_refused")
    assert told is not None, "the agent is told"
    assert told.data["message_id"] == late.id
    assert "template" in told.data["reason"]

    text = "[template:follow_up] We have news about your request."
    template = await messenger.reply(conversation_id, text)
    await messenger.idle()
    post = (await messenger.receiver.wait_for(2))[1]
    assert (post["message_id"], post["template"]) == (template.id, "follow_up")
    assert post["text"] == "We have news about your request."

    # The customer writes again: the window opens again.
    messenger.clock.advance(10)
    follow_up = await messenger.post(payload("wamid.5", "Thanks"))
    assert follow_up.json()["conversation_id"] == conversation_id, "the chat continues its conversation"
    await messenger.reply(conversation_id, "You are welcome.")
    await messenger.idle()
    posts = await messenger.receiver.wait_for(3)
    assert posts[2]["text"] == "You are welcome."
