"""The Telegram channel against a local Bot API stand-in on loopback: webhook, polling, replies, buttons."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request

from holdless.channels.base import Choice, Outbound, Reply
from holdless.contacts.model import IdentityKind
from holdless.conversations.actions import abandon
from holdless.conversations.messaging import post_message
from holdless.conversations.model import Author, Channel, Conversation, Message, Status
from holdless.conversations.repository import ConversationFilter
from holdless.ids import ConversationId, MessageId
from tests.conftest import Backend, free_port, make_settings, start_server, stop_server
from tests.factories import World, make_world

SECRET = "s3cret-token_1"
TOKEN = "123:ABC"


@dataclass
class BotApi:
    """The Bot API methods Holdless uses, recording every call; getUpdates honours the offset."""

    base_url: str = ""
    pending: list[dict[str, Any]] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    next_message_id: int = 500

    def sent(self) -> list[dict[str, Any]]:
        return [payload for method, payload in self.calls if method == "sendMessage"]

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/bot{token}/{method}")
        async def method(token: str, method: str, request: Request) -> dict[str, Any]:
            if token != TOKEN:
                return {"ok": False, "error_code": 401, "description": "Unauthorized"}
            payload: dict[str, Any] = await request.json()
            self.calls.append((method, payload))
            if method == "getUpdates":
                offset = payload.get("offset", 0)
                self.pending = [u for u in self.pending if u["update_id"] >= offset]
                return {"ok": True, "result": list(self.pending)}
            if method == "sendMessage":
                self.next_message_id += 1
                return {"ok": True, "result": {"message_id": self.next_message_id, "chat": {"id": 0}}}
            if method == "answerCallbackQuery":
                return {"ok": True, "result": True}
            return {"ok": False, "description": f"no method {method}"}

        return app


@asynccontextmanager
async def bot_api() -> AsyncIterator[BotApi]:
    api = BotApi()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(api.app(), host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    for _ in range(250):
        if server.started:
            break
        await asyncio.sleep(0.02)
    api.base_url = f"http://127.0.0.1:{port}"
    try:
        yield api
    finally:
        await stop_server(server, task)


def message_update(
    update_id: int, message_id: int, text: str, *, user: int = 42, **extra: Any
) -> dict[str, Any]:
    sender = {"id": user, "is_bot": False, "first_name": "Olga", "username": "olga", "language_code": "ru"}
    message = {"message_id": message_id, "date": 1, "chat": {"id": user, "type": "private"}, "from": sender}
    return {"update_id": update_id, "message": message | {"text": text} | extra}


def tg_settings(backend: Backend, tmp_path: Path, api: BotApi, **extra: Any) -> Any:
    values: dict[str, Any] = {
        "routing": False, "telegram_workspace": "acme", "telegram_queue": "Billing",
        "telegram_bot_token": TOKEN, "telegram_webhook_secret": SECRET, "telegram_api_base": api.base_url,
        "telegram_outbox_poll_seconds": 0.1, "telegram_poll_seconds": 0.05,
    }  # fmt: skip
    return make_settings(backend, tmp_path, **(values | extra))


@dataclass
class Tg:
    api: BotApi
    world: World
    holdless: Any
    base_url: str = ""

    async def idle(self) -> None:
        for outbox in self.holdless.outboxes:
            await outbox.wait_idle()

    async def conversations(self, user: int = 42) -> list[Conversation]:
        async with self.holdless.ctx.uow() as uow:
            ws = self.world.workspace_id
            customer = await uow.customers.find_by_identity(ws, IdentityKind.MESSENGER, f"telegram:{user}")
            if customer is None:
                return []
            found = await uow.conversations.list(
                ws, ConversationFilter(customer_id=customer.id), limit=50, before=None
            )
        return list(found)

    async def messages(self, conversation_id: ConversationId) -> list[Message]:
        async with self.holdless.ctx.uow() as uow:
            return await uow.messages.list(self.world.workspace_id, conversation_id, after_seq=0, limit=100)

    async def post(self, body: Any, *, secret: str | None = SECRET) -> Any:
        import httpx

        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        async with httpx.AsyncClient(base_url=self.base_url, timeout=10) as client:
            if isinstance(body, bytes):
                return await client.post("/api/v1/channels/telegram/webhook", content=body, headers=headers)
            return await client.post("/api/v1/channels/telegram/webhook", json=body, headers=headers)


@asynccontextmanager
async def webhook_mode(backend: Backend, tmp_path: Path) -> AsyncIterator[Tg]:
    async with bot_api() as api:
        settings = tg_settings(backend, tmp_path, api)
        from holdless.bootstrap import build
        from holdless.web.app import create_app

        holdless = build(settings)
        world = await make_world(holdless.ctx)
        server, task, running = await start_server(settings, app=create_app(settings, holdless=holdless))
        try:
            yield Tg(api, world, holdless, running.base_url)
        finally:
            await stop_server(server, task)


async def test_a_text_becomes_a_queued_conversation_and_the_agents_reply_is_sent_once(
    backend: Backend, tmp_path: Path
) -> None:
    async with webhook_mode(backend, tmp_path) as tg:
        response = await tg.post(message_update(1, 10, "Где мой заказ 17?"))
        assert response.status_code == 200
        [conversation] = await tg.conversations()
        assert conversation.channel is Channel.TELEGRAM
        assert conversation.status is Status.QUEUED
        assert conversation.queue_id == tg.world.queue_id
        first, ack = await tg.messages(conversation.id)
        assert (first.author, first.text) == (Author.CUSTOMER, "Где мой заказ 17?")
        assert ack.author is Author.BOT
        await tg.idle()
        [acknowledgement] = tg.api.sent()
        assert acknowledgement["chat_id"] == 42
        assert "Вы в очереди" in acknowledgement["text"], "the customer's language (language_code ru)"

        # The same chat continues the same conversation; the agent's answer goes to that chat once.
        assert (await tg.post(message_update(2, 11, "Алло?"))).status_code == 200
        assert [c.id for c in await tg.conversations()] == [conversation.id]
        await post_message(
            tg.holdless.ctx, tg.world.supervisor.principal, conversation.id, text="Отправим сегодня."
        )
        await tg.idle()
        await tg.idle()
        answers = [p for p in tg.api.sent() if p["text"] == "Отправим сегодня."]
        assert [a["chat_id"] for a in answers] == [42]
        assert len(tg.api.sent()) == 2


async def test_a_redelivered_update_is_stored_once_and_an_edit_is_a_new_noted_message(
    backend: Backend, tmp_path: Path
) -> None:
    async with webhook_mode(backend, tmp_path) as tg:
        update = message_update(1, 10, "Hello")
        assert (await tg.post(update)).status_code == 200
        assert (await tg.post(update)).status_code == 200
        edit = {"update_id": 2, "edited_message": update["message"] | {"text": "Hello there", "edit_date": 5}}
        assert (await tg.post(edit)).status_code == 200
        [conversation] = await tg.conversations()
        texts = [m.text for m in await tg.messages(conversation.id) if m.author is Author.CUSTOMER]
        assert texts == ["Hello", "(edited) Hello there"]


async def test_after_a_conversation_is_abandoned_the_chat_continues_in_one_new_conversation(
    backend: Backend, tmp_path: Path
) -> None:
    async with webhook_mode(backend, tmp_path) as tg:
        await tg.post(message_update(1, 10, "Hello"))
        [first] = await tg.conversations()
        await abandon(tg.holdless.ctx, tg.world.supervisor.principal, first.id)
        await tg.post(message_update(2, 11, "Anyone there?"))
        await tg.post(message_update(3, 12, "Still waiting"))
        [second] = [c for c in await tg.conversations() if c.id != first.id]
        texts = [m.text for m in await tg.messages(second.id) if m.author is Author.CUSTOMER]
        assert texts == ["Anyone there?", "Still waiting"]
        await tg.idle()
        assert [p["chat_id"] for p in tg.api.sent()] == [42, 42], "each conversation acknowledged in the chat"


async def test_media_metadata_is_kept_as_an_attachment(backend: Backend, tmp_path: Path) -> None:
    async with webhook_mode(backend, tmp_path) as tg:
        photo = [
            {"file_id": "small", "file_unique_id": "u1", "width": 90, "height": 90, "file_size": 1200},
            {"file_id": "big", "file_unique_id": "u2", "width": 800, "height": 800, "file_size": 64000},
        ]
        update = message_update(1, 10, "", photo=photo, caption="The broken parcel")
        del update["message"]["text"]
        assert (await tg.post(update)).status_code == 200
        [conversation] = await tg.conversations()
        first = (await tg.messages(conversation.id))[0]
        assert first.text == "The broken parcel"
        [attachment] = first.attachments
        assert (attachment.content_type, attachment.size, attachment.url) == (
            "image/jpeg",
            64000,
            "tg-file:big",
        )


async def test_the_webhook_secret_is_verified_and_nothing_is_stored_without_it(
    backend: Backend, tmp_path: Path
) -> None:
    async with webhook_mode(backend, tmp_path) as tg:
        assert (await tg.post(message_update(1, 10, "Hi"), secret=None)).status_code == 401
        assert (await tg.post(message_update(1, 10, "Hi"), secret="guess")).status_code == 401
        assert await tg.conversations() == []


async def test_garbage_payloads_get_a_422_with_a_reason(backend: Backend, tmp_path: Path) -> None:
    async with webhook_mode(backend, tmp_path) as tg:
        not_json = await tg.post(b"{not json")
        assert not_json.status_code == 422
        assert "not JSON" in not_json.json()["error"]["message"]
        no_chat = await tg.post(
            {"update_id": 3, "message": {"message_id": 1, "text": "x", "from": {"id": 1}}}
        )
        assert no_chat.status_code == 422
        assert "message.chat" in no_chat.json()["error"]["message"]
        for body in ([1, 2], {"message": {}}, {"update_id": "x"}):
            assert (await tg.post(body)).status_code == 422
        assert await tg.conversations(1) == []


async def test_a_button_press_is_the_chosen_text_and_choices_are_sent_as_inline_buttons(
    backend: Backend, tmp_path: Path
) -> None:
    async with webhook_mode(backend, tmp_path) as tg:
        await tg.post(message_update(1, 10, "Hi"))
        [conversation] = await tg.conversations()
        channel = tg.holdless.telegram
        reply = Reply("How was it?", (Choice("Good", "good"), Choice("Bad", "bad")))
        outbound = Outbound(
            tg.world.workspace_id, conversation.id, MessageId("msg_x"), "telegram:42", "Olga", "", reply,
            thread_keys=("chat:42",),
        )  # fmt: skip
        # The outbox may send the "you are in line" note first, so the stand-in's id is read, not assumed.
        sent_as = await channel.send(outbound)
        assert sent_as is not None
        chat, sent_id = sent_as.split(":")
        assert chat == "42"
        [survey] = [m for m in tg.api.sent() if "reply_markup" in m]
        assert survey["reply_markup"] == {
            "inline_keyboard": [
                [{"text": "Good", "callback_data": "good"}],
                [{"text": "Bad", "callback_data": "bad"}],
            ]
        }
        press = {
            "update_id": 2,
            "callback_query": {
                "id": "cb-1", "from": {"id": 42, "first_name": "Olga"}, "data": "good",
                "message": {"message_id": int(sent_id), "chat": {"id": 42, "type": "private"}},
            },
        }  # fmt: skip
        assert (await tg.post(press)).status_code == 200
        texts = [m.text for m in await tg.messages(conversation.id) if m.author is Author.CUSTOMER]
        assert texts == ["Hi", "good"]
        assert ("answerCallbackQuery", {"callback_query_id": "cb-1"}) in tg.api.calls


async def test_polling_picks_up_updates_and_advances_the_offset(backend: Backend, tmp_path: Path) -> None:
    from holdless.bootstrap import build

    async with bot_api() as api:
        api.pending = [message_update(7, 10, "First"), message_update(8, 11, "Second")]
        holdless = build(tg_settings(backend, tmp_path, api, telegram_mode="polling"))
        world = await make_world(holdless.ctx)
        await holdless.start()
        try:
            tg = Tg(api, world, holdless)
            for _ in range(200):
                offsets = [p.get("offset") for m, p in api.calls if m == "getUpdates"]
                if 9 in offsets and len(offsets) >= 3:
                    break
                await asyncio.sleep(0.02)
            api.pending.append(message_update(9, 12, "Third"))
            for _ in range(200):
                if 10 in [p.get("offset") for m, p in api.calls if m == "getUpdates"]:
                    break
                await asyncio.sleep(0.02)
            offsets = [p.get("offset") for m, p in api.calls if m == "getUpdates"]
            assert offsets[0] is None, "the first call confirms nothing"
            assert 9 in offsets
            assert 10 in offsets
            [conversation] = await tg.conversations()
            texts = [m.text for m in await tg.messages(conversation.id) if m.author is Author.CUSTOMER]
            assert texts == ["First", "Second", "Third"], "each update once, in order"
        finally:
            await holdless.close()
